import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.http import QueryDict
from wagtail.blocks import StreamBlockValidationError
from wagtail.models import Revision
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from content.calculator_blocks import CalculatorBlock
from content.models import CalculatorPage, ContentKind
from content.models.calculators import Calculator
from portal.demo.calculators import (
    COVER_PAYBACK,
    POOL_COST,
    UNQUALIFIED_LEADS,
    load_calculators,
)
from tests.content.calculator_factories import (
    CalculatorPageFactory,
    number,
    pool_calculator,
    result,
    table,
    value,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def calculator(index_page):
    return CalculatorPageFactory(parent=index_page, title="Pool cost estimator")


def clean(stream):
    block = CalculatorBlock()
    return block.clean(block.to_python(stream))


def field_errors(error: StreamBlockValidationError) -> dict[int, dict[str, str]]:
    """{block index: {field: message}} from a stream's validation error."""
    return {
        index: {
            name: " ".join(child.messages)
            for name, child in struct_error.block_errors.items()
        }
        for index, struct_error in error.block_errors.items()
    }


# Editor validation -------------------------------------------------------------


def test_a_valid_calculator_passes_the_checks():
    cleaned = clean(pool_calculator())

    assert len(cleaned) == len(pool_calculator())


def test_a_formula_with_a_syntax_error_is_rejected_on_its_field():
    stream = [number("a", "A", 1), result("out", "Out", "a +* 2")]

    with pytest.raises(StreamBlockValidationError) as caught:
        clean(stream)

    assert list(field_errors(caught.value)) == [1]
    assert "not valid" in field_errors(caught.value)[1]["formula"]


def test_an_unknown_name_is_rejected_on_the_formula_that_uses_it():
    stream = [
        number("a", "A", 1),
        value("fine", "a * 2"),
        result("out", "Out", "fine + b"),
    ]

    with pytest.raises(StreamBlockValidationError) as caught:
        clean(stream)

    assert field_errors(caught.value) == {2: {"formula": "Unknown name: b."}}


def test_a_bad_upper_formula_is_rejected_on_the_upper_field():
    stream = [number("a", "A", 1), result("out", "Out", "a", upper="a.real")]

    with pytest.raises(StreamBlockValidationError) as caught:
        clean(stream)

    assert list(field_errors(caught.value)[1]) == ["upper_formula"]


def test_a_loop_between_values_is_rejected_on_every_value_in_it():
    stream = [
        number("a", "A", 1),
        value("x", "y + a"),
        value("y", "x * 2"),
        result("out", "Out", "x"),
    ]

    with pytest.raises(StreamBlockValidationError) as caught:
        clean(stream)

    errors = field_errors(caught.value)
    assert set(errors) == {1, 2}
    assert "loop" in errors[1]["formula"]


def test_an_unknown_table_is_rejected():
    stream = [number("a", "A", 1), result("out", "Out", "tier(prices, a)")]

    with pytest.raises(StreamBlockValidationError) as caught:
        clean(stream)

    assert field_errors(caught.value) == {1: {"formula": "Unknown table: prices."}}


@pytest.mark.parametrize(
    ("name", "message"),
    [("Pool Length", "lowercase"), ("max", "reserved"), ("a", "already used")],
)
def test_bad_or_repeated_names_are_rejected_on_the_name_field(name, message):
    stream = [number("a", "A", 1), value(name, "a"), result("out", "Out", "a")]

    with pytest.raises(StreamBlockValidationError) as caught:
        clean(stream)

    assert message in field_errors(caught.value)[1]["name"]


def test_a_default_outside_the_range_is_rejected_on_the_default_field():
    stream = [number("a", "A", 20, 0, 10), result("out", "Out", "a")]

    with pytest.raises(StreamBlockValidationError) as caught:
        clean(stream)

    assert field_errors(caught.value) == {
        0: {"default": "The default is above the maximum."}
    }


def test_a_duration_without_a_known_unit_is_rejected_on_the_unit_field():
    stream = [number("a", "A", 1), result("out", "Out", "a", "duration", unit="m")]

    with pytest.raises(StreamBlockValidationError) as caught:
        clean(stream)

    assert list(field_errors(caught.value)[1]) == ["unit"]


def non_block_messages(error):
    return [message for e in error.non_block_errors.as_data() for message in e]


def test_a_calculator_needs_a_result():
    with pytest.raises(StreamBlockValidationError) as caught:
        clean([number("a", "A", 1)])

    assert non_block_messages(caught.value) == [
        "Result: The minimum number of items is 1"
    ]


def test_a_calculator_needs_an_input():
    with pytest.raises(StreamBlockValidationError) as caught:
        clean([table("rates", [(1, 2)]), result("out", "Out", "rates[1]")])

    assert non_block_messages(caught.value) == ["Add at least one input."]


@pytest.fixture
def editor_client(client):
    user = get_user_model().objects.create_superuser("ed", password="pw-for-tests")
    client.force_login(user)
    return client


def admin_form(title, calculator_blocks):
    return nested_form_data(
        {
            "title": title,
            "slug": "bad-calculator",
            "summary": "A calculator.",
            "intro": rich_text(""),
            "notes": rich_text(""),
            "currency": "GBP",
            "calculator": streamfield(calculator_blocks),
        }
    )


def test_the_page_editor_shows_a_bad_formula_as_an_error_on_that_field(
    editor_client, index_page
):
    blocks = [
        (
            "number",
            {
                "name": "a",
                "label": "A",
                "unit": "",
                "default": "1",
                "minimum": "",
                "maximum": "",
                "step": "",
                "help": "",
            },
        ),
        (
            "result",
            {
                "name": "out",
                "label": "Out",
                "formula": "a * missing",
                "upper_formula": "",
                "format": "number",
                "decimals": "",
                "unit": "",
                "explanation": rich_text(""),
            },
        ),
    ]
    url = f"/admin/pages/add/content/calculatorpage/{index_page.pk}/"

    response = editor_client.post(url, admin_form("Broken", blocks))

    assert response.status_code == 200
    assert not CalculatorPage.objects.filter(title="Broken").exists()
    error = response.context["form"].errors["calculator"].as_data()[0]
    assert field_errors(error) == {1: {"formula": "Unknown name: missing."}}
    assert "Unknown name: missing." in response.content.decode()


# The page ---------------------------------------------------------------------


def test_a_calculator_is_a_piece_of_the_calculator_kind(calculator):
    assert calculator.content_kind == ContentKind.CALCULATOR
    assert calculator.word_count > 0


def test_the_page_shows_results_for_the_starting_values(client, calculator):
    response = client.get(calculator.url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "£28,000 to £30,800" in html
    assert "Cannot compute: Division by zero." in html
    assert "These figures use the starting values." in html
    assert 'data-calculator-state="default"' in html
    assert "data-calculator-report" not in html


def test_the_form_works_without_javascript(client, calculator):
    html = client.get(calculator.url).content.decode()

    form = re.search(r"<form class=\"calc-form\"[^>]*>", html).group(0)
    assert 'method="get"' in form
    assert f'action="{calculator.url}"' in form
    assert '<button class="button button--primary" type="submit">Calculate' in html


def test_a_get_with_inputs_renders_results_on_the_server(client, calculator):
    response = client.get(
        calculator.url, {"length": "10", "shape": "1.2", "heating": "1"}
    )

    html = response.content.decode()
    assert "£47,000 to £51,200" in html
    assert "21,000" in html
    assert 'value="10"' in html
    assert 'data-calculator-state="own"' in html


def test_results_computed_from_own_inputs_carry_the_report_for_tracking(
    client, calculator
):
    html = client.get(calculator.url, {"length": "10"}).content.decode()

    report = re.search(r'data-calculator-report="([^"]*)"', html).group(1)
    data = json.loads(report.replace("&quot;", '"'))
    assert data["length"] == 10.0
    assert data["total"] == "£35,000 to £38,500"


def test_an_out_of_range_input_gets_an_inline_message(client, calculator):
    html = client.get(calculator.url, {"length": "40"}).content.decode()

    assert 'id="calc-length-error">Enter a number from 3 to 15.</p>' in html
    assert 'aria-invalid="true"' in html
    assert "Check the inputs marked above" in html
    assert "£" not in html.split('id="calc-results"')[1].split("</section>")[0]


def test_a_non_numeric_input_gets_an_inline_message(client, calculator):
    html = client.get(calculator.url, {"length": "ten"}).content.decode()

    assert 'id="calc-length-error">Enter a number from 3 to 15.</p>' in html


def test_an_unknown_choice_gets_an_inline_message(client, calculator):
    html = client.get(calculator.url, {"shape": "9"}).content.decode()

    assert 'id="calc-shape-error">Choose one of the options.</p>' in html


def test_division_by_zero_shows_cannot_compute_on_that_output_only(client, calculator):
    response = client.get(calculator.url, {"length": "8"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Cannot compute: Division by zero." in html
    assert "£28,000 to £30,800" in html


def test_overflow_shows_cannot_compute(client, index_page):
    page = CalculatorPageFactory(
        parent=index_page,
        calculator=[number("a", "A", 2), result("out", "Out", "a ** 100 * 1e10")],
    )

    response = client.get(page.url, {"a": "9"})

    assert response.status_code == 200
    assert "Cannot compute: The result is too large." in response.content.decode()


def test_the_results_route_returns_the_fragment_with_error_slots_for_htmx(
    client, calculator
):
    response = client.get(
        calculator.url + "results/", {"length": "40"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert "<html" not in html
    assert 'id="calc-length-error" hx-swap-oob="true">Enter a number' in html
    assert 'id="calc-shape-error" hx-swap-oob="true"></p>' in html


def test_the_results_route_keeps_the_address_shareable(client, calculator):
    response = client.get(
        calculator.url + "results/", {"length": "10"}, headers={"HX-Request": "true"}
    )

    assert "£35,000 to £38,500" in response.content.decode()
    assert response["HX-Replace-Url"] == f"{calculator.url}?length=10"


def test_the_form_asks_htmx_for_results_as_the_visitor_types(client, calculator):
    html = client.get(calculator.url).content.decode()

    assert f'hx-get="{calculator.url}results/"' in html
    assert 'hx-trigger="input changed delay:300ms' in html
    assert '<div id="calc-results" aria-live="polite">' in html


def test_a_page_saved_with_a_broken_formula_still_renders(client, index_page):
    page = CalculatorPageFactory(
        parent=index_page,
        calculator=[number("a", "A", 1), result("out", "Out", "a +")],
    )

    response = client.get(page.url)

    assert response.status_code == 200
    assert "This calculator is being updated" in response.content.decode()


def test_rendering_a_calculator_takes_a_fixed_number_of_queries(
    client, calculator, django_assert_max_num_queries
):
    client.get(calculator.url)

    with django_assert_max_num_queries(12):
        client.get(calculator.url, {"length": "9"})


# Demo calculators ----------------------------------------------------------------


@pytest.mark.parametrize("spec", [POOL_COST, COVER_PAYBACK, UNQUALIFIED_LEADS])
def test_demo_calculators_pass_the_editor_checks(spec):
    assert len(clean(spec["calculator"])) == len(spec["calculator"])


def test_the_unqualified_leads_calculator_gives_per_rep_and_per_team_costs():
    calculator = Calculator(
        CalculatorBlock().to_python(UNQUALIFIED_LEADS["calculator"]), currency="GBP"
    )
    query = QueryDict(
        "wasted_hours=5&reps=10&annual_cost=60000&weeks=48&weekly_hours=40"
    )

    shown = {r.name: r.text for r in calculator.calculate(query).results}

    assert shown == {
        "hours_year": "240 hours",
        "share": "12.5%",
        "cost_per_rep": "£7,500",
        "cost_per_team": "£75,000",
    }


def test_the_cover_payback_shows_a_duration_and_cannot_compute_without_savings():
    calculator = Calculator(
        CalculatorBlock().to_python(COVER_PAYBACK["calculator"]), currency="GBP"
    )

    default = {r.name: r for r in calculator.calculate(QueryDict()).results}
    nothing_saved = calculator.calculate(
        QueryDict("monthly_heating=0&chemical_saving=0")
    ).results

    assert default["payback"].text == "6 years 2 months"
    assert default["yearly_return"].text == "16.3%"
    assert {r.name: r.error for r in nothing_saved}["payback"] == "Division by zero."


def test_demo_tools_load_once_and_again_without_new_revisions(home_page):
    first = load_calculators(home_page, {})
    revisions = Revision.objects.count()

    again = load_calculators(home_page, {})

    assert Revision.objects.count() == revisions
    assert {slug: page.pk for slug, page in first.items()} == {
        slug: page.pk for slug, page in again.items()
    }
    assert first["pool-fit-assessment"].layout == "steps"
