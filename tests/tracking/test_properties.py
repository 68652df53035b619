"""Whatever arrives at the ingest endpoint, it answers 4xx or 202, stores
nothing for invalid input, and roll-ups stay within physical bounds."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.tracking.conftest import SAME_ORIGIN, Reader, new_page_view_id
from tracking.models import Event, PageView, PageViewProgress

pytestmark = pytest.mark.django_db

examples = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(autouse=True)
def _generous_limits(settings):
    settings.TRACKING_RATE_PER_CLIENT = 10**9
    settings.TRACKING_RATE_PER_PAGE_VIEW = 10**9
    settings.TRACKING_RATE_PER_VISITOR = 10**9


def stored() -> tuple[int, int]:
    return PageView.objects.count(), Event.objects.count()


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=25,
)

kinds = st.sampled_from(
    ["view", "engaged", "depth", "end", "section", "video", "complete", "other"]
)
event_like = st.fixed_dictionaries(
    {"k": kinds},
    optional={
        "ms": json_values,
        "pct": json_values,
        "id": json_values,
        "dur": json_values,
        "r": json_values,
        "data": json_values,
        "extra": json_values,
    },
)


def batch_like(page_id):
    return st.fixed_dictionaries(
        {
            "v": st.one_of(st.just(new_page_view_id()), json_values),
            "p": st.one_of(st.just(page_id), json_values),
            "s": st.one_of(st.integers(0, 10), json_values),
            "t": st.one_of(st.integers(0, 10_000), json_values),
            "e": st.one_of(st.lists(event_like, max_size=6), json_values),
        },
        optional={"x": json_values},
    )


header_values = st.one_of(st.none(), st.text(max_size=60))
headers = st.fixed_dictionaries(
    {},
    optional={
        "HTTP_ORIGIN": st.one_of(st.just("http://testserver"), header_values),
        "HTTP_SEC_FETCH_SITE": st.sampled_from(
            ["same-origin", "same-site", "cross-site", "none", ""]
        ),
        "HTTP_USER_AGENT": st.one_of(
            st.just(SAME_ORIGIN["HTTP_USER_AGENT"]), header_values
        ),
        "HTTP_SEC_GPC": st.sampled_from(["1", "0", ""]),
        "HTTP_DNT": st.sampled_from(["1", "0", ""]),
        "CONTENT_LENGTH": st.sampled_from(["", "abc", "-1", "999999999"]),
    },
)
content_types = st.sampled_from(
    [
        "text/plain;charset=UTF-8",
        "application/json",
        "text/html",
        "multipart/form-data; boundary=x",
        "",
    ]
)


def post(client, body, content_type, extra):
    extra = {k: v for k, v in extra.items() if v is not None}
    return client.post("/t/e", body, content_type=content_type, **extra)


@examples
@given(body=st.binary(max_size=400), content_type=content_types, extra=headers)
def test_arbitrary_bytes_never_cause_a_server_error(
    client, article, body, content_type, extra
):
    before = stored()

    response = post(client, body, content_type, {**SAME_ORIGIN, **extra})

    assert response.status_code < 500
    assert response.status_code != 202 or b'"ok"' not in response.content
    assert stored() == before


@examples
@given(data=st.data(), content_type=content_types, extra=headers)
def test_arbitrary_json_batches_never_cause_a_server_error(
    client, article, data, content_type, extra
):
    body = json.dumps(data.draw(batch_like(article.pk)), allow_nan=True)
    before = stored()

    response = post(client, body, content_type, {**SAME_ORIGIN, **extra})

    assert response.status_code in {202, 400, 403, 409, 410, 413, 415, 422, 429}
    if response.status_code != 202 or response.json() != {"ok": True}:
        assert stored() == before


@st.composite
def reading_sessions(draw):
    """Plausible and implausible batches a page view might send over time."""
    steps = []
    elapsed = 0
    for _ in range(draw(st.integers(1, 8))):
        wait = draw(st.integers(0, 120))
        elapsed += wait * 1000
        claimed = draw(st.integers(0, elapsed + 20_000))
        duration = draw(st.integers(1, 300))
        events = [
            {"k": "engaged", "ms": min(claimed, elapsed + 20_000)},
            {"k": "depth", "pct": draw(st.integers(0, 100))},
            {
                "k": "section",
                "id": draw(st.sampled_from(["a", "b"])),
                "ms": draw(st.integers(0, claimed)),
            },
            {
                "k": "video",
                "id": "v",
                "dur": duration,
                "r": draw(
                    st.lists(
                        st.tuples(
                            st.integers(0, duration - 1), st.integers(1, duration)
                        ).filter(lambda pair: pair[0] < pair[1]),
                        max_size=5,
                    )
                ),
            },
        ]
        if draw(st.booleans()):
            events.append({"k": "end"})
        steps.append((wait, draw(st.integers(0, elapsed + 20_000)), events))
    return steps


@examples
@given(session=reading_sessions())
def test_roll_ups_stay_within_physical_bounds(
    client, article, clock, session, django_capture_on_commit_callbacks
):
    reader = Reader(client, article)
    with django_capture_on_commit_callbacks(execute=True):
        reader.send(reader.batch(0, {"k": "view"}))
    for wait, t_ms, events in session:
        clock.advance(wait)
        with django_capture_on_commit_callbacks(execute=True):
            response = reader.send(
                reader.batch(max(t_ms, max(e.get("ms", 0) for e in events)), *events)
            )
        assert response.status_code in {202, 422}

    page_view = PageView.objects.get(pk=reader.page_view)
    progress = PageViewProgress.objects.get(page_view=page_view)
    lifetime = (progress.last_seen - page_view.started_at).total_seconds()
    assert 0 <= progress.engaged_seconds <= lifetime
    assert 0 <= progress.max_depth <= 100
    assert all(s <= progress.engaged_seconds for s in progress.section_seconds.values())
    for video in progress.videos.values():
        watched = sum(end - start for start, end in video["ranges"])
        assert watched <= video["duration"]
    assert progress.video_seconds <= sum(
        v["duration"] for v in progress.videos.values()
    )
