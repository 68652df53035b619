"""Reporting periods: whole weeks starting on Monday, or custom date ranges."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

PRESET_WEEKS = (4, 12, 26)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Period:
    """Days from ``start`` (inclusive) to ``end`` (exclusive), in local time."""

    start: date
    end: date

    @classmethod
    def last_weeks(cls, weeks: int, *, today: date | None = None) -> "Period":
        """The current week and the ``weeks - 1`` before it, up to today."""
        today = today or timezone.localdate()
        start = monday_of(today) - timedelta(weeks=weeks - 1)
        return cls(start=start, end=today + timedelta(days=1))

    @classmethod
    def week_of(cls, monday: date) -> "Period":
        return cls(start=monday, end=monday + timedelta(days=7))

    @property
    def start_at(self) -> datetime:
        return start_of_day(self.start)

    @property
    def end_at(self) -> datetime:
        return start_of_day(self.end)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def weeks(self) -> list[date]:
        """The Mondays of every week that overlaps the period."""
        monday = monday_of(self.start)
        mondays = []
        while monday < self.end:
            mondays.append(monday)
            monday += timedelta(days=7)
        return mondays

    @property
    def label(self) -> str:
        return f"{self.start:%-d %b %Y} to {self.last_day:%-d %b %Y}"
