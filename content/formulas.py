"""A small, safe expression language for the formulas editors write in calculators.

Formulas look like spreadsheet arithmetic written in Python syntax::

    hours_per_week * reps * working_weeks
    max(0, savings - cost) / 12
    base_price[size] * (1.15 if shape == 2 else 1)
    round(tier(paving_rates, area) * area, -2)

A formula is parsed with :mod:`ast` and checked against an allow-list of node
types before anything is evaluated; nothing is ever passed to ``eval`` or
``compile``. What a formula can do:

- numbers, text in quotes (only for comparing with choice values and as table
  keys), the names of the calculator's inputs and values;
- ``+ - * / // % **``, comparisons (chained too), ``and``, ``or``, ``not``;
- ``a if condition else b`` (only the chosen branch is evaluated);
- the functions in :data:`FUNCTIONS` (``min``, ``max``, ``round``, ``abs``,
  ``floor``, ``ceil``, ``sqrt``, ``tier``);
- ``table[key]``: the value of the row whose key equals ``key`` in one of the
  editor's lookup tables.

Nothing else parses: no attribute access, no other subscripts, no calls of
anything but the allow-listed names, no lambdas, comprehensions, containers,
assignments or f-strings. Work is bounded by the formula's length, its number
of syntax nodes and nesting depth, the size of an exponent and the magnitude of
every number produced. Arithmetic is :class:`~decimal.Decimal` in a private
context whose traps turn overflow, division by zero and invalid operations into
:class:`CannotCompute`. Every failure is a :class:`FormulaError`.
"""

from __future__ import annotations

import ast
import decimal
import keyword
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

MAX_FORMULA_LENGTH = 500
MAX_NODES = 200
MAX_DEPTH = 100
MAX_EXPONENT = 100
MAX_MAGNITUDE = Decimal("1e18")
MAX_TEXT_LENGTH = 100
MAX_ARGUMENTS = 20

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

Value = Decimal | str

_CONTEXT = decimal.Context(
    prec=28,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=99,
    Emin=-99,
    traps=[
        decimal.Overflow,
        decimal.DivisionByZero,
        decimal.InvalidOperation,
    ],
)
_TRUE = Decimal(1)
_FALSE = Decimal(0)


class FormulaError(Exception):
    """Any problem with a formula or its evaluation; the only error raised here."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class FormulaSyntaxError(FormulaError):
    """The formula is not valid, uses something not allowed, or is too big."""


class UnknownName(FormulaError):
    """The formula mentions a name that is neither an input, a value nor a table."""

    def __init__(self, message: str, names: Iterable[str] = ()):
        super().__init__(message)
        self.names = sorted(names)


class FormulaCycle(FormulaError):
    """Values depend on each other in a loop."""

    def __init__(self, message: str, names: Iterable[str] = ()):
        super().__init__(message)
        self.names = sorted(names)


class CannotCompute(FormulaError):
    """The formula is fine but these inputs give no answer (division by zero...)."""


# Functions --------------------------------------------------------------------


def _number(value: Value, what: str) -> Decimal:
    if isinstance(value, str):
        raise CannotCompute(f"{what} needs a number, not text.")
    return value


def _min(*args: Value) -> Decimal:
    return min(_number(arg, "min()") for arg in args)


def _max(*args: Value) -> Decimal:
    return max(_number(arg, "max()") for arg in args)


def _round(value: Value, digits: Value = _FALSE) -> Decimal:
    number = _number(value, "round()")
    places = _number(digits, "round()")
    if places != places.to_integral_value() or not -12 <= places <= 12:
        raise CannotCompute("round() takes a whole number of places from -12 to 12.")
    exponent = Decimal(1).scaleb(-int(places))
    return number.quantize(exponent, rounding=decimal.ROUND_HALF_UP)


def _abs(value: Value) -> Decimal:
    return abs(_number(value, "abs()"))


def _floor(value: Value) -> Decimal:
    return _number(value, "floor()").to_integral_value(rounding=decimal.ROUND_FLOOR)


def _ceil(value: Value) -> Decimal:
    return _number(value, "ceil()").to_integral_value(rounding=decimal.ROUND_CEILING)


def _sqrt(value: Value) -> Decimal:
    number = _number(value, "sqrt()")
    if number < 0:
        raise CannotCompute("sqrt() of a negative number.")
    return number.sqrt()


@dataclass(frozen=True)
class Function:
    call: Callable[..., Decimal]
    min_args: int
    max_args: int
    help: str


FUNCTIONS: dict[str, Function] = {
    "min": Function(_min, 1, MAX_ARGUMENTS, "the smallest of its arguments"),
    "max": Function(_max, 1, MAX_ARGUMENTS, "the largest of its arguments"),
    "round": Function(_round, 1, 2, "round(x) or round(x, places)"),
    "abs": Function(_abs, 1, 1, "the value without its sign"),
    "floor": Function(_floor, 1, 1, "rounded down to a whole number"),
    "ceil": Function(_ceil, 1, 1, "rounded up to a whole number"),
    "sqrt": Function(_sqrt, 1, 1, "the square root"),
}
# tier(table, x) is handled by the evaluator: its first argument is a table.
TABLE_FUNCTIONS = {"tier": "the value of the row with the largest key at or below x"}
RESERVED_NAMES = (
    set(FUNCTIONS) | set(TABLE_FUNCTIONS) | {"true", "false"} | set(keyword.kwlist)
)


# Tables -------------------------------------------------------------------------


def table_key(raw: object) -> Value:
    """Normalise a key typed by an editor or a visitor: numbers compare as numbers."""
    text = str(raw).strip()
    try:
        number = Decimal(text)
    except decimal.InvalidOperation:
        return text.casefold()
    if not number.is_finite() or abs(number) > MAX_MAGNITUDE:
        return text.casefold()
    with decimal.localcontext(_CONTEXT):
        return number.normalize() if number else Decimal(0)


@dataclass(frozen=True)
class Table:
    """An editor's lookup table: keys (numbers or text) to numbers."""

    name: str
    rows: dict[Value, Decimal] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, name: str, rows: Iterable[tuple[object, object]]) -> Table:
        parsed: dict[Value, Decimal] = {}
        for key, value in rows:
            parsed[table_key(key)] = parse_number(value)
        return cls(name=name, rows=parsed)

    def get(self, key: Value) -> Decimal:
        normal = table_key(key)
        try:
            return self.rows[normal]
        except KeyError:
            raise CannotCompute(f"{key} is not in the table {self.name}.") from None

    def tier(self, x: Value) -> Decimal:
        number = _number(x, "tier()")
        below = [key for key in self.rows if isinstance(key, Decimal) and key <= number]
        if not below:
            raise CannotCompute(f"{number} is below every key of {self.name}.")
        return self.rows[max(below)]


def parse_number(raw: object) -> Decimal:
    """A finite number within the allowed magnitude, or :class:`FormulaError`."""
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, bool):
        number = _TRUE if raw else _FALSE
    elif isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            raise CannotCompute("Numbers must be finite.")
        number = Decimal(repr(raw))
    else:
        text = str(raw).strip().replace(",", "")
        if len(text) > 40:
            raise CannotCompute("That number is too long.")
        try:
            number = Decimal(text)
        except decimal.InvalidOperation:
            raise CannotCompute(f"{text!r} is not a number.") from None
    return _checked(number)


def _checked(number: Decimal) -> Decimal:
    if not number.is_finite() or abs(number) > MAX_MAGNITUDE:
        raise CannotCompute("The result is too large.")
    return number


# Parsing ------------------------------------------------------------------------

_ALLOWED_NODES = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.IfExp,
    ast.Call,
    ast.Subscript,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.Pow,
    ast.UAdd,
    ast.USub,
    ast.Not,
    ast.And,
    ast.Or,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
)

_DESCRIPTIONS = {
    ast.Attribute: "dots (attribute access)",
    ast.Lambda: "lambda",
    ast.ListComp: "list comprehensions",
    ast.SetComp: "set comprehensions",
    ast.DictComp: "dict comprehensions",
    ast.GeneratorExp: "generator expressions",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Dict: "dicts",
    ast.Set: "sets",
    ast.JoinedStr: "f-strings",
    ast.NamedExpr: "assignments",
    ast.Starred: "star arguments",
    ast.Slice: "slices",
}


@dataclass(frozen=True)
class Formula:
    """A parsed, checked formula, ready to evaluate any number of times."""

    source: str
    tree: ast.Expression
    names: frozenset[str]
    tables: frozenset[str]

    def evaluate(
        self,
        variables: Mapping[str, Value],
        tables: Mapping[str, Table] | None = None,
    ) -> Value:
        return _Evaluator(variables, tables or {}).run(self.tree.body)


def parse(source: str) -> Formula:
    """Parse and check a formula; raise :class:`FormulaSyntaxError` when unsafe."""
    if not isinstance(source, str):
        raise FormulaSyntaxError("A formula must be text.")
    text = source.strip()
    if not text:
        raise FormulaSyntaxError("The formula is empty.")
    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaSyntaxError(
            f"The formula is too long (at most {MAX_FORMULA_LENGTH} characters)."
        )
    if "\n" in text or "\r" in text:
        raise FormulaSyntaxError("Write the formula on one line.")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise FormulaSyntaxError(_syntax_message(error)) from None
    except (ValueError, RecursionError, MemoryError):
        raise FormulaSyntaxError("The formula could not be read.") from None

    names, tables = _check(tree)
    return Formula(
        source=text, tree=tree, names=frozenset(names), tables=frozenset(tables)
    )


def _syntax_message(error: SyntaxError) -> str:
    where = f" at character {error.offset}" if error.offset else ""
    reason = (error.msg or "invalid syntax").rstrip(".")
    return f"The formula is not valid{where}: {reason}."


def _check(tree: ast.Expression) -> tuple[set[str], set[str]]:
    """Walk the tree once, iteratively: allow-list, size, depth, names and tables."""
    names: set[str] = set()
    tables: set[str] = set()
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise FormulaSyntaxError("The formula is too long; split it into values.")
        if depth > MAX_DEPTH:
            raise FormulaSyntaxError("The formula is nested too deeply.")
        if not isinstance(node, _ALLOWED_NODES):
            what = _DESCRIPTIONS.get(type(node), type(node).__name__)
            raise FormulaSyntaxError(f"Formulas cannot use {what}.")

        if isinstance(node, ast.Constant):
            _check_constant(node.value)
        elif isinstance(node, ast.Name):
            _check_name(node.id)
            names.add(node.id)
        elif isinstance(node, ast.Call):
            tables.update(_check_call(node))
            # The callee and any table argument are checked names, not values.
            skip = 1 if node.func.id in TABLE_FUNCTIONS else 0
            stack.extend((arg, depth + 1) for arg in node.args[skip:])
            continue
        elif isinstance(node, ast.Subscript):
            if not isinstance(node.value, ast.Name):
                raise FormulaSyntaxError(
                    "Square brackets only look up a value in a table: table[key]."
                )
            _check_name(node.value.id)
            tables.add(node.value.id)
            stack.append((node.slice, depth + 1))
            continue
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            _check_exponent(node.right)

        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return names, tables


def _check_constant(value: object) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
            raise FormulaSyntaxError("That number is too large.")
        return
    if isinstance(value, str):
        if len(value) > MAX_TEXT_LENGTH:
            raise FormulaSyntaxError("Text in a formula is limited to 100 characters.")
        return
    raise FormulaSyntaxError("Formulas use numbers and text in quotes only.")


def _check_name(name: str) -> None:
    if name.startswith("_") or not NAME_PATTERN.match(name):
        raise FormulaSyntaxError(
            f"{name!r} is not a usable name: use lowercase letters, digits and "
            "underscores, starting with a letter."
        )


def _check_call(node: ast.Call) -> set[str]:
    if not isinstance(node.func, ast.Name):
        raise FormulaSyntaxError("Only the listed functions can be called.")
    name = node.func.id
    if node.keywords:
        raise FormulaSyntaxError(f"{name}() takes no named arguments.")
    if name in TABLE_FUNCTIONS:
        if len(node.args) != 2 or not isinstance(node.args[0], ast.Name):
            raise FormulaSyntaxError(f"Use {name}(table, x) with a table's name.")
        _check_name(node.args[0].id)
        return {node.args[0].id}
    function = FUNCTIONS.get(name)
    if function is None:
        allowed = ", ".join(sorted([*FUNCTIONS, *TABLE_FUNCTIONS]))
        raise FormulaSyntaxError(f"{name}() is not a function here. Use: {allowed}.")
    if not function.min_args <= len(node.args) <= function.max_args:
        raise FormulaSyntaxError(f"{name}() has the wrong number of arguments.")
    return set()


def _check_exponent(node: ast.expr) -> None:
    """Constant exponents are checked now; computed ones when evaluated."""
    value = node
    while isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub | ast.UAdd):
        value = value.operand
    constant = isinstance(value, ast.Constant) and isinstance(value.value, int | float)
    if constant and abs(value.value) > MAX_EXPONENT:
        raise FormulaSyntaxError(f"Exponents are limited to {MAX_EXPONENT} either way.")


# Evaluation ---------------------------------------------------------------------


class _Evaluator:
    def __init__(self, variables: Mapping[str, Value], tables: Mapping[str, Table]):
        self.variables = variables
        self.tables = tables

    def run(self, node: ast.expr) -> Value:
        try:
            with decimal.localcontext(_CONTEXT):
                return self.visit(node)
        except FormulaError:
            raise
        except decimal.DivisionByZero:
            raise CannotCompute("Division by zero.") from None
        except decimal.Overflow:
            raise CannotCompute("The result is too large.") from None
        except (decimal.InvalidOperation, ArithmeticError, ValueError):
            raise CannotCompute("These numbers give no answer.") from None
        except RecursionError:
            raise FormulaSyntaxError("The formula is nested too deeply.") from None

    def visit(self, node: ast.expr) -> Value:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return node.value
            return parse_number(node.value)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.UnaryOp):
            operand = self.visit(node.operand)
            if isinstance(node.op, ast.Not):
                return _FALSE if self.truth(operand) else _TRUE
            number = _number(operand, "A sign")
            return -number if isinstance(node.op, ast.USub) else +number
        if isinstance(node, ast.BoolOp):
            return self.boolop(node)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.IfExp):
            chosen = node.body if self.truth(self.visit(node.test)) else node.orelse
            return self.visit(chosen)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Subscript):
            return self.table(node.value.id).get(self.visit(node.slice))
        # parse() rejects everything else; this guards Formula objects built by hand.
        raise FormulaSyntaxError(f"Formulas cannot use {type(node).__name__}.")

    def name(self, name: str) -> Value:
        if name == "true":
            return _TRUE
        if name == "false":
            return _FALSE
        try:
            value = self.variables[name]
        except KeyError:
            raise UnknownName(f"{name} is not defined.", [name]) from None
        if isinstance(value, str):
            return value
        return parse_number(value)

    def table(self, name: str) -> Table:
        try:
            return self.tables[name]
        except KeyError:
            raise UnknownName(f"There is no table called {name}.", [name]) from None

    def binop(self, node: ast.BinOp) -> Decimal:
        left = _number(self.visit(node.left), "Arithmetic")
        right = _number(self.visit(node.right), "Arithmetic")
        op = node.op
        if isinstance(op, ast.Add):
            result = left + right
        elif isinstance(op, ast.Sub):
            result = left - right
        elif isinstance(op, ast.Mult):
            result = left * right
        elif not right and isinstance(op, ast.Div | ast.FloorDiv | ast.Mod):
            raise CannotCompute("Division by zero.")
        elif isinstance(op, ast.Div):
            result = left / right
        elif isinstance(op, ast.FloorDiv):
            result = (left / right).to_integral_value(rounding=decimal.ROUND_FLOOR)
        elif isinstance(op, ast.Mod):
            result = left - right * (left / right).to_integral_value(
                rounding=decimal.ROUND_FLOOR
            )
        elif isinstance(op, ast.Pow):
            result = self.power(left, right)
        else:
            raise FormulaSyntaxError("That operator is not allowed.")
        return _checked(result)

    def power(self, base: Decimal, exponent: Decimal) -> Decimal:
        if abs(exponent) > MAX_EXPONENT:
            raise CannotCompute(f"Exponents are limited to {MAX_EXPONENT} either way.")
        if not base and exponent < 0:
            raise CannotCompute("Division by zero.")
        return base**exponent

    def boolop(self, node: ast.BoolOp) -> Value:
        is_and = isinstance(node.op, ast.And)
        value: Value = _TRUE if is_and else _FALSE
        for operand in node.values:
            value = self.visit(operand)
            if self.truth(value) != is_and:
                break
        return _TRUE if self.truth(value) else _FALSE

    def compare(self, node: ast.Compare) -> Decimal:
        left = self.visit(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.visit(right_node)
            if not _compare(op, left, right):
                return _FALSE
            left = right
        return _TRUE

    def call(self, node: ast.Call) -> Decimal:
        name = node.func.id
        if name in TABLE_FUNCTIONS:
            return self.table(node.args[0].id).tier(self.visit(node.args[1]))
        function = FUNCTIONS[name]
        return _checked(function.call(*(self.visit(arg) for arg in node.args)))

    @staticmethod
    def truth(value: Value) -> bool:
        return bool(value)


def _compare(op: ast.cmpop, left: Value, right: Value) -> bool:
    if isinstance(op, ast.Eq | ast.NotEq):
        if isinstance(left, str) or isinstance(right, str):
            equal = table_key(left) == table_key(right)
        else:
            equal = left == right
        return equal if isinstance(op, ast.Eq) else not equal
    left_number = _number(left, "Comparing sizes")
    right_number = _number(right, "Comparing sizes")
    if isinstance(op, ast.Lt):
        return left_number < right_number
    if isinstance(op, ast.LtE):
        return left_number <= right_number
    if isinstance(op, ast.Gt):
        return left_number > right_number
    return left_number >= right_number


# A calculator's formulas together ---------------------------------------------------


def evaluation_order(
    formulas: Mapping[str, Formula],
    *,
    inputs: Iterable[str],
    tables: Iterable[str] = (),
) -> list[str]:
    """Order computed names so each comes after the names it uses.

    Raise :class:`UnknownName` naming the first formula (in the mapping's order)
    that uses an undefined name or table, and :class:`FormulaCycle` with the names
    caught in a loop.
    """
    known = set(inputs) | set(formulas) | {"true", "false"}
    table_names = set(tables)
    for name, formula in formulas.items():
        missing = formula.names - known
        if missing:
            tables_used_as_values = missing & table_names
            if tables_used_as_values:
                raise UnknownName(
                    f"{', '.join(sorted(tables_used_as_values))} is a table: use "
                    "table[key] or tier(table, x).",
                    [name],
                )
            raise UnknownName(
                f"Unknown name{'s' if len(missing) > 1 else ''}: "
                f"{', '.join(sorted(missing))}.",
                [name],
            )
        missing_tables = formula.tables - table_names
        if missing_tables:
            raise UnknownName(
                f"Unknown table{'s' if len(missing_tables) > 1 else ''}: "
                f"{', '.join(sorted(missing_tables))}.",
                [name],
            )

    order: list[str] = []
    state: dict[str, int] = {}  # 1: being visited, 2: done
    for start in formulas:
        if state.get(start):
            continue
        # Iterative depth-first search so long chains cannot exhaust the stack.
        path: list[str] = []
        stack: list[tuple[str, Iterable[str]]] = [(start, iter(_deps(formulas, start)))]
        state[start] = 1
        path.append(start)
        while stack:
            name, deps = stack[-1]
            for dep in deps:
                if state.get(dep) == 1:
                    loop = path[path.index(dep) :]
                    raise FormulaCycle(
                        "These values depend on each other in a loop: "
                        + " → ".join([*loop, dep])
                        + ".",
                        loop,
                    )
                if not state.get(dep):
                    state[dep] = 1
                    path.append(dep)
                    stack.append((dep, iter(_deps(formulas, dep))))
                    break
            else:
                stack.pop()
                path.pop()
                state[name] = 2
                order.append(name)
    return order


def _deps(formulas: Mapping[str, Formula], name: str) -> list[str]:
    return sorted(dep for dep in formulas[name].names if dep in formulas)


def evaluate_all(
    formulas: Mapping[str, Formula],
    order: Iterable[str],
    *,
    inputs: Mapping[str, Value],
    tables: Mapping[str, Table] | None = None,
) -> dict[str, Value | FormulaError]:
    """Evaluate every formula in order; a failure is kept as that name's result.

    A formula that uses a failed value fails with the same error, so "cannot
    compute" shows on every output that depends on it and on no other.
    """
    results: dict[str, Value | FormulaError] = {}
    variables: dict[str, Value] = dict(inputs)
    for name in order:
        formula = formulas[name]
        failed = [
            results[dep]
            for dep in sorted(formula.names)
            if isinstance(results.get(dep), FormulaError)
        ]
        if failed:
            results[name] = failed[0]
            continue
        try:
            value = formula.evaluate(variables, tables)
        except FormulaError as error:
            results[name] = error
            continue
        results[name] = value
        variables[name] = value
    return results


# Formatting results ---------------------------------------------------------------

CURRENCIES = {
    "GBP": ("£", "Pound sterling (£)"),
    "EUR": ("€", "Euro (€)"),
    "USD": ("$", "US dollar ($)"),
    "AUD": ("A$", "Australian dollar (A$)"),
    "NZD": ("NZ$", "New Zealand dollar (NZ$)"),
    "CAD": ("C$", "Canadian dollar (C$)"),
}

# Each duration unit, how it is spoken, and the next smaller unit a remainder
# is shown in ("2 years 3 months"), with how many of those make one.
DURATION_UNITS = {
    "minutes": ("minute", None, 0),
    "hours": ("hour", "minutes", 60),
    "days": ("day", "hours", 24),
    "weeks": ("week", "days", 7),
    "months": ("month", "weeks", Decimal("4.345")),
    "years": ("year", "months", 12),
}

FORMATS = {
    "number": "Number",
    "currency": "Money",
    "percent": "Percentage (0.25 shows as 25%)",
    "duration": "Duration",
}


def format_value(
    value: Value,
    *,
    style: str = "number",
    decimals: int | None = None,
    currency: str = "GBP",
    unit: str = "",
) -> str:
    """Show a computed value the way a visitor reads it.

    ``decimals`` of None means: none for money, up to one for a percentage and
    up to two for a number, trailing zeros dropped. A duration's ``unit`` is the
    unit the formula computes in (one of :data:`DURATION_UNITS`); for the other
    styles it is a word shown after the number ("hours", "m²").
    """
    if isinstance(value, str):
        return value
    if style == "currency":
        symbol = CURRENCIES.get(currency, (currency + " ", ""))[0]
        text = _grouped(abs(value), 0 if decimals is None else decimals, fixed=True)
        return ("-" if value < 0 and text.strip("0.,") else "") + symbol + text
    if style == "percent":
        text = _grouped(value * 100, 1 if decimals is None else decimals)
        return f"{text}%"
    if style == "duration":
        return _duration(value, unit or "hours")
    text = _grouped(value, 2 if decimals is None else decimals)
    return f"{text} {unit}".strip()


def format_range(low: str, high: str) -> str:
    return low if low == high else f"{low} to {high}"


def _grouped(value: Decimal, decimals: int, *, fixed: bool = False) -> str:
    decimals = max(0, min(decimals, 6))
    with decimal.localcontext(_CONTEXT):
        rounded = value.quantize(Decimal(1).scaleb(-decimals), decimal.ROUND_HALF_UP)
    text = f"{rounded:,.{decimals}f}"
    if not fixed and "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _duration(value: Decimal, unit: str) -> str:
    singular, smaller, per = DURATION_UNITS.get(unit, DURATION_UNITS["hours"])
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole = int(value)
    parts = []
    if whole:
        parts.append(_plural(whole, singular))
    if smaller:
        rest = int(((value - whole) * per).to_integral_value(decimal.ROUND_HALF_UP))
        if rest >= per:
            # Rounding the remainder up made a whole unit ("1 hour 60 minutes").
            parts = [_plural(whole + 1, singular)]
        elif rest:
            parts.append(_plural(rest, DURATION_UNITS[smaller][0]))
    elif not whole and value:
        return f"{sign}less than 1 {singular}"
    if not parts:
        return _plural(0, singular)
    return sign + " ".join(parts)


def _plural(count: int, singular: str) -> str:
    return f"{count:,} {singular}{'' if count == 1 else 's'}"
