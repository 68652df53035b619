import itertools
import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from tracking import views

BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/140.0.0.0 Safari/537.36"
)
SAME_ORIGIN = {
    "HTTP_ORIGIN": "http://testserver",
    "HTTP_SEC_FETCH_SITE": "same-origin",
    "HTTP_USER_AGENT": BROWSER_UA,
}


class FakeClock:
    """The ingest clock, moved by hand."""

    def __init__(self):
        self.now = timezone.now().replace(microsecond=0)

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(views, "clock", fake)
    return fake


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def article(home_page):
    from wagtail.models import Page

    return home_page.add_child(instance=Page(title="Pool costs", slug="pool-costs"))


def new_page_view_id() -> str:
    return uuid.uuid4().hex


class Reader:
    """Sends batches for one page view the way the tracker does."""

    def __init__(self, client, page, *, page_view=None, **headers):
        self.client = client
        self.page = page
        self.page_view = page_view or new_page_view_id()
        self.headers = {**SAME_ORIGIN, **headers}
        self.seq = itertools.count()

    def batch(self, t_ms: int, *events, seq=None) -> dict:
        return {
            "v": self.page_view,
            "p": self.page.pk,
            "s": next(self.seq) if seq is None else seq,
            "t": t_ms,
            "e": list(events),
        }

    def send(self, body, *, content_type="text/plain;charset=UTF-8", **headers):
        if not isinstance(body, bytes | str):
            body = json.dumps(body)
        return self.client.post(
            "/t/e", body, content_type=content_type, **{**self.headers, **headers}
        )


@pytest.fixture
def reader(client, article, clock):
    return Reader(client, article)


def make_guide(
    parent, *, slug="pool-buyers-guide", expected_seconds=600, sections=3, words=400
):
    """A published guide whose expected reading time is ``expected_seconds``."""
    from content.models import ContentIndexPage, GuidePage

    index = parent.add_child(
        instance=ContentIndexPage(title="Guides", slug=f"{slug}-guides")
    )
    text = " ".join(["water"] * words)
    body = [
        {
            "type": "section",
            "value": {
                "heading": f"Part {n}",
                "anchor": f"part-{n}",
                "body": [{"type": "text", "value": f"<p>{text}</p>"}],
            },
        }
        for n in range(1, sections + 1)
    ]
    guide = index.add_child(
        instance=GuidePage(
            title="The pool buyer's guide",
            slug=slug,
            summary="What a pool costs and takes.",
            body=body,
        )
    )
    GuidePage.objects.filter(pk=guide.pk).update(
        expected_reading_seconds=expected_seconds
    )
    guide.expected_reading_seconds = expected_seconds
    return guide


@pytest.fixture
def guide(home_page):
    return make_guide(home_page)
