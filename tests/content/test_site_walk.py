import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import Page, Workflow

from content.models import ContentPage, GuidePage, HomePage, VideoPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo_data", force=True)


def test_every_live_page_is_readable_anonymously_with_no_form_in_front(client, demo):
    pages = Page.objects.live().filter(depth__gt=1).specific()
    assert len(pages) >= 14

    for page in pages:
        response = client.get(page.url)

        assert response.status_code == 200, page.url
        assert "/login" not in response.get("Location", ""), page.url
        html = response.content.decode()
        if isinstance(page, ContentPage):
            assert html.count("data-track-body") == 1, page.url
            before_body = html[: html.index("data-track-body")]
            assert "<form" not in before_body, page.url
        assert 'method="post"' not in html, page.url
        assert 'type="email"' not in html and 'type="password"' not in html


def test_the_demo_guide_is_long_and_in_sections(demo):
    guide = GuidePage.objects.get()

    assert guide.word_count >= 5000
    assert len(guide.sections) >= 10
    assert guide.expected_reading_seconds > guide.word_count * 60 / 238


def test_every_section_is_marked_for_the_tracker(client, demo):
    guide = GuidePage.objects.get()

    html = client.get(guide.url).content.decode()

    for child, section in zip(guide.body, guide.sections, strict=True):
        assert f'<section id="{section.anchor}" data-track-section="{child.id}"' in html
    body = html[html.index("data-track-body") :]
    last_section = body.rindex("</section>")
    end = body.index('<div data-track-end aria-hidden="true"></div>')
    assert end > last_section


def test_videos_carry_their_block_id_and_duration(client, demo):
    guide = GuidePage.objects.get()
    video_ids = [
        block.id
        for section in guide.body
        for block in section.value["body"]
        if block.block_type == "video"
    ]
    video_page = VideoPage.objects.get()

    guide_html = client.get(guide.url).content.decode()
    page_html = client.get(video_page.url).content.decode()

    assert video_ids
    for block_id in video_ids:
        assert f'data-track-video="{block_id}" data-duration="12"' in guide_html
    assert 'data-track-video="main" data-duration="12"' in page_html
    assert re.search(r'<track kind="captions" src="[^"]+\.vtt"', page_html)


def test_home_page_features_the_guide_and_links_to_kinds_and_topics(client, demo):
    home = HomePage.objects.get()

    html = client.get(home.url).content.decode()

    assert home.featured_guide.title.replace("'", "&#x27;") in html
    assert 'href="/search/?kind=cost"' in html
    assert 'href="/search/?topic=installation"' in html


def test_editors_submit_and_approvers_publish(demo):
    home = HomePage.objects.get()
    workflow = home.get_workflow()

    assert isinstance(workflow, Workflow)
    (task,) = [task.specific for task in workflow.tasks]
    assert list(task.groups.values_list("name", flat=True)) == ["Moderators"]
    editors = Group.objects.get(name="Editors")
    codenames = set(
        editors.page_permissions.values_list("permission__codename", flat=True)
    )
    assert "publish_page" not in codenames
    assert {"add_page", "change_page"} <= codenames
