"""Factories for calculator and assessment pages, in StreamField's stored form."""

import factory

from content.models import AssessmentPage, CalculatorPage
from tests.content.factories import ContentPageFactory


def number(name, label, default, minimum=None, maximum=None, **extra):
    return {
        "type": extra.pop("kind", "number"),
        "value": {
            "name": name,
            "label": label,
            "unit": extra.get("unit", ""),
            "default": str(default),
            "minimum": None if minimum is None else str(minimum),
            "maximum": None if maximum is None else str(maximum),
            "step": extra.get("step"),
            "help": extra.get("help", ""),
        },
    }


def choice(name, label, options, default=""):
    return {
        "type": "choice",
        "value": {
            "name": name,
            "label": label,
            "options": [{"label": text, "value": value} for text, value in options],
            "default": default,
            "help": "",
        },
    }


def yes_no(name, label, default=False):
    return {
        "type": "yes_no",
        "value": {"name": name, "label": label, "default": default, "help": ""},
    }


def table(name, rows):
    return {
        "type": "table",
        "value": {
            "name": name,
            "rows": [{"key": str(key), "value": str(value)} for key, value in rows],
        },
    }


def value(name, formula):
    return {"type": "value", "value": {"name": name, "formula": formula}}


def result(name, label, formula, fmt="number", **extra):
    return {
        "type": "result",
        "value": {
            "name": name,
            "label": label,
            "formula": formula,
            "upper_formula": extra.get("upper", ""),
            "format": fmt,
            "decimals": extra.get("decimals"),
            "unit": extra.get("unit", ""),
            "explanation": extra.get("explanation", ""),
        },
    }


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


def question(text, answers, multiple=False, help_text=""):
    return {
        "type": "question",
        "value": {
            "question": text,
            "help": help_text,
            "multiple": multiple,
            "answers": [
                {"label": label, "weight": weight} for label, weight in answers
            ],
        },
    }


def band(min_score, title, text="<p>What this means.</p>", pieces=()):
    return {
        "type": "band",
        "value": {
            "min_score": min_score,
            "title": title,
            "text": text,
            "next_pieces": [page.pk for page in pieces],
        },
    }


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
