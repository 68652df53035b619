import json
import re
from xml.etree import ElementTree

import pytest

from tests.content.factories import (
    GuidePageFactory,
    ImageFactory,
    VideoPageFactory,
    faq_block,
    section,
    text,
)

pytestmark = pytest.mark.django_db


def json_ld(html):
    return [
        json.loads(block)
        for block in re.findall(
            r'<script type="application/ld\+json">(.*?)</script>', html, re.S
        )
    ]


def test_guide_publishes_article_and_faq_structured_data(client, index_page):
    guide = GuidePageFactory(
        parent=index_page,
        title="Pool buyer's guide",
        body=[
            section(
                "Questions",
                text("<p>Some text.</p>"),
                faq_block(("How long does it take?", "About two weeks.")),
            )
        ],
    )
    guide.save_revision().publish()

    article, faq = json_ld(client.get(guide.url).content.decode())

    assert article["@type"] == "Article"
    assert article["headline"] == "Pool buyer's guide"
    assert article["url"] == "http://localhost/buying-a-pool/pool-buyers-guide/"
    assert article["wordCount"] == guide.word_count
    assert article["datePublished"]
    assert faq["@type"] == "FAQPage"
    question = faq["mainEntity"][0]
    assert question["name"] == "How long does it take?"
    assert "About two weeks." in question["acceptedAnswer"]["text"]


def test_structured_data_cannot_break_out_of_its_script(client, index_page):
    guide = GuidePageFactory(parent=index_page, title="</script><b>bold</b>")

    html = client.get(guide.url).content.decode()

    assert "</script><b>" not in html
    assert json_ld(html)[0]["headline"] == "</script><b>bold</b>"


def test_video_page_publishes_video_structured_data(client, index_page):
    page = VideoPageFactory(parent=index_page, duration_seconds=75)

    (video,) = json_ld(client.get(page.url).content.decode())

    assert video["@type"] == "VideoObject"
    assert video["duration"] == "PT1M15S"
    assert video["contentUrl"].endswith(page.video.filename)


def test_pages_have_canonical_url_description_and_open_graph(client, index_page):
    guide = GuidePageFactory(parent=index_page, summary="What pools cost.")

    html = client.get(guide.url).content.decode()

    assert f'<link rel="canonical" href="http://localhost{guide.url}">' in html
    assert '<meta name="description" content="What pools cost.">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta property="og:url" content="http://localhost{guide.url}">' in html


def test_share_images_use_the_sites_address_not_the_requests_host(client, index_page):
    guide = GuidePageFactory(parent=index_page, social_image=ImageFactory())

    html = client.get(guide.url, HTTP_HOST="testserver").content.decode()

    assert '<meta property="og:image" content="http://localhost/' in html
    assert '"image": "http://localhost/' in html
    assert "testserver" not in html


def test_seo_description_overrides_the_summary(client, index_page):
    guide = GuidePageFactory(
        parent=index_page, summary="Summary.", search_description="For search."
    )

    html = client.get(guide.url).content.decode()

    assert '<meta name="description" content="For search.">' in html


def test_sitemap_lists_live_pages_only(client, index_page):
    live = GuidePageFactory(parent=index_page)
    draft = GuidePageFactory(parent=index_page, live=False)

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = {
        loc.text
        for loc in ElementTree.fromstring(response.content).findall(  # noqa: S314
            ".//s:loc", namespace
        )
    }
    assert f"http://localhost{live.url}" in locations
    assert f"http://localhost{index_page.url}" in locations
    assert not any(draft.slug in location for location in locations)


def test_robots_txt_points_at_the_sitemap_and_keeps_out_of_private_areas(client):
    response = client.get("/robots.txt")

    body = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /admin/" in body
    assert "Disallow: /sales/" in body
