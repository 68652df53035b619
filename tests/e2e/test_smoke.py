import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_home_page_loads_with_skip_link(page, live_server, site):
    page.goto(live_server.url + "/")

    expect(page).to_have_title(re.compile("learning centre"))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()


def test_editor_signs_in_to_the_wagtail_admin(page, live_server, site, editor):
    page.goto(live_server.url + "/admin/login/")

    page.get_by_label("Username").fill("elena")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()

    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Blue Lagoon Pools")
    expect(page.get_by_role("button", name="Elena")).to_be_visible()
