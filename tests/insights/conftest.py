from datetime import date

import pytest
from django.core.cache import cache

from content.models import ContentKind
from insights import dashboard
from insights.periods import Period
from tests.content.calculator_factories import CalculatorPageFactory
from tests.content.factories import (
    ArticlePageFactory,
    ContentIndexPageFactory,
    GuidePageFactory,
    VideoPageFactory,
)
from tests.sales.factories import manager, salesperson

# A week with nothing special about it: Monday 2 to Sunday 8 March 2026.
MONDAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with no cached figures, stamps or renderings."""
    cache.clear()
    dashboard.recent_markup.clear()
    yield
    cache.clear()
    dashboard.recent_markup.clear()


@pytest.fixture
def week():
    return Period.week_of(MONDAY)


@pytest.fixture
def seller(db):
    return salesperson(first_name="Sam", username="sam")


@pytest.fixture
def other_seller(db):
    return salesperson(first_name="Riley", username="riley")


@pytest.fixture
def boss(db):
    return manager(first_name="Morgan", username="morgan")


@pytest.fixture
def shelf(home_page):
    return ContentIndexPageFactory(parent=home_page, title="Guides")


@pytest.fixture
def guide(shelf):
    return GuidePageFactory(parent=shelf, title="The fibreglass pool buyer's guide")


@pytest.fixture
def cost(shelf):
    return ArticlePageFactory(parent=shelf, title="What a pool costs")


@pytest.fixture
def comparison(shelf):
    return ArticlePageFactory(
        parent=shelf, title="Fibreglass vs concrete", kind=ContentKind.COMPARISON
    )


@pytest.fixture
def problem(shelf):
    return ArticlePageFactory(
        parent=shelf, title="Where fibreglass falls short", kind=ContentKind.PROBLEM
    )


@pytest.fixture
def video(shelf):
    return VideoPageFactory(parent=shelf, title="Installation day")


@pytest.fixture
def calculator(shelf):
    return CalculatorPageFactory(parent=shelf, title="Pool cost calculator")
