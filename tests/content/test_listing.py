import pytest
from wagtail.models import PageViewRestriction

from content.models import ContentKind
from tests.content.factories import (
    ArticlePageFactory,
    GuidePageFactory,
    TopicFactory,
    VideoPageFactory,
    section,
    text,
)

pytestmark = pytest.mark.django_db


def titles(response):
    return [piece.title for piece in response.context["pieces"].object_list]


def test_index_lists_its_pieces_newest_first(client, index_page):
    GuidePageFactory(parent=index_page, title="Older")
    ArticlePageFactory(parent=index_page, title="Newer")

    response = client.get(index_page.url)

    assert titles(response) == ["Newer", "Older"]


def test_index_filters_by_kind(client, index_page):
    GuidePageFactory(parent=index_page, title="A guide")
    ArticlePageFactory(parent=index_page, title="Prices", kind=ContentKind.COST)
    ArticlePageFactory(parent=index_page, title="Versus", kind=ContentKind.COMPARISON)

    response = client.get(index_page.url, {"kind": "comparison"})

    assert titles(response) == ["Versus"]


def test_index_filters_by_topic(client, index_page):
    costs = TopicFactory(name="Costs")
    GuidePageFactory(parent=index_page, title="Tagged", topics=[costs])
    VideoPageFactory(parent=index_page, title="Also tagged", topics=[costs])
    ArticlePageFactory(parent=index_page, title="Untagged")

    response = client.get(index_page.url, {"topic": "costs"})

    assert sorted(titles(response)) == ["Also tagged", "Tagged"]


def test_index_paginates_and_keeps_filters_in_page_links(client, index_page):
    for number in range(14):
        ArticlePageFactory(parent=index_page, title=f"Price {number}")

    response = client.get(index_page.url, {"kind": "cost", "page": 2})

    assert len(titles(response)) == 2
    assert 'href="?kind=cost&amp;page=1"' in response.content.decode()


def test_htmx_request_gets_only_the_results(client, index_page):
    ArticlePageFactory(parent=index_page, title="Prices")

    response = client.get(
        index_page.url, {"kind": "cost"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert "Prices" in html
    assert "HX-Request" in response["Vary"]


def test_filter_form_works_without_javascript_and_syncs_the_url(client, index_page):
    response = client.get(index_page.url)

    html = response.content.decode()
    assert f'method="get" action="{index_page.url}"' in html
    assert 'hx-push-url="true"' in html
    assert 'type="submit"' in html


def test_private_pages_are_not_listed(client, index_page):
    hidden = GuidePageFactory(parent=index_page, title="Members only")
    PageViewRestriction.objects.create(page=hidden, restriction_type="login")

    response = client.get(index_page.url)

    assert "Members only" not in titles(response)


def test_search_finds_words_in_the_body_and_highlights_them(client, index_page):
    GuidePageFactory(
        parent=index_page,
        title="Heat pumps explained",
        body=[section("Running", text("<p>An inverter compressor saves power.</p>"))],
    )
    GuidePageFactory(parent=index_page, title="Unrelated")

    response = client.get("/search/", {"q": "heat"})

    assert titles(response) == ["Heat pumps explained"]
    assert "<mark>Heat</mark> pumps explained" in response.content.decode()


def test_search_matches_text_inside_sections(client, index_page):
    GuidePageFactory(
        parent=index_page,
        title="Running a pool",
        body=[section("Power", text("<p>An inverter compressor saves power.</p>"))],
    )

    response = client.get("/search/", {"q": "inverter"})

    assert titles(response) == ["Running a pool"]


def test_search_shows_an_empty_state(client, index_page):
    GuidePageFactory(parent=index_page)

    response = client.get("/search/", {"q": "submarine"})

    assert titles(response) == []
    assert "Nothing matches “submarine”" in response.content.decode()


def test_search_combines_query_and_kind(client, index_page):
    GuidePageFactory(parent=index_page, title="Pool costs guide")
    ArticlePageFactory(parent=index_page, title="Pool costs article")

    response = client.get("/search/", {"q": "costs", "kind": "cost"})

    assert titles(response) == ["Pool costs article"]


def test_related_pieces_share_a_topic(client, index_page):
    costs, safety = TopicFactory(name="Costs"), TopicFactory(name="Safety")
    guide = GuidePageFactory(parent=index_page, topics=[costs])
    ArticlePageFactory(parent=index_page, title="Same topic", topics=[costs])
    ArticlePageFactory(parent=index_page, title="Other topic", topics=[safety])

    html = client.get(guide.url).content.decode()

    related = html[html.index('id="related-heading"') :]
    assert "Same topic" in related
    assert "Other topic" not in related


def test_a_new_related_piece_appears_on_a_cached_page(
    client, index_page, django_capture_on_commit_callbacks
):
    costs = TopicFactory(name="Costs")
    guide = GuidePageFactory(parent=index_page, topics=[costs])
    client.get(guide.url)

    with django_capture_on_commit_callbacks(execute=True):
        ArticlePageFactory(parent=index_page, title="Fresh article", topics=[costs])

    assert "Fresh article" in client.get(guide.url).content.decode()


def test_video_files_are_served_with_range_support(client, index_page):
    page = VideoPageFactory(parent=index_page)
    url = f"/media-documents/{page.video.pk}/{page.video.filename}"

    full = client.get(url)
    partial = client.get(url, headers={"Range": "bytes=0-99"})

    assert full.status_code == 200
    assert full["Content-Type"] == "video/webm"
    assert full["Accept-Ranges"] == "bytes"
    assert partial.status_code == 206
    assert partial["Content-Range"] == f"bytes 0-99/{page.video.file.size}"
    assert len(b"".join(partial.streaming_content)) == 100


def test_captions_are_served_as_webvtt(client, index_page):
    page = VideoPageFactory(parent=index_page)

    response = client.get(
        f"/media-documents/{page.captions.pk}/{page.captions.filename}"
    )

    assert response["Content-Type"] == "text/vtt"
    assert b"".join(response.streaming_content).startswith(b"WEBVTT")
