"""Duplicated delivery and concurrent roll-ups on PostgreSQL with a real worker."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from celery.result import allow_join_result
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client

from tests.tracking.conftest import Reader, make_guide
from tracking import services, tasks
from tracking.models import (
    Event,
    PageViewProgress,
    Status,
    Visitor,
    VisitorPageProgress,
    hash_visitor_token,
)

IDENTITY_FIELDS = {"page_view", "visitor", "events_through", "id"}

READING = [
    [{"k": "engaged", "ms": 60_000}, {"k": "depth", "pct": 30}],
    [
        {"k": "engaged", "ms": 200_000},
        {"k": "depth", "pct": 70},
        {"k": "section", "id": "part-1", "ms": 120_000},
        {"k": "video", "id": "tour", "dur": 90, "r": [[0, 40]]},
    ],
    [
        {"k": "engaged", "ms": 330_000},
        {"k": "depth", "pct": 100},
        {"k": "end"},
        {"k": "section", "id": "part-2", "ms": 150_000},
        {"k": "video", "id": "tour", "dur": 90, "r": [[0, 40], [20, 70]]},
    ],
]


def comparable(row):
    return {k: v for k, v in model_to_dict(row).items() if k not in IDENTITY_FIELDS}


def visitor_reader(article, token, settings):
    Visitor.objects.create(token_hash=hash_visitor_token(token))
    client = Client()
    client.cookies[settings.TRACKING_VISITOR_COOKIE] = token
    return Reader(client, article)


def deliver(reader, *, seq_offset=1):
    for seq, events in enumerate(READING, start=seq_offset):
        response = reader.send(reader.batch(590_000, *events, seq=seq))
        assert response.status_code == 202, response.content
    connection.close()


@pytest.fixture
def enqueued(monkeypatch):
    """Results of every roll-up ingest enqueues, to wait for before the flush."""
    results = []

    def enqueue(*, page_view_id):
        results.append(tasks.roll_up_page_view.delay(page_view_id))

    monkeypatch.setattr(services, "enqueue_roll_up", enqueue)
    yield results
    # NOTE: eager tasks run by live-server threads in browser tests can leave
    # Celery's process-wide "joining would block" guard set; this test is not
    # a task, so joining is allowed explicitly.
    with allow_join_result():
        for result in results:
            result.get(timeout=60)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_events_delivered_three_times_roll_up_as_if_delivered_once(
    real_celery, enqueued, site, clock, settings
):
    guide = make_guide(site.root_page, expected_seconds=600)
    once = visitor_reader(guide, "visitor-once", settings)
    thrice = visitor_reader(guide, "visitor-thrice", settings)
    for reader in (once, thrice):
        assert reader.send(reader.batch(0, {"k": "view"}, seq=0)).status_code == 202
    clock.advance(600)

    deliver(once)
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(deliver, [thrice, thrice, thrice]))
    results = [
        tasks.roll_up_page_view.delay(reader.page_view)
        for _ in range(4)
        for reader in (once, thrice)
    ]
    with allow_join_result():
        for result in enqueued:
            result.get(timeout=60)
        statuses = {result.get(timeout=60) for result in results}

    assert statuses == {Status.FINISHED}
    assert Event.objects.filter(page_view_id=once.page_view).count() == 12
    assert Event.objects.filter(page_view_id=thrice.page_view).count() == 12
    by_view = {
        row.page_view_id.hex: comparable(row) for row in PageViewProgress.objects.all()
    }
    assert by_view[thrice.page_view] == by_view[once.page_view]
    assert by_view[once.page_view]["engaged_seconds"] == 330
    assert by_view[once.page_view]["video_seconds"] == 70
    per_visitor = [comparable(row) for row in VisitorPageProgress.objects.all()]
    assert len(per_visitor) == 2
    assert per_visitor[0] == per_visitor[1]
    assert per_visitor[0]["visit_count"] == 1
