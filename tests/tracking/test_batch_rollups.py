"""Rolling up many page views at once gives what rolling up each alone gives."""

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from portal import versions
from tests.tracking.conftest import Reader
from tracking import services
from tracking.models import (
    PageView,
    PageViewProgress,
    Visitor,
    VisitorPageProgress,
    hash_visitor_token,
)

pytestmark = pytest.mark.django_db


def send_reading(reader, clock, *, seconds, video=False, complete=False):
    """Batches of one page view, stored and not rolled up."""
    reader.send(reader.batch(0, {"k": "view"}, {"k": "engaged", "ms": 0}))
    clock.advance(seconds // 2)
    reader.send(
        reader.batch(
            seconds * 500,
            {"k": "engaged", "ms": seconds * 500},
            {"k": "depth", "pct": 40},
            {"k": "section", "id": "intro", "ms": seconds * 300},
        )
    )
    clock.advance(seconds - seconds // 2)
    events = [
        {"k": "engaged", "ms": seconds * 1000},
        {"k": "depth", "pct": 100},
        {"k": "end"},
        {"k": "section", "id": "intro", "ms": seconds * 400},
        {"k": "section", "id": "costs", "ms": seconds * 500},
    ]
    later = []
    if video:
        ranges = [[0, 30], [50, 70]]
        events.append({"k": "video", "id": "demo", "dur": 120, "r": ranges})
        later.append({"k": "video", "id": "demo", "dur": 120, "r": [[25, 45]]})
    if complete:
        events.append({"k": "complete", "id": "calc", "data": {"seats": "10"}})
        later.append({"k": "complete", "id": "calc", "data": {"seats": "12"}})
    batches = [events] + [[event] for event in later]
    for batch in batches:
        response = reader.send(reader.batch(seconds * 1000, *batch))
        assert response.status_code == 202, response.content


def snapshot():
    return [
        [
            {key: value for key, value in model_to_dict(row).items() if key != "id"}
            for row in model.objects.order_by("pk")
        ]
        for model in (PageViewProgress, VisitorPageProgress)
    ]


@pytest.fixture
def readings(client, guide, clock, settings):
    visitor_client = type(client)()
    visitor_client.cookies[settings.TRACKING_VISITOR_COOKIE] = "known-token"
    Visitor.objects.create(token_hash=hash_visitor_token("known-token"))
    send_reading(Reader(client, guide), clock, seconds=200, video=True)
    send_reading(Reader(client, guide), clock, seconds=30, complete=True)
    send_reading(Reader(visitor_client, guide), clock, seconds=90)
    clock.advance(60)
    send_reading(Reader(visitor_client, guide), clock, seconds=400, video=True)
    return list(PageView.objects.order_by("started_at").values_list("pk", flat=True))


def test_a_batch_roll_up_writes_what_one_by_one_roll_ups_write(readings):
    for page_view_id in readings:
        services.roll_up_page_view(page_view_id=str(page_view_id))
    one_by_one = snapshot()
    PageViewProgress.objects.all().delete()
    VisitorPageProgress.objects.all().delete()

    statuses = services.roll_up_page_views(readings)

    assert snapshot() == one_by_one
    assert set(statuses) == {str(page_view_id) for page_view_id in readings}
    progress = PageViewProgress.objects.get(page_view_id=readings[0])
    assert progress.videos == {"demo": {"duration": 120, "ranges": [[0, 45], [50, 70]]}}
    assert PageViewProgress.objects.get(page_view_id=readings[1]).completion == {
        "id": "calc",
        "data": {"seats": "12"},
    }
    assert VisitorPageProgress.objects.get().engaged_seconds == 490


def test_a_batch_roll_up_costs_the_same_queries_for_few_or_many_page_views(
    client, guide, clock
):
    def anonymous_readings(count):
        readers = [Reader(client, guide) for _ in range(count)]
        for reader in readers:
            send_reading(reader, clock, seconds=60)
        return [reader.page_view for reader in readers]

    few, many = anonymous_readings(2), anonymous_readings(20)

    with CaptureQueriesContext(connection) as for_few:
        services.roll_up_page_views(few)
    with CaptureQueriesContext(connection) as for_many:
        services.roll_up_page_views(many)

    assert len(for_many.captured_queries) == len(for_few.captured_queries)
    assert PageViewProgress.objects.count() == 22


def test_a_roll_up_moves_the_progress_version_once_it_commits(
    readings, django_capture_on_commit_callbacks
):
    before = versions.current(versions.PROGRESS)

    with django_capture_on_commit_callbacks(execute=True):
        services.roll_up_page_views(readings[:1])

    assert versions.current(versions.PROGRESS) != before


def test_nothing_to_roll_up_leaves_the_progress_version_alone(
    django_capture_on_commit_callbacks,
):
    before = versions.current(versions.PROGRESS)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.roll_up_page_views(["0" * 32]) == {}

    assert versions.current(versions.PROGRESS) == before
