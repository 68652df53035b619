import pytest
from celery.result import allow_join_result
from django.core.cache import cache

from portal.celery import app as celery_app
from portal.tasks import HEARTBEAT_CACHE_KEY, heartbeat


def test_delivery_is_at_least_once():
    conf = celery_app.conf

    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit


def test_beat_schedule_names_registered_tasks():
    celery_app.loader.import_default_modules()

    for entry in celery_app.conf.beat_schedule.values():
        assert entry["task"] in celery_app.tasks


def test_heartbeat_records_when_it_ran():
    cache.delete(HEARTBEAT_CACHE_KEY)

    result = heartbeat.delay()

    assert result.successful()
    assert cache.get(HEARTBEAT_CACHE_KEY) == result.result


def test_tasks_enqueued_in_a_transaction_wait_for_the_commit(
    db, django_capture_on_commit_callbacks
):
    cache.delete(HEARTBEAT_CACHE_KEY)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        heartbeat.delay_on_commit()
        assert cache.get(HEARTBEAT_CACHE_KEY) is None

    assert len(callbacks) == 1
    callbacks[0]()
    assert cache.get(HEARTBEAT_CACHE_KEY) is not None


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_smoke_task(real_celery):
    result = heartbeat.delay()

    # Eager tasks run by live-server threads elsewhere in the session can leave
    # Celery's process-wide "joining would block" guard set; this is no task.
    with allow_join_result():
        assert result.get(timeout=30).startswith("20")
    assert result.state == "SUCCESS"
