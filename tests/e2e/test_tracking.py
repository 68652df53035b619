"""The tracker in a real browser: Chromium reads, skims, hides and watches.

Playwright's clock makes minutes pass instantly in the page; the ingest
endpoint's clock is moved by the same amount, first, so the server sees the
page view live as long as the browser does. Each step waits for the beacon its
heartbeat sends, and roll-ups run inside that request (tasks are eager).
"""

import contextlib
from datetime import datetime

import pytest
from celery._state import _set_task_join_will_block
from playwright.sync_api import Error as PlaywrightError

from tests.tracking.conftest import BROWSER_UA, FakeClock, make_guide
from tracking import views
from tracking.models import PageViewProgress, Status

pytestmark = pytest.mark.e2e

HEARTBEAT_SECONDS = 12


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A desktop browser's user agent: headless ones are dropped as robots."""
    return {**browser_context_args, "user_agent": BROWSER_UA}


@pytest.fixture
def server_clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(views, "clock", fake)
    return fake


@pytest.fixture
def reading(transactional_db, page, live_server, server_clock, settings):
    """Open a page with both clocks in step; returns the helpers a test needs.

    A heartbeat waits for the answer to the newest batch: a batch whose
    answer the page had not yet processed may be sent again beside it. On
    teardown the tracker is silenced and every beacon answered before the
    database is flushed, so no roll-up runs while the tables are truncated.
    """
    settings.TRACKING_RATE_PER_PAGE_VIEW = 10_000
    sent = []
    page.on(
        "request", lambda request: is_beacon_request(request) and sent.append(request)
    )

    class Reading:
        newest = -1

        def open(self, url):
            page.clock.install(
                time=datetime.fromtimestamp(server_clock.now.timestamp())
            )
            with page.expect_response(self.answers_newest):
                page.goto(live_server.url + url)
            page.mouse.move(400, 300)

        def answers_newest(self, response) -> bool:
            if not is_beacon(response):
                return False
            number = response.request.post_data_json["s"]
            if number <= self.newest:
                return False
            self.newest = number
            return True

        def heartbeat(self, *, scroll=0, act=True):
            """Let one heartbeat's worth of time pass, acting as told."""
            if scroll:
                page.evaluate("(y) => window.scrollBy(0, y)", scroll)
            elif act:
                page.mouse.move(400 + server_clock.now.second, 300)
            server_clock.advance(HEARTBEAT_SECONDS)
            with page.expect_response(self.answers_newest) as response:
                page.clock.run_for(HEARTBEAT_SECONDS * 1000)
            assert response.value.status == 202

        def idle(self, seconds):
            server_clock.advance(seconds)
            page.clock.run_for(seconds * 1000)

        def progress(self):
            return PageViewProgress.objects.get()

    yield Reading()
    if not page.is_closed():
        page.evaluate(SILENCE)
    for request in sent:
        with contextlib.suppress(PlaywrightError):
            request.response()
    page.close()
    # NOTE: Celery guards joins with one process-wide flag that eager tasks set
    # and restore; two live-server threads running roll-ups at once can leave
    # it set, which would make later result.get() calls in this process fail.
    _set_task_join_will_block(False)


SILENCE = """() => {
    navigator.sendBeacon = () => true;
    window.fetch = () => new Promise(() => {});
}"""


def is_beacon(response) -> bool:
    return response.url.endswith("/t/e") and response.request.method == "POST"


@pytest.fixture
def guide(site, transactional_db):
    return make_guide(site.root_page, expected_seconds=120, sections=6, words=150)


def test_reading_a_guide_to_the_end_finishes_it(page, reading, guide):
    reading.open(guide.url)

    for _ in range(8):
        reading.heartbeat(scroll=250)
    reading.heartbeat(scroll=10_000)

    progress = reading.progress()
    assert progress.status == Status.FINISHED
    assert progress.end_seen is True
    assert progress.max_depth == 100
    assert 90 <= progress.engaged_seconds <= 9 * HEARTBEAT_SECONDS
    assert len(progress.section_seconds) >= 3
    assert sum(progress.section_seconds.values()) <= progress.engaged_seconds
    assert progress.evidence["expected_seconds"] == 120


def test_scrolling_to_the_end_in_seconds_is_skimming(page, reading, guide):
    reading.open(guide.url)

    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    reading.heartbeat()

    progress = reading.progress()
    assert progress.end_seen is True
    assert progress.engaged_seconds <= HEARTBEAT_SECONDS
    assert progress.status == Status.SKIMMED


def test_an_idle_reader_stops_accumulating_after_thirty_seconds(reading, guide):
    reading.open(guide.url)
    reading.heartbeat()

    for _ in range(5):
        reading.idle(HEARTBEAT_SECONDS)
    reading.heartbeat()

    assert reading.progress().engaged_seconds <= 30 + 2 * HEARTBEAT_SECONDS


PAGE_VISIBILITY = """(visible) => {
    const set = (name, value) =>
        Object.defineProperty(document, name, {value, configurable: true});
    set("visibilityState", visible ? "visible" : "hidden");
    set("hidden", !visible);
    document.hasFocus = () => visible;
    document.dispatchEvent(new Event("visibilitychange"));
}"""


def hide(page):
    """Headless Chromium never hides a tab itself: say it did, as a browser would."""
    page.evaluate(PAGE_VISIBILITY, False)


def show(page):
    page.evaluate(PAGE_VISIBILITY, True)


def test_a_hidden_tab_accumulates_no_engaged_time(page, reading, guide):
    reading.open(guide.url)
    reading.heartbeat(scroll=300)
    reading.heartbeat(scroll=300)
    before = reading.progress().engaged_seconds

    hide(page)
    for _ in range(25):
        page.evaluate("window.dispatchEvent(new Event('pointermove'))")
        reading.idle(HEARTBEAT_SECONDS)
    show(page)
    reading.heartbeat(scroll=300)

    progress = reading.progress()
    lifetime = (progress.last_seen - progress.first_seen).total_seconds()
    assert lifetime >= 25 * HEARTBEAT_SECONDS
    assert before >= 2 * HEARTBEAT_SECONDS - 2
    assert progress.engaged_seconds <= before + HEARTBEAT_SECONDS


def is_beacon_request(request) -> bool:
    return request.url.endswith("/t/e") and request.method == "POST"


def test_hiding_the_tab_sends_what_changed_since_the_heartbeat(page, reading, guide):
    reading.open(guide.url)
    reading.heartbeat(scroll=300)
    page.mouse.wheel(0, 300)
    reading.idle(5)

    with page.expect_response(is_beacon) as response:
        hide(page)

    sent = response.value.request.post_data_json
    engaged = next(event["ms"] for event in sent["e"] if event["k"] == "engaged")
    assert (HEARTBEAT_SECONDS + 5) * 1000 <= engaged < (HEARTBEAT_SECONDS + 6) * 1000


@pytest.fixture
def video_page(site, transactional_db, settings, tmp_path):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document
    from wagtail.models import Collection

    from content.models import ContentIndexPage, VideoPage

    settings.MEDIA_ROOT = tmp_path
    Collection.get_first_root_node() or Collection.add_root(name="Root")
    index = site.root_page.add_child(
        instance=ContentIndexPage(title="Videos", slug="videos")
    )
    video = Document.objects.create(
        title="Intro", file=ContentFile(b"\x1aE\xdf\xa3", name="intro.webm")
    )
    captions = Document.objects.create(
        title="Intro captions", file=ContentFile(b"WEBVTT\n", name="intro.vtt")
    )
    return index.add_child(
        instance=VideoPage(
            title="Pool installation in 60 seconds",
            slug="installation-video",
            summary="How a pool goes in.",
            video=video,
            captions=captions,
            duration_seconds=60,
            transcript="<p>Digging, steel, concrete, water.</p>",
        )
    )


PLAYER = """
(() => {
    const video = document.querySelector("video[data-track-video]");
    let position = 0, paused = true;
    const get = (name, read) =>
        Object.defineProperty(video, name, {get: read, configurable: true});
    get("currentTime", () => position);
    get("paused", () => paused);
    window.player = {
        // Play from `from` to `to` seconds, as the element reports it: about
        // four timeupdate events a second.
        play(from, to) {
            paused = false;
            video.dispatchEvent(new Event("play"));
            for (let t = from; t < to; t += 0.25) {
                position = t;
                video.dispatchEvent(new Event("timeupdate"));
            }
            paused = true;
            video.dispatchEvent(new Event("pause"));
        },
        seek(to) {
            position = to;
            video.dispatchEvent(new Event("seeking"));
            video.dispatchEvent(new Event("timeupdate"));
        },
    };
})()
"""


def test_a_watched_video_counts_each_second_once_even_when_rewound(
    page, reading, video_page
):
    reading.open(video_page.url)
    page.evaluate(PLAYER)

    page.evaluate("player.play(0, 30)")
    page.evaluate("player.seek(10)")
    page.evaluate("player.play(10, 20)")
    page.evaluate("player.seek(50)")
    page.evaluate("player.play(50, 52)")
    reading.heartbeat()

    progress = reading.progress()
    assert progress.videos["main"]["ranges"] == [[0, 30], [50, 52]]
    assert progress.video_seconds == 30
    assert progress.evidence["watched_share"] == 0.5
    assert progress.status == Status.IN_PROGRESS


def test_watching_nine_tenths_of_a_video_finishes_it(page, reading, video_page):
    reading.open(video_page.url)
    page.evaluate(PLAYER)

    page.evaluate("player.play(0, 54)")
    reading.heartbeat()

    assert reading.progress().status == Status.FINISHED


def test_a_batch_that_failed_is_sent_again_when_the_page_is_visible(
    page, reading, guide
):
    reading.open(guide.url)
    page.route("**/t/e", lambda route: route.abort())
    with page.expect_request(is_beacon_request) as failed:
        reading.idle(HEARTBEAT_SECONDS)
    page.unroute("**/t/e")

    with page.expect_response(is_beacon) as retried:
        show(page)

    sent = retried.value.request.post_data_json
    assert sent == failed.value.post_data_json
    assert retried.value.status == 202


def test_the_tracker_stops_when_told_the_page_view_is_closed(page, reading, guide):
    reading.open(guide.url)
    page.route(
        "**/t/e",
        lambda route: route.fulfill(
            status=410, content_type="application/json", body='{"stop": true}'
        ),
    )
    with page.expect_response(is_beacon):
        reading.idle(HEARTBEAT_SECONDS)
    sent = []
    page.on(
        "request",
        lambda request: sent.append(request) if is_beacon_request(request) else None,
    )

    page.mouse.wheel(0, 300)
    reading.idle(3 * HEARTBEAT_SECONDS)
    hide(page)

    assert sent == []
