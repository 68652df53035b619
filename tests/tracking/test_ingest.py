import json
import uuid
from datetime import timedelta

import pytest

from tracking.models import Browser, Event, PageView, Visitor, hash_visitor_token

pytestmark = pytest.mark.django_db


def opening(reader, t_ms=0):
    return reader.batch(t_ms, {"k": "view"}, {"k": "engaged", "ms": 0})


def test_first_batch_creates_the_page_view_and_stores_its_events(reader, article):
    response = reader.send(opening(reader))

    assert response.status_code == 202
    assert response.json() == {"ok": True}
    page_view = PageView.objects.get()
    assert page_view.page_id == article.pk
    assert page_view.visitor_id is None
    assert page_view.browser == Browser.CHROME
    assert list(Event.objects.values_list("kind", "value")) == [
        ("view", 0),
        ("engaged", 0),
    ]


def test_json_content_type_is_accepted_too(reader):
    response = reader.send(opening(reader), content_type="application/json")

    assert response.status_code == 202


def test_a_retried_batch_is_stored_once(reader, clock):
    reader.send(opening(reader))
    clock.advance(15)
    retry = reader.batch(
        14_000, {"k": "engaged", "ms": 9_000}, {"k": "depth", "pct": 20}
    )

    first = reader.send(retry)
    second = reader.send(retry)

    assert first.status_code == second.status_code == 202
    assert Event.objects.filter(seq=retry["s"]).count() == 2


def test_accepted_batch_enqueues_a_roll_up_after_commit(
    reader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        reader.send(opening(reader))

    assert len(callbacks) == 1


def test_ingest_makes_one_statement_once_the_page_view_exists(
    reader, clock, django_assert_num_queries
):
    reader.send(opening(reader))
    clock.advance(12)

    with django_assert_num_queries(1):
        response = reader.send(reader.batch(12_000, {"k": "engaged", "ms": 11_000}))

    assert response.status_code == 202


def test_ingest_makes_four_statements_in_one_transaction_for_a_new_page_view(
    reader, django_assert_num_queries
):
    # The insert into an open page view finds none; find the page view, then
    # in one transaction (a savepoint in a test): check the page, create the
    # page view, insert its events.
    with django_assert_num_queries(7):
        response = reader.send(opening(reader))

    assert response.status_code == 202


def test_ingest_makes_five_statements_for_a_known_visitors_new_page_view(
    reader, django_assert_num_queries, settings
):
    Visitor.objects.create(token_hash=hash_visitor_token("known-token"))
    reader.client.cookies[settings.TRACKING_VISITOR_COOKIE] = "known-token"

    with django_assert_num_queries(8):
        response = reader.send(opening(reader))

    assert response.status_code == 202


def test_consenting_visitors_page_view_is_attributed_to_them(reader, settings):
    visitor = Visitor.objects.create(token_hash=hash_visitor_token("known-token"))
    reader.client.cookies[settings.TRACKING_VISITOR_COOKIE] = "known-token"

    reader.send(opening(reader))

    assert PageView.objects.get().visitor == visitor


def test_unknown_visitor_cookie_is_measured_anonymously(reader, settings):
    reader.client.cookies[settings.TRACKING_VISITOR_COOKIE] = "forged"

    response = reader.send(opening(reader))

    assert response.status_code == 202
    assert PageView.objects.get().visitor_id is None


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example", "HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_ORIGIN": "https://evil.example", "HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_ORIGIN": "", "HTTP_SEC_FETCH_SITE": ""},
    ],
    ids=["cross-site", "foreign-origin", "same-site", "no-browser-headers"],
)
def test_cross_origin_beacons_are_refused(reader, headers):
    if not headers["HTTP_ORIGIN"]:
        reader.headers.pop("HTTP_ORIGIN")
        reader.headers.pop("HTTP_SEC_FETCH_SITE")
        headers = {}

    response = reader.send(opening(reader), **headers)

    assert response.status_code == 403
    assert not PageView.objects.exists()


def test_origin_alone_is_enough_for_browsers_without_fetch_metadata(reader):
    reader.headers.pop("HTTP_SEC_FETCH_SITE")

    response = reader.send(opening(reader))

    assert response.status_code == 202


def test_other_content_types_are_refused(reader):
    response = reader.send("v=1", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415


def test_get_is_not_allowed(client):
    assert client.get("/t/e").status_code == 405


def test_oversized_declared_body_is_refused_before_reading(reader, settings):
    settings.TRACKING_MAX_BODY_BYTES = 100

    response = reader.send(json.dumps(opening(reader)) + " " * 200)

    assert response.status_code == 413
    assert not PageView.objects.exists()


def test_malformed_json_is_a_bad_request(reader):
    response = reader.send(b'{"v": ')

    assert response.status_code == 400
    assert response.json()["error"] == "malformed_json"


def test_schema_errors_name_the_fields_not_the_values(reader):
    batch = opening(reader)
    batch["e"][1]["ms"] = -5

    response = reader.send(batch)

    assert response.status_code == 422
    assert response.json() == {"error": "invalid_batch", "fields": ["e.1.engaged.ms"]}


@pytest.mark.parametrize(
    "event",
    [
        {"k": "teleport"},
        {"k": "engaged", "ms": True},
        {"k": "engaged", "ms": 1.5},
        {"k": "depth", "pct": 101},
        {"k": "section", "id": "<script>", "ms": 1},
        {"k": "video", "id": "v", "dur": 10, "r": [[5, 3]]},
        {"k": "video", "id": "v", "dur": 10, "r": [[0, 11]]},
        {"k": "end", "extra": 1},
        {"k": "complete", "id": "calc", "data": {"a": {"nested": 1}}},
    ],
)
def test_unknown_kinds_wrong_types_and_out_of_range_values_are_refused(reader, event):
    response = reader.send(reader.batch(0, event))

    assert response.status_code == 422
    assert not Event.objects.exists()


def test_too_many_events_are_refused(reader):
    events = [{"k": "section", "id": f"s{n}", "ms": 0} for n in range(101)]

    response = reader.send(reader.batch(0, *events))

    assert response.status_code == 422


def test_engaged_longer_than_the_batch_claims_is_impossible(reader):
    response = reader.send(reader.batch(1_000, {"k": "engaged", "ms": 5_000}))

    assert response.status_code == 422


def test_engaged_longer_than_the_server_saw_the_page_view_is_impossible(reader, clock):
    reader.send(opening(reader))
    clock.advance(10)

    response = reader.send(reader.batch(60_000, {"k": "engaged", "ms": 59_000}))

    assert response.status_code == 422
    assert response.json()["error"] == "impossible_values"
    assert Event.objects.count() == 2


def test_lost_first_batch_lets_the_next_start_the_page_view_a_little_earlier(
    reader, clock
):
    response = reader.send(reader.batch(12_000, {"k": "engaged", "ms": 11_000}))

    assert response.status_code == 202
    assert PageView.objects.get().started_at == clock.now - timedelta(seconds=12)


def test_unknown_or_unpublished_page_is_refused(reader, article):
    article.unpublish()

    response = reader.send(opening(reader))

    assert response.status_code == 422
    assert response.json()["error"] == "unknown_page"


def test_page_view_cannot_move_to_another_page(reader, home_page):
    reader.send(opening(reader))
    moved = reader.batch(0, {"k": "depth", "pct": 5})
    moved["p"] = home_page.pk

    response = reader.send(moved)

    assert response.status_code == 409
    assert Event.objects.count() == 2


def test_old_page_view_is_closed_and_tells_the_tracker_to_stop(reader, clock, settings):
    reader.send(opening(reader))
    clock.advance(settings.TRACKING_PAGE_VIEW_MAX_SECONDS + 1)

    response = reader.send(reader.batch(1_000, {"k": "depth", "pct": 5}))

    assert response.status_code == 410
    assert response.json()["stop"] is True
    assert Event.objects.count() == 2


def test_an_ended_visitors_open_tab_is_refused_and_nothing_stored(
    reader, clock, settings
):
    from tracking import services

    visitor = Visitor.objects.create(token_hash=hash_visitor_token("known-token"))
    reader.client.cookies[settings.TRACKING_VISITOR_COOKIE] = "known-token"
    reader.send(opening(reader))
    services.end_visitors(visitor_ids=[visitor.pk])
    clock.advance(15)

    response = reader.send(reader.batch(15_000, {"k": "engaged", "ms": 14_000}))

    assert response.status_code == 410
    assert Event.objects.count() == 2


def test_a_batch_at_the_limits_of_an_open_page_view_is_stored_in_one_statement(
    reader, clock, settings, django_assert_num_queries
):
    reader.send(opening(reader))
    clock.advance(settings.TRACKING_PAGE_VIEW_MAX_SECONDS)
    allowed_ms = (
        settings.TRACKING_PAGE_VIEW_MAX_SECONDS + settings.TRACKING_CLOCK_SKEW_SECONDS
    ) * 1000

    with django_assert_num_queries(1):
        response = reader.send(reader.batch(allowed_ms, {"k": "depth", "pct": 5}))

    assert response.status_code == 202
    assert Event.objects.count() == 3


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/140.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Mimecast URL Protection",
        "python-requests/2.32",
        "",
    ],
    ids=["crawler", "headless", "link-scanner", "library", "none"],
)
def test_robots_get_accepted_and_nothing_is_recorded(reader, agent):
    response = reader.send(opening(reader), HTTP_USER_AGENT=agent)

    assert response.status_code == 202
    assert response.json() == {"stop": True}
    assert not PageView.objects.exists()


@pytest.mark.parametrize("header", ["HTTP_SEC_GPC", "HTTP_DNT"])
def test_anonymous_reader_asking_not_to_be_tracked_is_not_measured(reader, header):
    response = reader.send(opening(reader), **{header: "1"})

    assert response.status_code == 202
    assert response.json() == {"stop": True}
    assert not PageView.objects.exists()


def test_consenting_visitor_is_measured_despite_a_privacy_signal(reader, settings):
    Visitor.objects.create(token_hash=hash_visitor_token("known-token"))
    reader.client.cookies[settings.TRACKING_VISITOR_COOKIE] = "known-token"

    response = reader.send(opening(reader), HTTP_SEC_GPC="1")

    assert response.status_code == 202
    assert PageView.objects.get().visitor_id is not None


def test_page_view_rate_limit_answers_429_with_retry_after(reader, settings):
    settings.TRACKING_RATE_PER_PAGE_VIEW = 2
    responses = [reader.send(reader.batch(0, {"k": "view"})) for _ in range(3)]

    assert [r.status_code for r in responses] == [202, 202, 429]
    assert responses[2]["Retry-After"] == "60"


def test_page_view_rate_limit_resets_the_next_minute(reader, clock, settings):
    settings.TRACKING_RATE_PER_PAGE_VIEW = 1
    reader.send(opening(reader))
    clock.advance(61)

    response = reader.send(reader.batch(0, {"k": "depth", "pct": 3}))

    assert response.status_code == 202


def test_visitor_rate_limit_spans_page_views(client, article, clock, settings):
    from tests.tracking.conftest import Reader

    settings.TRACKING_RATE_PER_VISITOR = 2
    Visitor.objects.create(token_hash=hash_visitor_token("known-token"))
    client.cookies[settings.TRACKING_VISITOR_COOKIE] = "known-token"
    readers = [Reader(client, article) for _ in range(3)]

    statuses = [r.send(opening(r)).status_code for r in readers]

    assert statuses == [202, 202, 429]


def test_client_rate_limit_spans_anonymous_page_views(client, article, clock, settings):
    from tests.tracking.conftest import Reader

    settings.TRACKING_RATE_PER_CLIENT = 2
    readers = [Reader(client, article) for _ in range(3)]

    statuses = [r.send(opening(r)).status_code for r in readers]

    assert statuses == [202, 202, 429]


def test_no_address_or_user_agent_is_stored(reader):
    reader.send(opening(reader), REMOTE_ADDR="203.0.113.9")

    stored = json.dumps(
        [list(PageView.objects.values()), list(Event.objects.values())], default=str
    )
    assert "203.0.113.9" not in stored
    assert "Mozilla" not in stored


def test_page_view_id_must_be_128_bit_hex(reader):
    batch = opening(reader)
    batch["v"] = str(uuid.uuid4())

    assert reader.send(batch).status_code == 422


@pytest.fixture
def queued(monkeypatch, settings):
    """Roll-ups queued by ingest, held as if no worker had started them yet."""
    from tracking import services

    settings.TRACKING_COALESCE_ROLL_UPS = True
    page_view_ids = []

    def enqueue(*, page_view_id):
        page_view_ids.append(page_view_id)
        return True

    monkeypatch.setattr(services, "enqueue_roll_up", enqueue)
    return page_view_ids


def test_batches_while_a_roll_up_waits_queue_no_other(
    reader, clock, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reader.send(opening(reader))
        clock.advance(15)
        reader.send(reader.batch(15_000, {"k": "engaged", "ms": 14_000}))

    assert queued == [str(uuid.UUID(reader.page_view))]


def test_a_batch_after_the_roll_up_started_queues_another(
    reader, clock, queued, django_capture_on_commit_callbacks
):
    from tracking import services

    with django_capture_on_commit_callbacks(execute=True):
        reader.send(opening(reader))
    services.starting_roll_up(page_view_id=queued[0])
    clock.advance(15)
    with django_capture_on_commit_callbacks(execute=True):
        reader.send(reader.batch(15_000, {"k": "engaged", "ms": 14_000}))

    assert len(queued) == 2


def test_a_roll_up_the_broker_refused_is_queued_again_by_the_next_batch(
    reader, clock, queued, monkeypatch, django_capture_on_commit_callbacks
):
    from tracking import services

    refused = []
    monkeypatch.setattr(
        services,
        "enqueue_roll_up",
        lambda *, page_view_id: refused.append(page_view_id) and False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        reader.send(opening(reader))
    monkeypatch.setattr(
        services,
        "enqueue_roll_up",
        lambda *, page_view_id: queued.append(page_view_id) or True,
    )
    clock.advance(15)
    with django_capture_on_commit_callbacks(execute=True):
        reader.send(reader.batch(15_000, {"k": "engaged", "ms": 14_000}))

    assert len(refused) == 1
    assert len(queued) == 1


def test_without_a_shared_cache_every_batch_queues_a_roll_up(
    reader, clock, queued, settings, django_capture_on_commit_callbacks
):
    settings.TRACKING_COALESCE_ROLL_UPS = None  # the test cache is per process

    with django_capture_on_commit_callbacks(execute=True):
        reader.send(opening(reader))
        clock.advance(15)
        reader.send(reader.batch(15_000, {"k": "engaged", "ms": 14_000}))

    assert len(queued) == 2


def test_the_roll_up_task_clears_the_mark_before_it_reads_events(
    reader, queued, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from tracking import services, tasks

    with django_capture_on_commit_callbacks(execute=True):
        reader.send(opening(reader))
    marks_seen = []
    monkeypatch.setattr(
        services,
        "roll_up_page_view",
        lambda *, page_view_id: marks_seen.append(
            cache.get(services._pending_key(page_view_id))
        ),
    )

    tasks.roll_up_page_view(queued[0])

    assert marks_seen == [None]
