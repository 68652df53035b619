"""Guides and articles are rendered once and served from Wagtail's fragment cache.

The cached fragments hold what is drawn from the page and what it shows of
other objects; publishing, previews and related changes must never serve stale
or someone else's markup.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from wagtail.coreutils import make_wagtail_template_fragment_key
from wagtail.models import PageViewRestriction, Site

from content.listing import content_version
from content.models import GuidePage
from tests.content.factories import (
    ArticlePageFactory,
    GuidePageFactory,
    ImageFactory,
    TopicFactory,
    section,
    text,
)

pytestmark = pytest.mark.django_db

FRAGMENTS = ("piece_meta", "piece_content")


def guide_with(index_page, words: str, **kwargs):
    return GuidePageFactory(
        parent=index_page, body=[section("One", text(f"<p>{words}</p>"))], **kwargs
    )


def change_body_behind_the_cache(page, words: str):
    """Store new text without signals or a new publish date, as no editor could."""
    body = [section("One", text(f"<p>{words}</p>"))]
    GuidePage.objects.filter(pk=page.pk).update(body=body)


def cached_fragments(page):
    site = Site.objects.get(is_default_site=True)
    page = GuidePage.objects.get(pk=page.pk)
    return {
        name: cache.get(
            make_wagtail_template_fragment_key(name, page, site, [content_version()])
        )
        for name in FRAGMENTS
    }


def test_a_second_render_is_served_from_the_fragment_cache(client, index_page):
    guide = guide_with(index_page, "First words.")
    client.get(guide.url)

    change_body_behind_the_cache(guide, "Words nobody published.")

    html = client.get(guide.url).content.decode()
    assert "First words." in html
    assert "Words nobody published." not in html


def test_publishing_a_new_revision_shows_the_new_text(client, index_page):
    guide = guide_with(index_page, "First draft.")
    client.get(guide.url)

    guide.body = [section("One", text("<p>Second draft.</p>"))]
    guide.save_revision().publish()

    html = client.get(guide.url).content.decode()
    assert "Second draft." in html
    assert "First draft." not in html


def test_a_preview_is_never_served_from_or_stored_in_the_cache(client, index_page):
    guide = guide_with(index_page, "Published words.")
    client.get(guide.url)

    guide.body = [section("One", text("<p>Draft words.</p>"))]
    preview = guide.make_preview_request().content.decode()

    assert "Draft words." in preview
    assert "Published words." not in preview
    live = client.get(guide.url).content.decode()
    assert "Published words." in live
    assert "Draft words." not in live


def test_a_renamed_topic_shows_on_cached_pages(
    client, index_page, django_capture_on_commit_callbacks
):
    topic = TopicFactory(name="Costs")
    guide = guide_with(index_page, "Words.", topics=[topic])
    client.get(guide.url)

    with django_capture_on_commit_callbacks(execute=True):
        topic.name = "Prices"
        topic.save()

    assert ">Prices</a>" in client.get(guide.url).content.decode()


def test_a_piece_made_private_leaves_cached_related_lists(
    client, index_page, django_capture_on_commit_callbacks
):
    topic = TopicFactory(name="Costs")
    guide = guide_with(index_page, "Words.", topics=[topic])
    private = ArticlePageFactory(
        parent=index_page, title="Members only", topics=[topic]
    )
    assert "Members only" in client.get(guide.url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=private, restriction_type="login")

    assert "Members only" not in client.get(guide.url).content.decode()


def test_the_content_version_changes_only_after_the_commit(
    index_page, django_capture_on_commit_callbacks
):
    before = content_version()

    with django_capture_on_commit_callbacks() as callbacks:
        GuidePageFactory(parent=index_page)
    during = content_version()
    for callback in callbacks:
        callback()

    assert during == before
    assert content_version() != before


def test_cached_fragments_hold_no_nonce_csrf_token_or_reader(client, index_page):
    guide = guide_with(index_page, "Words.", social_image=ImageFactory())
    reader = get_user_model().objects.create_user("reader-on-cache", password="pw")
    client.force_login(reader)

    response = client.get(guide.url)

    html = response.content.decode()
    # The page itself carries the reader's token and menu, outside the fragments.
    assert "csrfmiddlewaretoken" in html
    assert "Sign out" in html
    fragments = cached_fragments(guide)
    assert all(fragments.values()), "both fragments were cached"
    for fragment in fragments.values():
        assert "nonce" not in fragment
        assert "csrf" not in fragment.lower()
        assert response.cookies["csrftoken"].value not in fragment
        assert "reader-on-cache" not in fragment
        assert "Sign out" not in fragment
