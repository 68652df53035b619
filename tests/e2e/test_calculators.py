"""Calculators and assessments in a real browser, through to tracking's progress."""

import re

import pytest
from playwright.sync_api import expect

from content.models import AssessmentPage, ContentIndexPage
from tests.content.calculator_factories import (
    AssessmentPageFactory,
    CalculatorPageFactory,
)
from tests.tracking.conftest import BROWSER_UA
from tracking.models import PageViewProgress, Status

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A desktop browser's user agent: headless ones are dropped as robots."""
    return {**browser_context_args, "user_agent": BROWSER_UA}


@pytest.fixture
def tools(site, transactional_db, settings):
    settings.TRACKING_RATE_PER_PAGE_VIEW = 10_000
    return site.root_page.add_child(
        instance=ContentIndexPage(title="Calculators", slug="calculators")
    )


@pytest.fixture
def calculator(tools):
    return CalculatorPageFactory(parent=tools, title="Pool cost estimator")


@pytest.fixture
def assessment(tools):
    return AssessmentPageFactory(
        parent=tools, title="Pool fit", layout=AssessmentPage.Layout.STEPS
    )


def is_completion(request) -> bool:
    if not (request.url.endswith("/t/e") and request.method == "POST"):
        return False
    return any(event["k"] == "complete" for event in request.post_data_json["e"])


def is_completion_stored(response) -> bool:
    """The beacon carrying a completion, answered: its roll-up has run."""
    return is_completion(response.request) and response.status == 202


def completion_sent(response) -> dict:
    events = response.request.post_data_json["e"]
    return next(event for event in events if event["k"] == "complete")


def results(page):
    return page.locator("#calc-results")


def test_results_update_as_the_visitor_types_and_reach_tracking(
    page, live_server, calculator
):
    page.goto(live_server.url + calculator.url)
    expect(results(page)).to_contain_text("£28,000 to £30,800")

    with page.expect_response(is_completion_stored) as beacon:
        page.get_by_label("Pool length").fill("10")
        expect(results(page)).to_contain_text("£35,000 to £38,500")

    sent = completion_sent(beacon.value)
    assert sent["id"] == "calculator"
    assert sent["data"]["length"] == 10
    assert sent["data"]["total"] == "£35,000 to £38,500"
    expect(page).to_have_url(re.compile(r"\?length=10&shape=1&heating=0$"))
    progress = PageViewProgress.objects.get(page_id=calculator.pk)
    assert progress.status == Status.FINISHED
    assert progress.completion["data"]["length"] == 10.0


def test_choices_and_bad_input_update_in_place(page, live_server, calculator):
    page.goto(live_server.url + calculator.url)

    page.get_by_label("Freeform").check()
    expect(results(page)).to_contain_text("£33,600 to £36,960")
    page.get_by_label("Pool length").fill("40")
    expect(page.locator("#calc-length-error")).to_have_text(
        "Enter a number from 3 to 15."
    )
    expect(results(page)).to_contain_text("Check the inputs marked above")
    page.get_by_label("Pool length").fill("8")
    expect(page.locator("#calc-length-error")).to_have_text("")
    expect(results(page)).to_contain_text("Cannot compute: Division by zero.")


def test_the_calculator_works_with_javascript_off(browser, live_server, calculator):
    context = browser.new_context(java_script_enabled=False, user_agent=BROWSER_UA)
    page = context.new_page()
    page.goto(live_server.url + calculator.url)

    page.get_by_label("Pool length").fill("10")
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Calculate").click()

    expect(page).to_have_url(re.compile(r"length=10"))
    expect(results(page)).to_contain_text("£40,000 to £43,500")
    context.close()


def test_an_assessment_steps_through_to_a_result_that_reaches_tracking(
    page, live_server, assessment
):
    page.goto(live_server.url + assessment.url)
    expect(page.get_by_text("Question 1 of 2")).to_be_visible()

    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Next question").click()
    expect(page.get_by_text("Question 2 of 2")).to_be_visible()
    page.get_by_label("Low upkeep").check()
    page.get_by_label("Fast install").check()
    with page.expect_response(is_completion_stored) as beacon:
        page.get_by_role("button", name="See my result").click()
        expect(page.get_by_role("heading", name="A good fit")).to_be_visible()

    expect(page.get_by_text("You scored 5 out of a possible 5.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/result/\?r=[^&]+$"))
    sent = completion_sent(beacon.value)
    assert sent["data"]["band"] == "A good fit"
    assert sent["data"]["score"] == 5
    progress = PageViewProgress.objects.get(page_id=assessment.pk, status="finished")
    assert progress.completion["data"]["band"] == "A good fit"


def test_revisiting_a_result_link_shows_it_again_without_a_new_submission(
    page, live_server, assessment
):
    page.goto(live_server.url + assessment.url)
    page.get_by_label("No").check()
    page.get_by_role("button", name="Next question").click()
    page.get_by_role("button", name="See my result").click()
    expect(page.get_by_role("heading", name="Early days")).to_be_visible()
    page.wait_for_url(re.compile(r"/result/\?r=[^&]+$"))
    link = page.url
    completions = []
    page.on("request", lambda r: completions.append(r) if is_completion(r) else None)

    page.goto(link)

    expect(page.get_by_role("heading", name="Early days")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert completions == []


def test_all_questions_on_one_page_count_answers_as_they_are_given(
    page, live_server, tools
):
    assessment = AssessmentPageFactory(parent=tools, title="Quick check")
    page.goto(live_server.url + assessment.url)
    expect(page.get_by_text("Answered 0 of 2")).to_be_visible()

    page.get_by_label("Mostly").check()

    expect(page.get_by_text("Answered 1 of 2")).to_be_visible()
    expect(page.locator("progress")).to_have_attribute("value", "1")
