"""Factories for calculator and assessment pages, in StreamField's stored form."""

import factory

from content.models import AssessmentPage, CalculatorPage
from portal.demo.calculators import (
    band_block,
    number_input,
)
from portal.demo.calculators import choice_input as choice
from portal.demo.calculators import lookup_table as table
from portal.demo.calculators import question_block as question
from portal.demo.calculators import result_block as result
from portal.demo.calculators import value_step as value
from portal.demo.calculators import yes_no_input as yes_no
from tests.content.factories import ContentPageFactory


def number(name, label, default, minimum=None, maximum=None, **extra):
    return number_input(
        extra.pop("kind", "number"), name, label, default, minimum, maximum, **extra
    )


def pool_calculator():
    """Length, shape and heating to a cost range; a ratio that can divide by zero."""
    return [
        number("length", "Pool length", 8, 3, 15, unit="m", help="Inside length."),
        choice("shape", "Shape", [("Rectangle", "1"), ("Freeform", "1.2")]),
        yes_no("heating", "Add heating"),
        table("rates", [(3, 4000), (8, 3500)]),
        value("base", "tier(rates, length) * length * shape"),
        result(
            "total",
            "Estimated cost",
            "base + heating * 5000",
            "currency",
            upper="base * 1.1 + heating * 5000",
            explanation="<p>Shell, fitting and the options you chose.</p>",
        ),
        result("per_extra_metre", "Cost per metre over 8 m", "base / (length - 8)"),
    ]


class CalculatorPageFactory(ContentPageFactory):
    title = factory.Sequence(lambda n: f"Calculator {n}")
    intro = "<p>Work out a figure.</p>"
    currency = "GBP"
    calculator = factory.LazyFunction(pool_calculator)

    class Meta:
        model = CalculatorPage
        skip_postgeneration_save = True


def band(min_score, title, text="<p>What this means.</p>", pieces=()):
    return band_block(min_score, title, text, pieces)


def fit_questions():
    return [
        question("Is your garden level?", [("Yes", 2), ("Mostly", 1), ("No", 0)]),
        question(
            "Which matter to you?",
            [("Low upkeep", 2), ("Fast install", 1), ("Lowest price", -1)],
            multiple=True,
        ),
    ]


class AssessmentPageFactory(ContentPageFactory):
    title = factory.Sequence(lambda n: f"Assessment {n}")
    intro = "<p>Find out where you stand.</p>"
    layout = AssessmentPage.Layout.ALL
    questions = factory.LazyFunction(fit_questions)
    bands = factory.LazyFunction(lambda: [band(0, "Early days"), band(3, "A good fit")])

    class Meta:
        model = AssessmentPage
        skip_postgeneration_save = True
