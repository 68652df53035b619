"""StreamField blocks editors build calculators and assessments from.

A calculator is one stream of inputs, lookup tables, intermediate values and
results, so the stream's ``clean()`` sees every name at once and can put each
problem (a bad formula, an unknown name, a loop) on the field that causes it.
"""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

from content.formulas import (
    DURATION_UNITS,
    FORMATS,
    NAME_PATTERN,
    RESERVED_NAMES,
    FormulaCycle,
    FormulaError,
    UnknownName,
    evaluation_order,
    parse,
)

NAME_HELP = (
    "Used in formulas: lowercase letters, digits and underscores, starting with "
    "a letter, e.g. pool_length."
)
INPUT_TYPES = ("number", "slider", "choice", "yes_no")
FORMULA_FIELDS = {"value": ("formula",), "result": ("formula", "upper_formula")}


def _name_block():
    return blocks.CharBlock(max_length=40, help_text=NAME_HELP)


def _explanation_block(help_text):
    return blocks.RichTextBlock(
        required=False, features=["bold", "italic", "link"], help_text=help_text
    )


class NumberInputBlock(blocks.StructBlock):
    name = _name_block()
    label = blocks.CharBlock(
        max_length=120, help_text="The question, e.g. “Pool length”."
    )
    unit = blocks.CharBlock(
        required=False, max_length=20, help_text="Shown after the box, e.g. “m”."
    )
    default = blocks.DecimalBlock(help_text="The value visitors start from.")
    minimum = blocks.DecimalBlock(required=False)
    maximum = blocks.DecimalBlock(required=False)
    step = blocks.DecimalBlock(
        required=False, help_text="The steps the value moves in, e.g. 0.5. Empty: any."
    )
    help = blocks.CharBlock(
        required=False, max_length=250, help_text="A hint under the box."
    )

    class Meta:
        icon = "decimal"
        label = "Number input"

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        low, high, default = value["minimum"], value["maximum"], value["default"]
        if low is not None and high is not None and low >= high:
            errors["maximum"] = ValidationError(
                "The maximum must be above the minimum."
            )
        elif default is not None and low is not None and default < low:
            errors["default"] = ValidationError("The default is below the minimum.")
        elif default is not None and high is not None and default > high:
            errors["default"] = ValidationError("The default is above the maximum.")
        if value["step"] is not None and value["step"] <= 0:
            errors["step"] = ValidationError("The step must be above zero.")
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value


class SliderInputBlock(NumberInputBlock):
    minimum = blocks.DecimalBlock()
    maximum = blocks.DecimalBlock()

    class Meta:
        icon = "arrows-up-down"
        label = "Slider"


class ChoiceOptionBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=120)
    value = blocks.CharBlock(
        max_length=40,
        help_text=(
            "What formulas see: a number (e.g. a price or 1.15 for +15%) or a "
            "short word to compare with, e.g. shape == 'freeform'."
        ),
    )


class ChoiceInputBlock(blocks.StructBlock):
    name = _name_block()
    label = blocks.CharBlock(max_length=120)
    options = blocks.ListBlock(ChoiceOptionBlock(), min_num=2, max_num=20)
    default = blocks.CharBlock(
        required=False,
        max_length=40,
        help_text="The value of the option chosen at first. Empty: the first one.",
    )
    help = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "list-ul"
        label = "Choice"

    def clean(self, value):
        value = super().clean(value)
        values = [option["value"].strip() for option in value["options"]]
        if len(set(values)) != len(values):
            raise StructBlockValidationError(
                block_errors={"options": ValidationError("Two options share a value.")}
            )
        if value["default"] and value["default"].strip() not in values:
            raise StructBlockValidationError(
                block_errors={
                    "default": ValidationError("The default is not one of the values.")
                }
            )
        return value


class YesNoInputBlock(blocks.StructBlock):
    name = _name_block()
    label = blocks.CharBlock(max_length=120, help_text="A yes/no question.")
    default = blocks.BooleanBlock(required=False, help_text="Ticked: starts at yes.")
    help = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "tick"
        label = "Yes or no"


class TableRowBlock(blocks.StructBlock):
    key = blocks.CharBlock(max_length=40, help_text="A number or a short word.")
    value = blocks.DecimalBlock()


class LookupTableBlock(blocks.StructBlock):
    name = blocks.CharBlock(
        max_length=40,
        help_text=(
            "Used as table_name[key] for an exact row, or tier(table_name, x) for "
            "the row with the largest key at or below x."
        ),
    )
    rows = blocks.ListBlock(TableRowBlock(), min_num=1, max_num=100)

    class Meta:
        icon = "table"
        label = "Lookup table"

    def clean(self, value):
        value = super().clean(value)
        keys = [row["key"].strip().casefold() for row in value["rows"]]
        if len(set(keys)) != len(keys):
            raise StructBlockValidationError(
                block_errors={"rows": ValidationError("Two rows share a key.")}
            )
        return value


class ValueBlock(blocks.StructBlock):
    name = _name_block()
    formula = blocks.CharBlock(
        max_length=500,
        help_text=(
            "e.g. length * width. Operators + - * / ** and comparisons; "
            "a if condition else b; min, max, round, abs, floor, ceil, sqrt."
        ),
    )

    class Meta:
        icon = "cogs"
        label = "Intermediate value"
        help_text = "A step of the calculation that is not shown to visitors."


class ResultBlock(blocks.StructBlock):
    name = _name_block()
    label = blocks.CharBlock(max_length=120, help_text="e.g. “Estimated total cost”.")
    formula = blocks.CharBlock(max_length=500)
    upper_formula = blocks.CharBlock(
        required=False,
        max_length=500,
        label="Upper formula",
        help_text="Fill in to show a range: the formula above gives the low end.",
    )
    format = blocks.ChoiceBlock(choices=list(FORMATS.items()), default="number")
    decimals = blocks.IntegerBlock(
        required=False,
        min_value=0,
        max_value=6,
        help_text="Empty: none for money, up to 1 for a percentage, 2 otherwise.",
    )
    unit = blocks.CharBlock(
        required=False,
        max_length=20,
        help_text=(
            "Shown after a number, e.g. “hours”. For a duration, the unit the "
            "formula computes in: " + ", ".join(DURATION_UNITS) + "."
        ),
    )
    explanation = _explanation_block(
        "Shown under the result: how it is worked out and what it leaves out."
    )

    class Meta:
        icon = "success"
        label = "Result"

    def clean(self, value):
        value = super().clean(value)
        if value["format"] == "duration" and value["unit"] not in DURATION_UNITS:
            raise StructBlockValidationError(
                block_errors={
                    "unit": ValidationError(
                        "For a duration, give the unit the formula computes in: "
                        + ", ".join(DURATION_UNITS)
                        + "."
                    )
                }
            )
        return value


class CalculatorBlock(blocks.StreamBlock):
    number = NumberInputBlock()
    slider = SliderInputBlock()
    choice = ChoiceInputBlock()
    yes_no = YesNoInputBlock()
    table = LookupTableBlock()
    value = ValueBlock()
    result = ResultBlock()

    class Meta:
        block_counts = {"result": {"min_num": 1}}
        max_num = 60

    def clean(self, value):
        value = super().clean(value)
        check_calculator(value, deferred=self.is_deferred_validation)
        return value


def check_calculator(stream, *, deferred: bool = False) -> None:
    """Check names and formulas across the whole calculator.

    Raise ``StreamBlockValidationError`` with each message on the field that
    causes it: a name that is malformed, reserved or used twice, a formula that
    does not parse, uses an unknown name or table, or takes part in a loop.
    """
    errors: dict[int, dict[str, ValidationError]] = {}
    non_block: list[ValidationError] = []

    def add(index, field, message):
        errors.setdefault(index, {}).setdefault(field, ValidationError(message))

    seen: dict[str, int] = {}
    inputs, tables = [], []
    for index, child in enumerate(stream):
        name = (child.value.get("name") or "").strip()
        if not name:
            continue
        if not NAME_PATTERN.match(name):
            add(index, "name", NAME_HELP)
        elif name in RESERVED_NAMES:
            add(index, "name", f"“{name}” is reserved; choose another name.")
        elif name in seen:
            add(index, "name", f"“{name}” is already used by another block.")
        seen.setdefault(name, index)
        if child.block_type in INPUT_TYPES:
            inputs.append(name)
        elif child.block_type == "table":
            tables.append(name)

    formulas, where = {}, {}
    for index, child in enumerate(stream):
        name = (child.value.get("name") or "").strip()
        for field in FORMULA_FIELDS.get(child.block_type, ()):
            source = (child.value.get(field) or "").strip()
            if not source:
                continue
            try:
                formula = parse(source)
            except FormulaError as error:
                add(index, field, error.message)
                continue
            key = name if field == "formula" else f"{name} (upper)"
            formulas[key], where[key] = formula, (index, field)

    if not errors:
        try:
            evaluation_order(formulas, inputs=inputs, tables=tables)
        except (UnknownName, FormulaCycle) as error:
            for key in error.names:
                add(*where[key], error.message)

    if not deferred and not inputs:
        non_block.append(ValidationError("Add at least one input."))
    if errors or non_block:
        raise blocks.StreamBlockValidationError(
            block_errors={
                index: StructBlockValidationError(block_errors=fields)
                for index, fields in errors.items()
            },
            non_block_errors=ErrorList(non_block),
        )


# Assessments --------------------------------------------------------------------


class AnswerBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=200)
    weight = blocks.IntegerBlock(
        default=0,
        min_value=-100,
        max_value=100,
        help_text="Points this answer adds to the score (negative to subtract).",
    )


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=250)
    help = blocks.CharBlock(required=False, max_length=250)
    multiple = blocks.BooleanBlock(
        required=False,
        label="Several answers may apply",
        help_text="Ticked: visitors tick any number, and their points add up.",
    )
    answers = blocks.ListBlock(AnswerBlock(), min_num=2, max_num=12)

    class Meta:
        icon = "help"
        label = "Question"


class QuestionsBlock(blocks.StreamBlock):
    question = QuestionBlock()

    class Meta:
        min_num = 1
        max_num = 30


class BandBlock(blocks.StructBlock):
    min_score = blocks.IntegerBlock(
        help_text=(
            "The lowest score in this band. A score goes to the band with the "
            "highest minimum it reaches; the lowest band takes any score below."
        )
    )
    title = blocks.CharBlock(max_length=120, help_text="e.g. “A strong fit”.")
    text = blocks.RichTextBlock(features=["bold", "italic", "link", "ul"])
    next_pieces = blocks.ListBlock(
        blocks.PageChooserBlock(),
        min_num=0,
        max_num=6,
        label="Recommended next pieces",
    )

    class Meta:
        icon = "pick"
        label = "Score band"


class BandsBlock(blocks.StreamBlock):
    band = BandBlock()

    class Meta:
        min_num = 1
        max_num = 10

    def clean(self, value):
        value = super().clean(value)
        seen = {}
        errors = {}
        for index, child in enumerate(value):
            score = child.value.get("min_score")
            if score in seen:
                errors[index] = StructBlockValidationError(
                    block_errors={
                        "min_score": ValidationError(
                            "Another band starts at the same score."
                        )
                    }
                )
            seen.setdefault(score, index)
        if errors:
            raise blocks.StreamBlockValidationError(block_errors=errors)
        return value
