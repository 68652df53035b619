"""How a figure reads on screen: its value in words, or "too few to tell"."""

from dataclasses import dataclass

from insights.metrics import COUNT, DAYS, MONEY, SECONDS, SHARE, Figure

TOO_FEW = "Too few to tell"


def format_value(value: float | None, unit: str, currency: str = "GBP") -> str:
    if value is None:
        return "—"
    if unit == SHARE:
        return f"{value:.0%}"
    if unit == SECONDS:
        minutes, seconds = divmod(round(value), 60)
        return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"
    if unit == DAYS:
        return f"{value:.0f} days" if value >= 10 else f"{value:.1f} days"
    if unit == MONEY:
        return f"{currency} {value:,.0f}"
    return f"{value:,.0f}"


@dataclass(frozen=True)
class Shown:
    """A figure ready for a template: ``text`` never hides a small sample."""

    text: str
    n: int
    numerator: float
    too_few: bool
    value: float | None


def show(figure: Figure, unit: str, *, min_n: int, currency: str = "GBP") -> Shown:
    """Counts always show; any other figure with n below ``min_n`` reads as
    "too few to tell", and with n of zero as "no data"."""
    if unit == COUNT:
        return Shown(
            text=format_value(figure.value or 0, unit),
            n=figure.n,
            numerator=figure.numerator,
            too_few=False,
            value=figure.value,
        )
    if figure.n == 0:
        text, too_few = "No data yet", True
    elif figure.n < min_n:
        text, too_few = TOO_FEW, True
    else:
        text, too_few = format_value(figure.value, unit, currency), False
    return Shown(
        text=text,
        n=figure.n,
        numerator=figure.numerator,
        too_few=too_few,
        value=figure.value,
    )
