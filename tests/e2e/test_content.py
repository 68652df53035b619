import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from content.models import GuidePage, VideoPage

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo(site):
    from wagtail.models import Collection

    # Transactional tests flush the root collection that migrations create.
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    call_command("load_demo_data", force=True)


def test_table_of_contents_link_jumps_to_its_section(page, live_server, demo):
    guide = GuidePage.objects.get()
    page.goto(live_server.url + guide.url)

    toc = page.get_by_role("navigation", name="Contents")
    toc.get_by_role("link", name="Installation day, step by step").click()

    expect(page).to_have_url(re.compile(r"#installation-day$"))
    section = page.locator("section#installation-day")
    expect(section).to_be_in_viewport()
    expect(section).to_have_attribute(
        "data-track-section", re.compile(r"^[0-9a-f-]{36}$")
    )


def test_the_guide_works_without_javascript(browser, live_server, demo):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    guide = GuidePage.objects.get()

    page.goto(live_server.url + guide.url)

    expect(page.get_by_role("heading", level=1)).to_have_text(guide.title)
    expect(page.locator("[data-track-body] section")).to_have_count(len(guide.sections))
    context.close()


def test_the_video_plays_with_captions(page, live_server, demo):
    video_page = VideoPage.objects.get()
    page.goto(live_server.url + video_page.url)

    video = page.locator('video[data-track-video="main"]')
    expect(video).to_have_attribute("data-duration", "12")
    video.evaluate("v => { v.muted = true; return v.play(); }")

    # Polled from the test: wait_for_function would evaluate a string in the
    # page, which its Content Security Policy rightly forbids.
    for _ in range(150):
        if video.evaluate("v => v.currentTime") > 1:
            break
        page.wait_for_timeout(100)
    played = video.evaluate("v => v.played.length ? v.played.end(0) : 0")
    assert played > 1
    tracks = video.evaluate("v => v.textTracks.length")
    assert tracks == 1


def test_filters_update_results_and_the_address_bar(page, live_server, demo):
    page.goto(live_server.url + "/articles/")

    page.get_by_label("Kind").select_option("comparison")

    expect(page).to_have_url(re.compile(r"kind=comparison"))
    expect(page.locator("#results .piece-card")).to_have_count(2)
