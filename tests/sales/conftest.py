from datetime import timedelta
from functools import partial

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from sales.models import Consent, Viewer
from sales.services import Pick, create_assignment
from tests.content.factories import (
    ArticlePageFactory,
    ContentIndexPageFactory,
    GuidePageFactory,
)
from tests.sales.factories import (
    CallFactory,
    ProspectFactory,
    VisitorFactory,
    salesperson,
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rendered lists and version stamps of one test never reach the next one."""
    cache.clear()
    yield
    cache.clear()


class Clock:
    """A stopped clock standing in for ``timezone.now``, moved by the test."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """Time stands still, five seconds into a minute, until the test moves it."""
    fake = Clock(timezone.now().replace(second=5, microsecond=0))
    monkeypatch.setattr(timezone, "now", fake)
    return fake


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the after-commit callbacks of the writes inside, as a commit would."""
    return partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def seller(db):
    return salesperson(first_name="Sam")


@pytest.fixture
def other_seller(db):
    return salesperson(first_name="Riley")


@pytest.fixture
def library(home_page):
    return ContentIndexPageFactory(parent=home_page, title="Guides")


@pytest.fixture
def guide(library):
    return GuidePageFactory(parent=library, title="The fibreglass pool buyer's guide")


@pytest.fixture
def article(library):
    return ArticlePageFactory(parent=library, title="What a pool really costs")


@pytest.fixture
def prospect(seller):
    return ProspectFactory(
        owner=seller, name="Dana Whitfield", company="Whitfield Homes"
    )


@pytest.fixture
def call(prospect):
    return CallFactory(prospect=prospect)


@pytest.fixture
def assignment_and_token(prospect, seller, guide, article, call):
    return create_assignment(
        prospect=prospect,
        created_by=seller,
        picks=[Pick(guide, required=True), Pick(article, required=False)],
        note="Start with the guide; the cost article is a bonus.",
        call=call,
    )


@pytest.fixture
def assignment(assignment_and_token):
    return assignment_and_token[0]


@pytest.fixture
def token(assignment_and_token):
    return assignment_and_token[1]


@pytest.fixture
def sharing_viewer(assignment):
    """The prospect opened the link and agreed to share their progress."""
    return Viewer.objects.create(
        assignment=assignment,
        role=Viewer.Role.PROSPECT,
        consent=Consent.YES,
        visitor=VisitorFactory(),
    )


@pytest.fixture
def other_browser():
    """A second, independent browser (its own cookies)."""
    return Client()
