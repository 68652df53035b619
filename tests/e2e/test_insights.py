"""A manager opens the trust dashboard and the content report and changes the
period; the charts and tables follow."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from insights.models import MetricSnapshot, Outcome
from insights.periods import monday_of
from tests.content.factories import ArticlePageFactory, ContentIndexPageFactory
from tests.insights.factories import at, closed, read
from tests.sales.factories import ProspectFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def boss(transactional_db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser(
        "morgan", "morgan@example.org", "a-long-test-password", first_name="Morgan"
    )


@pytest.fixture
def history(site, boss):
    """Reading and deals this week and twenty weeks ago, with weekly snapshots."""
    shelf = ContentIndexPageFactory(parent=site.root_page, title="Guides")
    guide = ArticlePageFactory(parent=shelf, title="What a pool really costs")
    today = timezone.localdate()
    long_ago = today - timedelta(weeks=20)
    for day, count in ((today, 2), (long_ago, 5)):
        for _ in range(count):
            read(guide, at(day, 1), engaged=240, depth=100, end=True)
        closed(ProspectFactory(owner=boss), Outcome.WON, day)
    for week, value in ((monday_of(today), 0.5), (monday_of(long_ago), 0.8)):
        MetricSnapshot.objects.create(
            week_start=week, metric="close_rate", value=value, numerator=1, n=2
        )
    return guide


def sign_in(page, base):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill("morgan")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()


def test_changing_the_period_updates_dashboard_charts_and_tables(
    page, live_server, history
):
    sign_in(page, live_server.url)
    page.goto(live_server.url + "/sales/metrics/?weeks=4")
    trend = page.locator("#figures [data-metric=close_rate] .trend").first
    rows = trend.locator("tbody tr")
    expect(page.get_by_role("heading", name="Trust metrics")).to_be_visible()
    expect(rows).to_have_count(4)
    expect(trend.locator("circle.trend__dot")).to_have_count(1)
    reads = page.locator("#figures .stat-grid:not(.stat-grid--headline)").locator(
        "[data-metric=long_read_share] .stat-card__n"
    )
    expect(reads).to_contain_text("n = 2")

    page.get_by_label("Period").select_option("26")

    expect(page).to_have_url(re.compile(r"weeks=26"))
    expect(rows).to_have_count(26)
    expect(trend.locator("circle.trend__dot")).to_have_count(2)
    expect(trend.locator("path.trend__line")).to_have_count(0)
    expect(reads).to_contain_text("n = 7")
    expect(
        page.get_by_role("img", name=re.compile("Close rate by week"))
    ).not_to_have_count(0)


def test_changing_the_period_updates_the_content_report(page, live_server, history):
    sign_in(page, live_server.url)
    page.goto(live_server.url + "/admin/content-performance/?weeks=4")
    row = page.locator("#content-performance tbody tr", has_text=history.title)
    expect(row.locator("td").nth(2)).to_have_text("2")

    page.get_by_label("Period", exact=True).select_option("26")
    page.get_by_role("button", name="Apply").click()

    expect(page).to_have_url(re.compile(r"weeks=26"))
    expect(row.locator("td").nth(2)).to_have_text("7")
    expect(page.locator("#cp-period")).to_contain_text(
        f"{monday_of(timezone.localdate()) - timedelta(weeks=25):%-d %b %Y}"
    )
