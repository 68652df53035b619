import sys
import time
from contextlib import contextmanager
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content.formulas import (
    MAX_FORMULA_LENGTH,
    CannotCompute,
    FormulaCycle,
    FormulaError,
    FormulaSyntaxError,
    Table,
    UnknownName,
    evaluate_all,
    evaluation_order,
    format_range,
    format_value,
    parse,
)

PRICES = Table.from_rows("prices", [("1", "100"), ("5", "400"), ("Kidney", "3")])
VARIABLES = {"x": Decimal(4), "y": Decimal("-2.5"), "shape": "kidney"}


def evaluate(source, variables=VARIABLES):
    return parse(source).evaluate(variables, {"prices": PRICES})


# Audit events that mean something ran outside the evaluator's own arithmetic.
# ast.parse raises "compile" for the source it reads, so that one is allowed.
FORBIDDEN_EVENTS = ("exec", "import", "open", "os.", "subprocess.", "socket.")
_watching: list[list[str]] = []


def _audit(event, args):
    if _watching and event.startswith(FORBIDDEN_EVENTS):
        _watching[-1].append(event)


sys.addaudithook(_audit)


@contextmanager
def forbidden_events():
    seen: list[str] = []
    _watching.append(seen)
    try:
        yield seen
    finally:
        _watching.pop()


def test_the_audit_watch_sees_code_execution():
    with forbidden_events() as seen:
        exec("1 + 1")  # noqa: S102 - proves the watch used below can fail

    assert "exec" in seen


# Arithmetic and functions -------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", "7"),
        ("(1 + 2) * 3", "9"),
        ("7 / 2", "3.5"),
        ("-7 // 2", "-4"),
        ("7 % 3", "1"),
        ("2 ** 10", "1024"),
        ("x * y", "-10"),
        ("min(3, x, 10)", "3"),
        ("max(1, x)", "4"),
        ("round(2.345, 2)", "2.35"),
        ("round(1234, -2)", "1.2E+3"),
        ("abs(y)", "2.5"),
        ("floor(y)", "-3"),
        ("ceil(y)", "-2"),
        ("sqrt(16)", "4"),
        ("x > 3", "1"),
        ("1 < x <= 4", "1"),
        ("1 < x < 4", "0"),
        ("x == 4 and y < 0", "1"),
        ("not x", "0"),
        ("x if x > y else y", "4"),
        ("shape == 'Kidney'", "1"),
        ("prices[1]", "100"),
        ("prices[shape]", "3"),
        ("tier(prices, 4.9)", "100"),
        ("tier(prices, x + 1)", "400"),
        ("true + true", "2"),
    ],
)
def test_formulas_compute(source, expected):
    assert evaluate(source) == Decimal(expected)


def test_only_the_chosen_branch_of_a_condition_is_computed():
    assert evaluate("0 if x == 4 else 1 / 0") == 0


def test_decimal_arithmetic_keeps_money_exact():
    assert evaluate("0.1 + 0.2") == Decimal("0.3")


@pytest.mark.parametrize(
    "source",
    ["x / 0", "x // 0", "x % 0", "0 ** -1", "sqrt(-1)", "(-8) ** 0.5", "10 ** 99"],
)
def test_impossible_arithmetic_cannot_be_computed(source):
    with pytest.raises(CannotCompute):
        evaluate(source)


def test_a_missing_table_key_cannot_be_computed():
    with pytest.raises(CannotCompute, match="not in the table prices"):
        evaluate("prices[2]")


def test_a_value_below_every_tier_cannot_be_computed():
    with pytest.raises(CannotCompute, match="below every key"):
        evaluate("tier(prices, 0)")


def test_arithmetic_on_text_cannot_be_computed():
    with pytest.raises(CannotCompute, match="needs a number"):
        evaluate("shape + 1")


def test_numbers_beyond_the_magnitude_limit_cannot_be_computed():
    with pytest.raises(CannotCompute, match="too large"):
        evaluate("x * 1000000000000000000")


# What is refused before anything runs ---------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("__import__('os').system('true')", "functions can be called"),
        ("__import__('os')", "not a function"),
        ("open('/etc/passwd')", "not a function"),
        ("x.real", "dots"),
        ("(1).__class__", "dots"),
        ("lambda: 1", "lambda"),
        ("[i for i in x]", "list comprehensions"),
        ("{i: i for i in x}", "dict comprehensions"),
        ("(i for i in x)", "generator"),
        ("[1, 2]", "lists"),
        ("(1, 2)", "tuples"),
        ("prices[1:2]", "slices"),
        ("f'{x}'", "f-strings"),
        ("(y := 1)", "assignments"),
        ("max(*x)", "star"),
        ("round(x, ndigits=1)", "named arguments"),
        ("max()", "number of arguments"),
        ("tier(1, 2)", "table's name"),
        ("_secret + 1", "not a usable name"),
        ("X + 1", "not a usable name"),
        ("1j", "numbers and text"),
        ("None", "numbers and text"),
        ("x\n+ 1", "one line"),
        ("2 ** 1000", "Exponents"),
        ("1e400", "too large"),
        ("'" + "a" * 101 + "'", "100 characters"),
        ("x +", "not valid"),
        ("", "empty"),
    ],
)
def test_unsafe_or_invalid_formulas_are_refused_when_parsed(source, message):
    with pytest.raises(FormulaSyntaxError, match=message):
        parse(source)


def test_subscripts_of_plain_values_fail_as_unknown_tables():
    with pytest.raises(UnknownName, match="no table called x"):
        evaluate("x[0]")


def test_builtins_are_never_reachable_by_name():
    formula = parse("print + len")

    with pytest.raises(UnknownName):
        formula.evaluate({})


def test_overlong_formulas_are_refused():
    with pytest.raises(FormulaSyntaxError, match="too long"):
        parse("1" + " + 1" * MAX_FORMULA_LENGTH)


def test_formulas_with_too_many_parts_are_refused():
    with pytest.raises(FormulaSyntaxError, match="split it into values"):
        parse("+".join(["x"] * 150))


def test_deep_nesting_is_refused_quickly():
    started = time.perf_counter()

    with pytest.raises(FormulaSyntaxError, match="nested too deeply"):
        parse("-" * 450 + "1")

    assert time.perf_counter() - started < 0.5


def test_tower_of_powers_stops_at_the_exponent_limit_quickly():
    started = time.perf_counter()

    with pytest.raises(CannotCompute, match="Exponents"):
        evaluate("9 ** 9 ** 9 ** 9")

    assert time.perf_counter() - started < 0.5


def test_formula_reports_the_names_and_tables_it_uses():
    formula = parse("prices[size] * rate + tier(bands, area) + min(a, 1)")

    assert formula.names == {"size", "rate", "area", "a"}
    assert formula.tables == {"prices", "bands"}


# A calculator's formulas together -------------------------------------------------


def test_values_are_ordered_after_the_values_they_use():
    formulas = {"total": parse("sub * 2"), "sub": parse("base + 1")}

    order = evaluation_order(formulas, inputs=["base"])

    assert order == ["sub", "total"]


def test_a_loop_between_values_is_reported_with_its_members():
    formulas = {"a": parse("b + 1"), "b": parse("c"), "c": parse("a * 2")}

    with pytest.raises(FormulaCycle) as caught:
        evaluation_order(formulas, inputs=[])

    assert caught.value.names == ["a", "b", "c"]
    assert "a → b → c → a" in caught.value.message


def test_a_value_using_itself_is_a_loop():
    with pytest.raises(FormulaCycle):
        evaluation_order({"a": parse("a + 1")}, inputs=[])


def test_an_unknown_name_is_reported_against_the_formula_using_it():
    formulas = {"fine": parse("x"), "broken": parse("x + nope")}

    with pytest.raises(UnknownName) as caught:
        evaluation_order(formulas, inputs=["x"])

    assert caught.value.names == ["broken"]
    assert "nope" in caught.value.message


def test_an_unknown_table_is_reported():
    with pytest.raises(UnknownName, match="Unknown table: rates"):
        evaluation_order({"a": parse("rates[1]")}, inputs=[], tables=["prices"])


def test_a_table_used_as_a_number_gets_a_hint():
    with pytest.raises(UnknownName, match="is a table"):
        evaluation_order({"a": parse("prices + 1")}, inputs=[], tables=["prices"])


def test_long_chains_of_values_do_not_exhaust_the_stack():
    formulas = {f"v{i}": parse(f"v{i + 1} + 1") for i in range(3000)}
    formulas["v3000"] = parse("x")

    order = evaluation_order(formulas, inputs=["x"])

    assert order[0] == "v3000"
    assert order[-1] == "v0"


def test_a_failure_carries_to_every_value_using_it_and_no_other():
    formulas = {
        "ratio": parse("a / b"),
        "doubled": parse("ratio * 2"),
        "sum": parse("a + b"),
    }
    order = evaluation_order(formulas, inputs=["a", "b"])

    results = evaluate_all(formulas, order, inputs={"a": Decimal(1), "b": Decimal(0)})

    assert isinstance(results["ratio"], CannotCompute)
    assert isinstance(results["doubled"], CannotCompute)
    assert results["sum"] == 1


# Formatting -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "options", "expected"),
    [
        ("38250.4", {"style": "currency"}, "£38,250"),
        ("38250.5", {"style": "currency", "currency": "EUR"}, "€38,251"),
        ("-1200", {"style": "currency", "currency": "USD"}, "-$1,200"),
        ("2.5", {"style": "currency", "decimals": 2}, "£2.50"),
        ("-0.001", {"style": "currency"}, "£0"),
        ("0.256", {"style": "percent"}, "25.6%"),
        ("0.25", {"style": "percent"}, "25%"),
        ("1.5", {"style": "percent", "decimals": 0}, "150%"),
        ("1234.5678", {}, "1,234.57"),
        ("1234.5", {"unit": "hours"}, "1,234.5 hours"),
        ("12", {"decimals": 0, "unit": "m²"}, "12 m²"),
        ("1.75", {"style": "duration", "unit": "years"}, "1 year 9 months"),
        ("312", {"style": "duration", "unit": "hours"}, "312 hours"),
        ("2.5", {"style": "duration", "unit": "hours"}, "2 hours 30 minutes"),
        ("0.999", {"style": "duration", "unit": "hours"}, "1 hour"),
        ("0.4", {"style": "duration", "unit": "minutes"}, "less than 1 minute"),
        ("0", {"style": "duration", "unit": "days"}, "0 days"),
    ],
)
def test_values_are_formatted_for_reading(value, options, expected):
    assert format_value(Decimal(value), **options) == expected


def test_a_range_collapses_when_both_ends_match():
    assert format_range("£10", "£12") == "£10 to £12"
    assert format_range("£10", "£10") == "£10"


# Properties ---------------------------------------------------------------------------

ATOMS = st.sampled_from(
    [
        "x",
        "y",
        "shape",
        "0",
        "1",
        "2.5",
        "1e17",
        "-3",
        "'kidney'",
        "true",
        "prices",
        "prices[1]",
        "tier(prices, x)",
        "__import__",
        "__builtins__",
        "().__class__",
        "open",
        "x.real",
    ]
)
OPERATORS = st.sampled_from(
    [" + ", " - ", " * ", " / ", " // ", " % ", " ** ", " < ", " == ", " and "]
)
UNARY = st.sampled_from(["", "-", "not ", "+"])
CALLS = st.sampled_from(
    ["min", "max", "round", "abs", "sqrt", "eval", "exec", "getattr", "lambda: "]
)

expressions = st.recursive(
    ATOMS,
    lambda children: st.one_of(
        st.tuples(children, OPERATORS, children).map(lambda t: f"({''.join(t)})"),
        st.tuples(UNARY, children).map("".join),
        st.tuples(CALLS, children, children).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        st.tuples(children, children, children).map(
            lambda t: f"({t[0]} if {t[1]} else {t[2]})"
        ),
        st.tuples(children, children).map(lambda t: f"[{t[0]} for _ in {t[1]}]"),
    ),
    max_leaves=40,
)
numbers = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.integers(min_value=-(10**30), max_value=10**30).map(Decimal),
    st.sampled_from([Decimal(0), Decimal("1e18"), Decimal("-1e-50")]),
)
PROPERTY_SETTINGS = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _run(source, x, y):
    """Parse and evaluate, returning how long it took and what it raised."""
    started = time.perf_counter()
    with forbidden_events() as seen:
        try:
            result = evaluate(source, {"x": x, "y": y, "shape": "kidney"})
        except FormulaError as error:
            result = error
    return time.perf_counter() - started, seen, result


@PROPERTY_SETTINGS
@given(source=st.text(max_size=200), x=numbers, y=numbers)
def test_random_text_only_ever_raises_formula_errors(source, x, y):
    elapsed, seen, result = _run(source, x, y)

    assert seen == []
    assert isinstance(result, Decimal | str | FormulaError)
    assert elapsed < 0.5


@PROPERTY_SETTINGS
@given(
    source=st.text(
        alphabet=st.sampled_from(list("xy0123456789.+-*/%()<>=!, _eacimnoprstuv'[]")),
        max_size=120,
    ),
    x=numbers,
    y=numbers,
)
def test_random_formula_like_text_only_ever_raises_formula_errors(source, x, y):
    elapsed, seen, result = _run(source, x, y)

    assert seen == []
    assert isinstance(result, Decimal | str | FormulaError)
    assert elapsed < 0.5


@PROPERTY_SETTINGS
@given(source=expressions, x=numbers, y=numbers)
def test_random_expressions_run_nothing_outside_the_allow_list(source, x, y):
    elapsed, seen, result = _run(source, x, y)

    assert seen == []
    assert elapsed < 0.5
    if isinstance(result, Decimal):
        assert abs(result) <= Decimal("1e18")
    else:
        assert isinstance(result, str | FormulaError)
    unsafe = ("__", "eval(", "exec(", "getattr(", "lambda", ".real", " for ")
    if any(word in source for word in unsafe):
        assert isinstance(result, FormulaSyntaxError | UnknownName)
