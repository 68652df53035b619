import re
from urllib.parse import parse_qs, urlsplit

import pytest
from wagtail.blocks import StreamBlockValidationError

from content.calculator_blocks import BandsBlock
from content.models import AssessmentPage, ContentKind
from tests.content.calculator_factories import AssessmentPageFactory, band
from tests.content.factories import GuidePageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide(index_page):
    return GuidePageFactory(parent=index_page, title="Choosing a pool installer")


@pytest.fixture
def assessment(index_page, guide):
    return AssessmentPageFactory(
        parent=index_page,
        title="Is a fibreglass pool right for you?",
        bands=[band(0, "Early days"), band(3, "A good fit", pieces=[guide])],
    )


def answer_keys(page):
    return [question.field_name for question in page.question_list()]


def submit(client, page, answers):
    first, second = answer_keys(page)
    query = {first: answers[0], second: answers[1]}
    return client.get(page.url + "answers/", query)


def test_an_assessment_is_a_piece_of_the_assessment_kind(assessment):
    assert assessment.content_kind == ContentKind.ASSESSMENT


def test_all_questions_show_on_one_page_with_a_progress_indicator(client, assessment):
    html = client.get(assessment.url).content.decode()

    assert "Is your garden level?" in html
    assert "Which matter to you?" in html
    assert 'type="checkbox"' in html
    assert "2 questions" in html
    assert '<progress class="assessment__bar" max="2" value="0"' in html
    assert f'action="{assessment.url}answers/"' in html


def test_submitted_answers_lead_to_a_revisitable_result_address(client, assessment):
    response = submit(client, assessment, ["0", ["0", "1"]])

    assert response.status_code == 302
    assert re.fullmatch(
        rf"{assessment.url}result/\?r=[\w.%-]+&new=1", response["Location"]
    )


def test_the_result_shows_band_score_answers_and_next_pieces(client, assessment, guide):
    location = submit(client, assessment, ["0", ["0", "1"]])["Location"]

    html = client.get(location).content.decode()

    assert "A good fit" in html
    assert "You scored 5 out of a possible 5." in html
    assert "Low upkeep; Fast install" in html
    assert f'href="{guide.url}">Choosing a pool installer</a>' in html
    assert "data-assessment-fresh" in html


def test_a_low_score_falls_in_the_lower_band(client, assessment):
    location = submit(client, assessment, ["2", ["2"]])["Location"]

    html = client.get(location).content.decode()

    assert "Early days" in html
    assert "You scored -1 out of a possible 5." in html


def test_a_revisited_result_is_not_a_new_submission(client, assessment):
    location = submit(client, assessment, ["1", []])["Location"]

    html = client.get(location.removesuffix("&new=1")).content.decode()

    assert "Early days" in html
    assert "data-assessment-fresh" not in html
    assert "data-assessment-report=" in html


def test_the_report_for_tracking_carries_answers_and_band(client, assessment):
    location = submit(client, assessment, ["0", ["1"]])["Location"]

    html = client.get(location).content.decode()

    report = re.search(r'data-assessment-report="([^"]*)"', html).group(1)
    assert "&quot;band&quot;:&quot;A good fit&quot;" in report
    assert "&quot;score&quot;:3.0" in report
    assert "Fast install" in report


def test_a_tampered_result_address_is_not_found(client, assessment):
    location = submit(client, assessment, ["0", []])["Location"]
    token = parse_qs(urlsplit(location).query)["r"][0]

    response = client.get(f"{assessment.url}result/", {"r": token[:-2] + "xx"})

    assert response.status_code == 404


def test_a_result_token_does_not_work_on_another_assessment(
    client, assessment, index_page
):
    other = AssessmentPageFactory(parent=index_page)
    location = submit(client, assessment, ["0", []])["Location"]
    token = parse_qs(urlsplit(location).query)["r"][0]

    response = client.get(f"{other.url}result/", {"r": token})

    assert response.status_code == 404


def test_a_missing_single_answer_is_asked_for_again(client, assessment):
    response = submit(client, assessment, ["", ["1"]])

    html = response.content.decode()
    assert response.status_code == 200
    assert "Please answer the questions marked below." in html
    assert "Choose an answer." in html
    assert 'value="1" checked' in html


def test_htmx_submissions_reload_the_result_page_in_full(client, assessment):
    first, second = answer_keys(assessment)

    response = client.get(
        assessment.url + "answers/",
        {first: "0", second: "1"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(f"{assessment.url}result/")


@pytest.fixture
def stepped(index_page):
    return AssessmentPageFactory(parent=index_page, layout=AssessmentPage.Layout.STEPS)


def test_one_question_per_step_shows_only_the_current_question(client, stepped):
    html = client.get(stepped.url).content.decode()

    assert "Is your garden level?" in html
    assert "Which matter to you?" not in html
    assert "Question 1 of 2" in html
    assert '<input type="hidden" name="step" value="2">' in html
    assert "Next question" in html


def test_the_next_step_carries_earlier_answers_and_offers_a_way_back(client, stepped):
    first, second = answer_keys(stepped)

    html = client.get(stepped.url, {first: "1", "step": "2"}).content.decode()

    assert "Which matter to you?" in html
    assert "Question 2 of 2" in html
    assert f'<input type="hidden" name="{first}" value="1">' in html
    assert f'action="{stepped.url}answers/"' in html
    assert "Previous question" in html
    assert "See my result" in html


def test_a_step_cannot_be_skipped_without_an_answer(client, stepped):
    html = client.get(stepped.url, {"step": "2"}).content.decode()

    assert "Question 1 of 2" in html
    assert "Choose an answer." in html


def test_bands_starting_at_the_same_score_are_rejected_on_that_field():
    block = BandsBlock()
    value = block.to_python([band(0, "Low"), band(0, "Also low")])

    with pytest.raises(StreamBlockValidationError) as caught:
        block.clean(value)

    assert list(caught.value.block_errors) == [1]
    assert list(caught.value.block_errors[1].block_errors) == ["min_score"]
