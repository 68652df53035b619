"""Calculators and self-qualification assessments editors build in Wagtail.

Both work without any contact detail and without storing anything: a
calculator reads its inputs from the query string (a GET form, so it works
without JavaScript and its URL can be shared) and an assessment's result lives
in a signed token in its URL.
"""

import json
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.core import signing
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.utils.functional import cached_property
from django_htmx.http import HttpResponseClientRedirect, replace_url
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index

from content.blocks import Measure
from content.calculator_blocks import BandsBlock, CalculatorBlock, QuestionsBlock
from content.formulas import (
    CURRENCIES,
    CannotCompute,
    Formula,
    FormulaError,
    Table,
    Value,
    evaluate_all,
    evaluation_order,
    format_range,
    format_value,
    parse,
    parse_number,
    table_key,
)
from content.models.base import ContentKind, ContentPage

logger = logging.getLogger(__name__)

INTRO_FEATURES = ["bold", "italic", "link", "ul", "ol"]
# The tracker accepts at most this many values with a completion.
MAX_REPORTED_VALUES = 40
MAX_REPORTED_TEXT = 200


# Calculators ------------------------------------------------------------------


@dataclass
class CalculatorInput:
    """One input as a visitor sees it: its definition, their text, any problem."""

    kind: str
    name: str
    label: str
    help: str = ""
    unit: str = ""
    default: Value = Decimal(0)
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    step: Decimal | None = None
    options: list[tuple[str, str]] = field(default_factory=list)
    raw: str = ""
    value: Value | None = None
    error: str = ""

    @property
    def default_raw(self) -> str:
        if self.kind == "yes_no":
            return "1" if self.default else "0"
        if isinstance(self.default, Decimal):
            return _plain(self.default)
        return self.default

    def read(self, raw: str | None) -> Value | None:
        """The value of what the visitor typed, or None with ``error`` set."""
        self.raw = self.default_raw if raw is None else raw.strip()[:100]
        self.value = self._parse()
        return self.value

    def _parse(self) -> Value | None:
        if self.kind == "choice":
            values = {value for value, _ in self.options}
            if self.raw not in values:
                self.error = "Choose one of the options."
                return None
            return _choice_value(self.raw)
        if self.kind == "yes_no":
            if self.raw not in {"0", "1"}:
                self.error = "Choose yes or no."
                return None
            return Decimal(self.raw)
        try:
            number = parse_number(self.raw.replace(" ", ""))
        except FormulaError:
            self.error = "Enter a number" + self.range_text() + "."
            return None
        if (self.minimum is not None and number < self.minimum) or (
            self.maximum is not None and number > self.maximum
        ):
            self.error = "Enter a number" + self.range_text() + "."
            return None
        return number

    def range_text(self) -> str:
        low = _plain(self.minimum) if self.minimum is not None else None
        high = _plain(self.maximum) if self.maximum is not None else None
        if low is not None and high is not None:
            return f" from {low} to {high}"
        if low is not None:
            return f" of {low} or more"
        if high is not None:
            return f" up to {high}"
        return ""


@dataclass
class CalculatorResult:
    name: str
    label: str
    explanation: object
    text: str = ""
    error: str = ""


@dataclass
class Calculation:
    """The outcome of one set of inputs: fields to show and results, if any."""

    inputs: list[CalculatorInput]
    results: list[CalculatorResult]
    own_inputs: bool
    valid: bool

    @property
    def computed(self) -> bool:
        return self.valid and any(not result.error for result in self.results)

    def report(self) -> dict[str, str | float]:
        """Inputs and results as the tracker reports them, keyed by name."""
        data: dict[str, str | float] = {}
        for item in self.inputs:
            if isinstance(item.value, Decimal):
                data[item.name] = float(item.value)
            else:
                data[item.name] = (item.value or item.raw)[:MAX_REPORTED_TEXT]
        for result in self.results:
            text = result.error and "cannot compute" or result.text
            data[result.name] = text[:MAX_REPORTED_TEXT]
        return dict(list(data.items())[:MAX_REPORTED_VALUES])

    @property
    def report_json(self) -> str:
        return json.dumps(self.report(), separators=(",", ":"))


class Calculator:
    """A calculator's definition, read from the page's stream once per request."""

    def __init__(self, stream, *, currency: str):
        self.currency = currency
        self.inputs: list[dict] = []
        self.tables: dict[str, Table] = {}
        self.formulas: dict[str, Formula] = {}
        self.results: list[dict] = []
        for child in stream:
            value, kind = child.value, child.block_type
            if kind == "table":
                rows = [(row["key"], row["value"]) for row in value["rows"]]
                self.tables[value["name"]] = Table.from_rows(value["name"], rows)
            elif kind in {"value", "result"}:
                self.formulas[value["name"]] = parse(value["formula"])
                if kind == "result":
                    if value.get("upper_formula"):
                        upper = f"{value['name']} (upper)"
                        self.formulas[upper] = parse(value["upper_formula"])
                    self.results.append(value)
            else:
                self.inputs.append({"kind": kind, **value})
        self.order = evaluation_order(
            self.formulas,
            inputs=[item["name"] for item in self.inputs],
            tables=self.tables,
        )

    def fields(self) -> list[CalculatorInput]:
        fields = []
        for item in self.inputs:
            kind = item["kind"]
            options = [
                (option["value"].strip(), option["label"])
                for option in item.get("options", [])
            ]
            if kind == "choice":
                default = (item.get("default") or "").strip() or options[0][0]
            elif kind == "yes_no":
                default = Decimal(1) if item.get("default") else Decimal(0)
            else:
                default = item["default"]
            fields.append(
                CalculatorInput(
                    kind=kind,
                    name=item["name"],
                    label=item["label"],
                    help=item.get("help") or "",
                    unit=item.get("unit") or "",
                    default=default,
                    minimum=item.get("minimum"),
                    maximum=item.get("maximum"),
                    step=item.get("step"),
                    options=options,
                )
            )
        return fields

    def calculate(self, query) -> Calculation:
        """Read inputs from a query dict (defaults for any missing) and compute."""
        fields = self.fields()
        values: dict[str, Value] = {}
        for item in fields:
            value = item.read(query.get(item.name))
            if value is not None:
                values[item.name] = value
        own = any(item.raw != item.default_raw for item in fields)
        valid = not any(item.error for item in fields)
        results = [
            CalculatorResult(
                name=result["name"],
                label=result["label"],
                explanation=result.get("explanation"),
            )
            for result in self.results
        ]
        if valid:
            computed = evaluate_all(
                self.formulas, self.order, inputs=values, tables=self.tables
            )
            for spec, result in zip(self.results, results, strict=True):
                self._show(spec, result, computed)
        return Calculation(inputs=fields, results=results, own_inputs=own, valid=valid)

    def _show(self, spec, result: CalculatorResult, computed) -> None:
        ends = [computed[spec["name"]]]
        if spec.get("upper_formula"):
            ends.append(computed[f"{spec['name']} (upper)"])
        failed = [end for end in ends if isinstance(end, FormulaError)]
        if failed:
            error = failed[0]
            result.error = (
                error.message
                if isinstance(error, CannotCompute)
                else "This result is not set up correctly."
            )
            return
        texts = [
            format_value(
                end,
                style=spec["format"],
                decimals=spec.get("decimals"),
                currency=self.currency,
                unit=spec.get("unit") or "",
            )
            for end in ends
        ]
        result.text = format_range(*texts) if len(texts) == 2 else texts[0]


def _plain(number: Decimal) -> str:
    """A number as an input box shows it: no exponent, no trailing zeros."""
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _choice_value(raw: str) -> Value:
    """A choice's value as formulas see it: a number when it is one, else text."""
    key = table_key(raw)
    return key if isinstance(key, Decimal) else raw.strip()


class CalculatorPage(RoutablePageMixin, ContentPage):
    fixed_kind = ContentKind.CALCULATOR

    intro = RichTextField(
        blank=True,
        features=INTRO_FEATURES,
        help_text="What the calculator works out and who it is for.",
    )
    calculator = StreamField(
        CalculatorBlock(),
        help_text=(
            "Inputs visitors fill in, lookup tables, intermediate values and the "
            "results they see, in the order shown. Formulas are checked on save."
        ),
    )
    currency = models.CharField(
        max_length=3,
        choices=[(code, label) for code, (_, label) in CURRENCIES.items()],
        default="GBP",
        help_text="The currency of every money result.",
    )
    notes = RichTextField(
        blank=True,
        features=INTRO_FEATURES,
        help_text="Shown under the results: assumptions and what the figures omit.",
    )

    content_panels = [
        *ContentPage.content_panels,
        FieldPanel("summary"),
        FieldPanel("topics"),
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("currency"), FieldPanel("calculator")],
            heading="Calculator",
        ),
        FieldPanel("notes"),
    ]
    search_fields = [
        *ContentPage.search_fields,
        index.SearchField("intro"),
        index.SearchField("notes"),
    ]
    page_description = (
        "A calculator visitors fill in without giving any contact detail, e.g. "
        "a cost estimate or a payback period."
    )

    class Meta:
        verbose_name = "calculator"

    def measure(self) -> Measure:
        measured = Measure()
        measured.add_text(self.intro or "")
        measured.add_text(self.notes or "")
        for child in self.calculator:
            for key in ("label", "help"):
                measured.add_text(child.value.get(key) or "")
            if child.value.get("explanation"):
                measured.add_text(child.value["explanation"].source)
        return measured

    @cached_property
    def definition(self) -> Calculator | None:
        """The calculator, or None when its stream no longer checks out."""
        try:
            return Calculator(self.calculator, currency=self.currency)
        except (FormulaError, KeyError, IndexError):
            # Pages saved in code skip the editor's checks; never fail the page.
            logger.warning("Calculator page %s has an invalid definition", self.pk)
            return None

    def calculation(self, request) -> Calculation | None:
        if self.definition is None:
            return None
        return self.definition.calculate(request.GET)

    @path("")
    def index_route(self, request):
        return self.render(
            request, context_overrides={"calculation": self.calculation(request)}
        )

    @path("results/")
    def results_route(self, request):
        """The results fragment htmx swaps in while the visitor types."""
        response = self.render(
            request,
            template="content/calculator_page.html#results",
            context_overrides={"calculation": self.calculation(request)},
        )
        if request.htmx and request.GET:
            replace_url(response, f"{self.url}?{request.GET.urlencode()}")
        return response


# Assessments ---------------------------------------------------------------------


@dataclass
class Question:
    key: str
    number: int
    text: str
    help: str
    multiple: bool
    answers: list[tuple[str, int]]
    chosen: list[int] = field(default_factory=list)
    error: str = ""

    @property
    def field_name(self) -> str:
        return f"q-{self.key}"

    @property
    def score(self) -> int:
        return sum(self.answers[index][1] for index in self.chosen)

    @property
    def best(self) -> int:
        weights = [weight for _, weight in self.answers]
        if self.multiple:
            return sum(weight for weight in weights if weight > 0)
        return max(weights)

    def read(self, values: list[str]) -> None:
        chosen = []
        for raw in values:
            if raw.isdigit() and int(raw) < len(self.answers):
                chosen.append(int(raw))
        self.chosen = sorted(set(chosen))[: len(self.answers)]
        if not self.multiple:
            self.chosen = self.chosen[:1]
            if not self.chosen:
                self.error = "Choose an answer."

    def answer_labels(self) -> list[str]:
        return [self.answers[index][0] for index in self.chosen]


@dataclass
class Outcome:
    """A scored set of answers: the band it falls in and how it was reached."""

    questions: list[Question]
    score: int
    best: int
    band: dict
    token: str

    def report(self) -> dict[str, str | float]:
        data: dict[str, str | float] = {
            "band": self.band["title"][:MAX_REPORTED_TEXT],
            "score": float(self.score),
        }
        for question in self.questions[: MAX_REPORTED_VALUES - 2]:
            labels = "; ".join(question.answer_labels()) or "none"
            data[question.field_name] = labels[:MAX_REPORTED_TEXT]
        return data

    @property
    def report_json(self) -> str:
        return json.dumps(self.report(), separators=(",", ":"))


class AssessmentPage(RoutablePageMixin, ContentPage):
    fixed_kind = ContentKind.ASSESSMENT

    class Layout(models.TextChoices):
        ALL = "all", "All questions on one page"
        STEPS = "steps", "One question per step"

    intro = RichTextField(
        blank=True,
        features=INTRO_FEATURES,
        help_text="What the assessment tells visitors and how long it takes.",
    )
    layout = models.CharField(max_length=10, choices=Layout.choices, default=Layout.ALL)
    questions = StreamField(QuestionsBlock())
    bands = StreamField(
        BandsBlock(),
        help_text="What each range of scores means and what to read next.",
    )

    content_panels = [
        *ContentPage.content_panels,
        FieldPanel("summary"),
        FieldPanel("topics"),
        FieldPanel("intro"),
        FieldPanel("layout"),
        FieldPanel("questions"),
        FieldPanel("bands"),
    ]
    search_fields = [*ContentPage.search_fields, index.SearchField("intro")]
    page_description = (
        "A self-qualification quiz: weighted answers add up to a score whose "
        "band gives advice and recommended next pieces."
    )

    class Meta:
        verbose_name = "assessment"

    def measure(self) -> Measure:
        measured = Measure()
        measured.add_text(self.intro or "")
        for child in self.questions:
            measured.add_text(child.value["question"])
            for answer in child.value["answers"]:
                measured.add_text(answer["label"])
        return measured

    def question_list(self) -> list[Question]:
        questions = []
        for number, child in enumerate(self.questions, start=1):
            value = child.value
            questions.append(
                Question(
                    key=(child.id or str(number))[:8],
                    number=number,
                    text=value["question"],
                    help=value.get("help") or "",
                    multiple=bool(value.get("multiple")),
                    answers=[
                        (answer["label"], answer["weight"] or 0)
                        for answer in value["answers"]
                    ],
                )
            )
        return questions

    def read_answers(self, query) -> list[Question]:
        questions = self.question_list()
        for question in questions:
            question.read(query.getlist(question.field_name))
        return questions

    def band_for(self, score: int) -> dict:
        bands = sorted(
            (child.value for child in self.bands), key=lambda band: band["min_score"]
        )
        reached = [band for band in bands if band["min_score"] <= score]
        return reached[-1] if reached else bands[0]

    @property
    def token_salt(self) -> str:
        return f"content.assessment.{self.pk}"

    def outcome(self, questions: list[Question]) -> Outcome:
        answers = {question.key: question.chosen for question in questions}
        token = signing.dumps(answers, salt=self.token_salt, compress=True)
        score = sum(question.score for question in questions)
        return Outcome(
            questions=questions,
            score=score,
            best=sum(question.best for question in questions),
            band=self.band_for(score),
            token=token,
        )

    def outcome_from_token(self, token: str) -> Outcome:
        try:
            answers = signing.loads(token, salt=self.token_salt)
        except signing.BadSignature:
            raise Http404("This result link is not valid.") from None
        if not isinstance(answers, dict):
            raise Http404("This result link is not valid.")
        questions = self.question_list()
        for question in questions:
            chosen = answers.get(question.key, [])
            if isinstance(chosen, list):
                question.read([str(index) for index in chosen])
        return self.outcome(questions)

    @path("")
    def index_route(self, request):
        questions = self.read_answers(request.GET)
        step, show_errors = None, False
        if self.layout == self.Layout.STEPS:
            step = _step_number(request.GET.get("step"), len(questions))
            # A step is reached only once every earlier question has an answer.
            unanswered = [q.number for q in questions[: step - 1] if q.error]
            if unanswered:
                step, show_errors = unanswered[0], True
        return self.render_questions(request, questions, step, show_errors)

    def render_questions(self, request, questions, step, show_errors):
        back = None
        if step and step > 1:
            query = request.GET.copy()
            query["step"] = str(step - 1)
            back = query.urlencode()
        return self.render(
            request,
            context_overrides={
                "questions": questions,
                "step": step,
                "show_errors": show_errors,
                "back_query": back,
            },
        )

    @path("answers/")
    def answers_route(self, request):
        """Score submitted answers and send the visitor to their result's URL."""
        questions = self.read_answers(request.GET)
        missing = [question for question in questions if question.error]
        if missing:
            step = missing[0].number if self.layout == self.Layout.STEPS else None
            return self.render_questions(request, questions, step, True)
        outcome = self.outcome(questions)
        # A full page load, so the result page reports the submission once.
        redirect = HttpResponseClientRedirect if request.htmx else HttpResponseRedirect
        return redirect(self.result_url(outcome.token) + "&new=1")

    def result_url(self, token: str) -> str:
        # The token travels in the query: Wagtail's page URLs allow no colons.
        return f"{self.url}{self.reverse_subpage('result')}?{urlencode({'r': token})}"

    @path("result/", name="result")
    def result_route(self, request):
        outcome = self.outcome_from_token(request.GET.get("r", "")[:2000])
        pieces = [
            page.specific
            for page in outcome.band.get("next_pieces") or []
            if page is not None and page.live
        ]
        return self.render(
            request,
            template="content/calculators/assessment_result.html",
            context_overrides={
                "outcome": outcome,
                "pieces": pieces,
                "fresh": request.GET.get("new") == "1",
                "result_url": self.result_url(outcome.token),
            },
        )


def _step_number(raw: str | None, count: int) -> int:
    try:
        step = int(raw or 1)
    except ValueError:
        step = 1
    return min(max(step, 1), max(count, 1))
