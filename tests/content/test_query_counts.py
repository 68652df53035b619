"""Query counts of the learning centre's pages stay fixed as the library grows."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.models import ContentKind
from tests.content.factories import (
    ArticlePageFactory,
    CaptionsDocumentFactory,
    GuidePageFactory,
    ImageFactory,
    TopicFactory,
    VideoDocumentFactory,
    VideoPageFactory,
    image_block,
    section,
    text,
    video_block,
)

pytestmark = pytest.mark.django_db

HOME_QUERIES = 17
INDEX_QUERIES = 16
GUIDE_QUERIES = 20
FILTERED_INDEX_QUERIES = 15
# With the route remembered (content.routing): the page itself (1), and
# Wagtail's view restrictions of the page and its ancestors (2).
CACHED_GUIDE_QUERIES = 3


@pytest.fixture
def topic():
    return TopicFactory(name="Costs")


def add_pieces(index_page, topic, count):
    for _ in range(count):
        GuidePageFactory(parent=index_page, topics=[topic])
        ArticlePageFactory(parent=index_page, kind=ContentKind.COST, topics=[topic])
        VideoPageFactory(parent=index_page, topics=[topic])


def rich_guide(index_page, topic, sections, **kwargs):
    video, captions = VideoDocumentFactory(), CaptionsDocumentFactory()
    return GuidePageFactory(
        parent=index_page,
        topics=[topic],
        **kwargs,
        body=[
            section(
                f"Section {number}",
                text("<p>Words to read.</p>"),
                image_block(ImageFactory()),
                video_block(video, captions, seconds=12, poster=ImageFactory()),
            )
            for number in range(sections)
        ],
    )


def count_queries(client, url):
    cache.clear()
    client.get(url)  # warm per-process caches (content types, site root paths)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_home_page_queries_do_not_grow(client, index_page, topic):
    # Two of each, so the latest pieces include every page type from the start.
    add_pieces(index_page, topic, 2)
    few = count_queries(client, "/")

    add_pieces(index_page, topic, 4)

    assert count_queries(client, "/") == few == HOME_QUERIES


def test_index_page_queries_do_not_grow(client, index_page, topic):
    add_pieces(index_page, topic, 1)
    few = count_queries(client, index_page.url)

    add_pieces(index_page, topic, 5)

    assert count_queries(client, index_page.url) == few == INDEX_QUERIES


def test_filtered_index_page_queries_are_pinned(
    client, index_page, topic, django_assert_num_queries
):
    add_pieces(index_page, topic, 3)
    count_queries(client, index_page.url)
    cache.clear()

    with django_assert_num_queries(FILTERED_INDEX_QUERIES):
        client.get(index_page.url, {"kind": "cost", "topic": "costs"})


def test_guide_queries_do_not_grow_with_sections_or_related_pages(
    client, index_page, topic
):
    small = rich_guide(index_page, topic, sections=2)
    add_pieces(index_page, topic, 1)
    few = count_queries(client, small.url)

    large = rich_guide(index_page, topic, sections=12)
    add_pieces(index_page, topic, 4)

    assert count_queries(client, large.url) == few == GUIDE_QUERIES


def test_a_cached_guide_needs_only_its_page_and_view_restrictions(
    client, index_page, topic, django_assert_num_queries
):
    guide = rich_guide(index_page, topic, sections=12, social_image=ImageFactory())
    add_pieces(index_page, topic, 2)
    client.get(guide.url)

    with django_assert_num_queries(CACHED_GUIDE_QUERIES) as captured:
        client.get(guide.url)

    shown_from_cache = ("content_topic", "wagtailimages_", "wagtaildocs_")
    assert not [
        query["sql"]
        for query in captured.captured_queries
        if any(table in query["sql"] for table in shown_from_cache)
    ]
