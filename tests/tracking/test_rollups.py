from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from tests.tracking.conftest import Reader
from tracking import services, tasks
from tracking.models import (
    Event,
    PageView,
    PageViewProgress,
    Status,
    Visit,
    Visitor,
    VisitorPageProgress,
    hash_visitor_token,
)
from tracking.signals import piece_finished

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor(client, settings):
    client.cookies[settings.TRACKING_VISITOR_COOKIE] = "known-token"
    return Visitor.objects.create(token_hash=hash_visitor_token("known-token"))


@pytest.fixture
def roll_ups(django_capture_on_commit_callbacks):
    """Run the roll-ups each accepted batch enqueues, as the worker would."""

    def run(send):
        with django_capture_on_commit_callbacks(execute=True):
            response = send()
        assert response.status_code == 202, response.content
        return response

    return run


def read(reader, clock, roll_ups, *, seconds, end=False, depth=50, sections=None):
    """One page view: opened now, read for ``seconds``, then reported."""
    roll_ups(lambda: reader.send(reader.batch(0, {"k": "view"})))
    clock.advance(seconds)
    events = [
        {"k": "engaged", "ms": seconds * 1000},
        {"k": "depth", "pct": depth},
    ]
    if end:
        events.append({"k": "end"})
    for key, ms in (sections or {}).items():
        events.append({"k": "section", "id": key, "ms": ms})
    return roll_ups(lambda: reader.send(reader.batch(seconds * 1000, *events)))


def progress_values(model):
    return [
        {k: v for k, v in model_to_dict(row).items() if k != "status_changed_at"}
        for row in model.objects.order_by("pk")
    ]


def test_page_view_progress_is_rolled_up_from_its_events(
    client, guide, clock, roll_ups
):
    reader = Reader(client, guide)

    read(reader, clock, roll_ups, seconds=320, end=True, depth=100)

    progress = PageViewProgress.objects.get()
    assert progress.page_id == guide.pk
    assert progress.engaged_seconds == 320
    assert progress.max_depth == 100
    assert progress.end_seen is True
    assert progress.status == Status.FINISHED
    assert progress.evidence["expected_seconds"] == 600
    assert progress.status_changed_at == clock.now
    assert progress.events_through == Event.objects.latest("pk").pk


def test_end_reached_in_seconds_is_skimmed(client, guide, clock, roll_ups):
    read(Reader(client, guide), clock, roll_ups, seconds=20, end=True, depth=100)

    assert PageViewProgress.objects.get().status == Status.SKIMMED


def test_a_page_view_without_engagement_is_not_started(client, guide, roll_ups):
    reader = Reader(client, guide)

    roll_ups(lambda: reader.send(reader.batch(0, {"k": "view"}, {"k": "end"})))

    assert PageViewProgress.objects.get().status == Status.NOT_STARTED


def test_rolling_up_again_changes_nothing(client, guide, clock, roll_ups, visitor):
    read(Reader(client, guide), clock, roll_ups, seconds=320, end=True)
    page_view = PageView.objects.get()
    before = (progress_values(PageViewProgress), progress_values(VisitorPageProgress))

    clock.advance(3600)
    for _ in range(3):
        tasks.roll_up_page_view.delay(str(page_view.pk))

    after = (progress_values(PageViewProgress), progress_values(VisitorPageProgress))
    assert after == before


def test_status_change_time_stays_when_the_status_does_not_change(
    client, guide, clock, roll_ups
):
    reader = Reader(client, guide)
    read(reader, clock, roll_ups, seconds=60)
    changed_at = PageViewProgress.objects.get().status_changed_at
    clock.advance(30)

    roll_ups(lambda: reader.send(reader.batch(90_000, {"k": "engaged", "ms": 85_000})))

    progress = PageViewProgress.objects.get()
    assert progress.engaged_seconds == 85
    assert progress.status_changed_at == changed_at


def test_anonymous_page_views_get_no_visitor_progress(client, guide, clock, roll_ups):
    read(Reader(client, guide), clock, roll_ups, seconds=320, end=True)

    assert not VisitorPageProgress.objects.exists()
    assert not Visit.objects.exists()


def test_visitor_progress_adds_up_their_page_views(
    client, guide, clock, roll_ups, visitor
):
    read(Reader(client, guide), clock, roll_ups, seconds=200, sections={"a": 150_000})
    clock.advance(3600)
    read(
        Reader(client, guide),
        clock,
        roll_ups,
        seconds=120,
        end=True,
        sections={"a": 20_000, "b": 90_000},
    )

    progress = VisitorPageProgress.objects.get(visitor=visitor, page=guide)
    assert progress.engaged_seconds == 320
    assert progress.end_seen is True
    assert progress.section_seconds == {"a": 170, "b": 90}
    assert progress.status == Status.FINISHED
    assert progress.visit_count == 2
    assert progress.first_seen < progress.last_seen


def test_page_views_within_thirty_minutes_share_a_visit(
    client, guide, clock, roll_ups, visitor
):
    read(Reader(client, guide), clock, roll_ups, seconds=60)
    clock.advance(20 * 60)
    read(Reader(client, guide), clock, roll_ups, seconds=60)
    clock.advance(31 * 60)
    read(Reader(client, guide), clock, roll_ups, seconds=60)

    assert Visit.objects.filter(visitor=visitor).count() == 2
    assert VisitorPageProgress.objects.get().visit_count == 2


def test_piece_finished_is_announced_once_with_the_evidence(
    client, guide, clock, roll_ups, visitor
):
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    piece_finished.connect(listener)
    try:
        reader = Reader(client, guide)
        read(reader, clock, roll_ups, seconds=320, end=True)
        clock.advance(30)
        roll_ups(
            lambda: reader.send(reader.batch(350_000, {"k": "engaged", "ms": 340_000}))
        )
    finally:
        piece_finished.disconnect(listener)

    assert len(heard) == 1
    assert heard[0]["visitor_id"] == visitor.pk
    assert heard[0]["page_id"] == guide.pk
    assert heard[0]["evidence"]["engaged_seconds"] == 320
    assert heard[0]["evidence"]["end_seen"] is True


def test_a_failing_listener_does_not_undo_the_roll_up(
    client, guide, clock, roll_ups, visitor
):
    def broken(sender, **kwargs):
        raise RuntimeError("listener failed")

    piece_finished.connect(broken)
    try:
        read(Reader(client, guide), clock, roll_ups, seconds=320, end=True)
    finally:
        piece_finished.disconnect(broken)

    assert VisitorPageProgress.objects.get().status == Status.FINISHED


def test_roll_up_of_a_vanished_page_view_returns_quietly():
    assert tasks.roll_up_page_view.delay("0" * 32).get() is None


def test_sweeper_re_enqueues_only_page_views_behind_their_events(
    client, guide, clock, settings, django_capture_on_commit_callbacks
):
    settings.TRACKING_SWEEP_DELAY_SECONDS = 0
    behind = Reader(client, guide)
    with django_capture_on_commit_callbacks(execute=False):
        behind.send(behind.batch(0, {"k": "view"}, {"k": "engaged", "ms": 0}))
    up_to_date = Reader(client, guide)
    with django_capture_on_commit_callbacks(execute=True):
        up_to_date.send(up_to_date.batch(0, {"k": "view"}))
    Event.objects.update(received_at=timezone.now() - timedelta(minutes=5))

    swept = tasks.sweep_unrolled_page_views.delay().get()

    assert swept == 1
    assert PageViewProgress.objects.filter(page_view_id=behind.page_view).exists()
    assert tasks.sweep_unrolled_page_views.delay().get() == 0


def test_purge_removes_old_raw_events_and_keeps_progress(
    client, guide, clock, roll_ups, settings
):
    read(Reader(client, guide), clock, roll_ups, seconds=60)
    old = timezone.now() - timedelta(days=settings.TRACKING_EVENT_RETENTION_DAYS + 1)
    Event.objects.filter(kind="view").update(received_at=old)

    purged = tasks.purge_raw_events.delay().get()

    assert purged == 1
    assert Event.objects.count() == 2
    assert PageViewProgress.objects.get().engaged_seconds == 60


def test_erasing_a_visitor_removes_everything_measured_about_them(
    client, guide, clock, roll_ups, visitor
):
    read(Reader(client, guide), clock, roll_ups, seconds=60)

    assert services.erase_visitor(visitor_id=visitor.pk) is True

    assert not PageView.objects.exists()
    assert not Event.objects.exists()
    assert not VisitorPageProgress.objects.exists()
    assert not Visit.objects.exists()


def test_completion_reported_by_a_calculator_is_kept_as_evidence(
    client, article, clock, roll_ups, visitor, monkeypatch
):
    from tracking.progress import FinishRule

    monkeypatch.setattr(
        FinishRule,
        "for_page",
        classmethod(lambda cls, page: cls(kind="calculator", expected_seconds=120)),
    )
    reader = Reader(client, article)
    roll_ups(lambda: reader.send(reader.batch(0, {"k": "view"})))
    clock.advance(40)
    completion = {
        "k": "complete",
        "id": "calculator",
        "data": {"pool_length": 10, "budget": 60000.5, "heated": True, "shape": "L"},
    }

    roll_ups(
        lambda: reader.send(
            reader.batch(40_000, {"k": "engaged", "ms": 30_000}, completion)
        )
    )

    progress = VisitorPageProgress.objects.get()
    assert progress.status == Status.FINISHED
    assert progress.completion == {"id": "calculator", "data": completion["data"]}
    assert progress.evidence["completion"]["data"]["pool_length"] == 10
