import pytest
from django.core.cache import cache

from tests.content.factories import ContentIndexPageFactory


@pytest.fixture(autouse=True)
def fresh_cache():
    """Cached page bodies must not leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def index_page(home_page):
    return ContentIndexPageFactory(parent=home_page, title="Buying a pool")
