"""The whole assignment: a salesperson assigns, a prospect reads, the view says Ready.

Two browser contexts share one live server: the salesperson's and the
prospect's. Playwright's clock makes the reading minutes pass in the prospect's
page while the ingest clock is moved by the same amount.
"""

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from sales.models import Notification, Viewer
from sales.roles import SALESPERSON
from tests.content.calculator_factories import CalculatorPageFactory
from tests.content.factories import ArticlePageFactory
from tests.sales.factories import UserFactory
from tests.tracking.conftest import BROWSER_UA, FakeClock, make_guide
from tracking import views

pytestmark = pytest.mark.e2e

HEARTBEAT_SECONDS = 12


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A desktop browser's user agent: headless ones are dropped as robots."""
    return {**browser_context_args, "user_agent": BROWSER_UA}


@pytest.fixture
def library(site, transactional_db, settings):
    settings.TRACKING_RATE_PER_PAGE_VIEW = 10_000
    guide = make_guide(site.root_page, expected_seconds=120, sections=4, words=150)
    index = guide.get_parent()
    article = ArticlePageFactory(parent=index, title="What a pool really costs")
    calculator = CalculatorPageFactory(parent=index, title="Pool cost estimator")
    return guide, article, calculator


@pytest.fixture
def seller(transactional_db):
    group, _ = Group.objects.get_or_create(name=SALESPERSON)
    return UserFactory(
        username="sam", first_name="Sam", email="sam@example.com", groups=[group.name]
    )


@pytest.fixture
def server_clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(views, "clock", fake)
    return fake


def is_beacon(response) -> bool:
    return response.url.endswith("/t/e") and response.request.method == "POST"


def sign_in(page, base):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Sign in").click()


def add_piece(page, title):
    page.get_by_label("Search for").fill(title)
    results = page.locator("#search-results")
    expect(results).to_contain_text(title)
    page.get_by_role("button", name=f"Add {title}").click()


def assign(page, base):
    """Create the prospect, book the call and assign three pieces; return the link."""
    page.goto(base + "/sales/prospects/new/")
    page.get_by_label("Name").fill("Dana Whitfield")
    page.get_by_label("Email").fill("dana@example.org")
    page.get_by_label("Company").fill("Whitfield Homes")
    page.get_by_role("button", name="Save prospect").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dana Whitfield")

    page.get_by_role("link", name="Book a call").click()
    when = timezone.localtime(timezone.now() + timedelta(days=2))
    page.get_by_label("Time").fill(when.strftime("%Y-%m-%dT10:00"))
    page.get_by_role("button", name="Book call").click()

    page.get_by_role("link", name="Assign reading").click()
    add_piece(page, "The pool buyer's guide")
    add_piece(page, "Pool cost estimator")
    add_piece(page, "What a pool really costs")
    page.locator("#chosen li").filter(has_text="What a pool really costs").get_by_label(
        "Required"
    ).uncheck()
    page.get_by_label("Personal note").fill("Start with the guide, then price it.")
    page.get_by_label("Before the call on").select_option(index=1)
    page.get_by_role("button", name="Create reading list").click()

    link = page.get_by_test_id("personal-link")
    expect(link).to_be_visible()
    return link.input_value()


def read_guide(page, base, guide, clock):
    """Read for nine heartbeats, scrolling down, then jump to the end.

    Each step waits for the answer to the newest batch: an older batch the page
    had not yet heard back about may be re-sent beside it.
    """
    newest = [-1]

    def answers_newest(response) -> bool:
        if not is_beacon(response):
            return False
        number = response.request.post_data_json["s"]
        if number <= newest[0]:
            return False
        newest[0] = number
        return True

    page.clock.install(time=datetime.fromtimestamp(clock.now.timestamp()))
    with page.expect_response(answers_newest):
        page.goto(base + guide.url)
    page.mouse.move(400, 300)
    for step in range(9):
        if step < 8:
            page.evaluate("window.scrollBy(0, 250)")
        else:
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        clock.advance(HEARTBEAT_SECONDS)
        with page.expect_response(answers_newest) as response:
            page.clock.run_for(HEARTBEAT_SECONDS * 1000)
        assert response.value.status == 202


def use_calculator(page, base, calculator):
    page.goto(base + calculator.url)

    def completion_stored(response):
        return is_beacon(response) and any(
            event["k"] == "complete" for event in response.request.post_data_json["e"]
        )

    with page.expect_response(completion_stored) as beacon:
        page.get_by_label("Pool length").fill("10")
        expect(page.locator("#calc-results")).to_contain_text("£35,000")
    assert beacon.value.status == 202


def test_assigned_prospect_reads_and_the_salesperson_sees_ready(
    page, browser, live_server, library, seller, server_clock
):
    guide, article, calculator = library
    base = live_server.url
    sign_in(page, base)
    link = assign(page, base)
    assert re.fullmatch(rf"{re.escape(base)}/a/[A-Za-z0-9_-]{{32}}/", link)

    prospect = browser.new_context(user_agent=BROWSER_UA)
    reader = prospect.new_page()
    beacons = []
    reader.on("request", lambda request: "/t/" in request.url and beacons.append(1))
    reader.goto(link)
    expect(reader.get_by_text("Start with the guide, then price it.")).to_be_visible()
    assert beacons == [], "nothing is measured on the reading list before consent"
    reader.get_by_role("button", name="Yes, share my progress").click()
    expect(reader).to_have_url(re.compile(r"/a/#consent$"))
    expect(reader.get_by_text("You are sharing your progress.")).to_be_visible()
    # The click both opens the link and answers: still one browser, the prospect.
    assert list(Viewer.objects.values_list("role", "consent")) == [("prospect", "yes")]

    read_guide(reader, base, guide, server_clock)
    use_calculator(reader, base, calculator)
    prospect.close()

    page.goto(base + "/sales/")
    row = page.get_by_role("row").filter(has_text="Dana Whitfield")
    expect(row).to_contain_text("Ready")
    expect(row).to_contain_text("2 of 2")
    expect(row).to_contain_text(
        re.compile(r"Finished 2 of 2; used Pool cost estimator")
    )

    done = [m for m in mail.outbox if "finished the required reading" in m.subject]
    assert len(done) == 1
    assert done[0].to == ["sam@example.com"]
    assert Notification.objects.filter(kind="assignment_complete").count() == 1
    assert_no_address_or_user_agent_stored()


def assert_no_address_or_user_agent_stored():
    """After a whole browser run, no table holds a client address or the raw
    user agent: only the browser family is kept."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                text = repr(row)
                assert "127.0.0.1" not in text, table
                assert BROWSER_UA not in text, table
                assert "AppleWebKit" not in text, table
