"""Week-by-week trend charts as plain SVG geometry for a template.

No chart library: a line through the weeks that have a figure, a dot per
week, a baseline and a top gridline with its value. Weeks without data leave
a gap rather than dropping to zero.
"""

from dataclasses import dataclass, field
from datetime import date

from insights.presentation import format_value

WIDTH = 320
HEIGHT = 120
PAD_LEFT = 8
PAD_RIGHT = 8
PAD_TOP = 16
PAD_BOTTOM = 20


@dataclass(frozen=True)
class Point:
    week: date
    value: float | None
    n: int
    text: str
    x: float = 0
    y: float = 0


@dataclass
class Chart:
    key: str
    title: str
    unit: str
    points: list[Point] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    top_label: str = ""
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def baseline_y(self) -> float:
        return HEIGHT - PAD_BOTTOM

    @property
    def top_y(self) -> float:
        return PAD_TOP

    @property
    def has_data(self) -> bool:
        return any(point.value is not None for point in self.points)

    @property
    def description(self) -> str:
        known = [point for point in self.points if point.value is not None]
        if not known:
            return f"No weekly figures yet for {self.title.lower()}."
        first, last = known[0], known[-1]
        return (
            f"{self.title}, week by week: {first.text} in the week of "
            f"{first.week:%-d %b}, {last.text} in the week of {last.week:%-d %b}."
        )


def top_of(values: list[float], unit: str) -> float:
    highest = max(values, default=0)
    if unit == "share":
        return 1.0
    if highest <= 0:
        return 1.0
    return highest * 1.1


def trend_chart(
    *, key: str, title: str, unit: str, weeks: list[date], rows: dict, currency="GBP"
) -> Chart:
    """A chart of ``rows`` (week -> (value, n)) over ``weeks``."""
    values = [rows[week][0] for week in weeks if rows.get(week, (None,))[0] is not None]
    top = top_of(values, unit)
    span_x = WIDTH - PAD_LEFT - PAD_RIGHT
    span_y = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = span_x / max(len(weeks) - 1, 1)
    points = []
    for index, week in enumerate(weeks):
        value, n = rows.get(week, (None, 0))
        x = PAD_LEFT + index * step if len(weeks) > 1 else PAD_LEFT + span_x / 2
        y = PAD_TOP + span_y * (1 - (value / top)) if value is not None else 0
        points.append(
            Point(
                week=week,
                value=value,
                n=n,
                text=format_value(value, unit, currency),
                x=round(x, 1),
                y=round(y, 1),
            )
        )

    paths, current = [], []
    for point in points:
        if point.value is None:
            if len(current) > 1:
                paths.append(current)
            current = []
            continue
        current.append(point)
    if len(current) > 1:
        paths.append(current)
    return Chart(
        key=key,
        title=title,
        unit=unit,
        points=points,
        paths=[
            "M" + " L".join(f"{point.x},{point.y}" for point in segment)
            for segment in paths
        ],
        top_label=format_value(top, unit, currency),
    )
