"""Cohort comparisons of deals closed in a period.

The educated cohorts and the engagement bands come from one grouped query over
deals, annotated in the database with whether the prospect was educated and how
much they read.

- **Educated**: the prospect finished an assignment (every required piece,
  ``Assignment.completed_at``) no later than their first call. A prospect who
  was never called counts as educated if they finished one at all.
- **Engagement band**: the prospect's total engaged minutes across their own
  consenting browsers (forwarded colleagues never count): none, light (under
  ``DEEP_MINUTES``) or deep. Prospects who do not share progress read as none.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from insights.metrics import CYCLE, Figure, closed_deals, duration_days
from insights.models import Outcome
from insights.periods import Period
from sales.models import Assignment, Call, Consent, Source, Viewer
from tracking.models import VisitorPageProgress

DEEP_MINUTES = 15
NEVER = datetime(9999, 12, 31, tzinfo=UTC)

BANDS = [
    ("none", "Did not read"),
    ("light", f"Under {DEEP_MINUTES} minutes"),
    ("deep", f"{DEEP_MINUTES}+ minutes"),
]

# Widely quoted B2B MQL to SQL band, and the spread of public benchmarks.
MQL_SQL_BAND = (0.13, 0.27)
MQL_SQL_BENCHMARK_RANGE = (0.12, 0.60)


def first_call_of_prospect():
    return Subquery(
        Call.objects.filter(prospect_id=OuterRef("prospect_id"))
        .order_by("starts_at")
        .values("starts_at")[:1]
    )


def engaged_seconds_of_prospect():
    viewers = (
        Viewer.objects.filter(
            assignment__prospect_id=OuterRef(OuterRef("prospect_id")),
            role=Viewer.Role.PROSPECT,
            consent=Consent.YES,
            visitor__isnull=False,
        )
        .order_by()
        .values("visitor_id")
    )
    total = (
        VisitorPageProgress.objects.filter(visitor_id__in=Subquery(viewers))
        .order_by()
        .annotate(total=Func(F("engaged_seconds"), function="SUM"))
        .values("total")[:1]
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def prospect_engaged() -> Exists:
    """Whether the prospect's own consenting browsers have any engaged time.

    The same test as ``engaged_seconds_of_prospect() > 0`` (engaged seconds
    are never negative), as a join the database can run for a whole set of
    rows at once when the condition filters them.
    """
    return Exists(
        Viewer.objects.filter(
            assignment__prospect_id=OuterRef("prospect_id"),
            role=Viewer.Role.PROSPECT,
            consent=Consent.YES,
            visitor__progress__engaged_seconds__gt=0,
        )
    )


def annotated_deals(period: Period, owner=None):
    """Closed deals annotated with ``educated`` (bool) and ``band`` (str)."""
    completed = Assignment.objects.filter(
        prospect_id=OuterRef("prospect_id"),
        revoked_at__isnull=True,
        completed_at__isnull=False,
        completed_at__lte=OuterRef("cutoff"),
    )
    deep = DEEP_MINUTES * 60
    return (
        closed_deals(period, owner)
        .annotate(
            cutoff=Coalesce(
                first_call_of_prospect(), Value(NEVER), output_field=DateTimeField()
            ),
            engaged=engaged_seconds_of_prospect(),
        )
        .annotate(
            educated=Exists(completed),
            band=Case(
                When(engaged__gte=deep, then=Value("deep")),
                When(engaged__gt=0, then=Value("light")),
                default=Value("none"),
            ),
        )
    )


@dataclass(frozen=True)
class Cohort:
    key: str
    label: str
    close_rate: Figure
    cycle_days: Figure
    deal_size: Figure


def deal_cohorts(
    period: Period, owner=None, *, currency: str = "GBP"
) -> tuple[list[Cohort], list[tuple[str, str, Figure]]]:
    """The educated cohorts and the close rate per engagement band. One query.

    Deals are grouped by both traits at once; each comparison adds up the
    groups it needs.
    """
    won = Q(outcome=Outcome.WON)
    won_here = won & Q(currency=currency)
    groups = list(
        annotated_deals(period, owner)
        .values("educated", "band")
        .annotate(
            n=Count("pk"),
            won=Count("pk", filter=won),
            cycle=Sum(CYCLE, filter=won),
            won_here=Count("pk", filter=won_here),
            amount=Sum("amount", filter=won_here),
        )
        .order_by()
    )

    def total(field: str, **trait) -> float:
        return sum(
            duration_days(row[field]) if field == "cycle" else row[field] or 0
            for row in groups
            if all(row[key] == value for key, value in trait.items())
        )

    cohorts = [
        Cohort(
            key=key,
            label=label,
            close_rate=Figure.share(
                total("won", educated=flag), total("n", educated=flag)
            ),
            cycle_days=Figure.mean(
                total("cycle", educated=flag), total("won", educated=flag)
            ),
            deal_size=Figure.mean(
                total("amount", educated=flag), total("won_here", educated=flag)
            ),
        )
        for key, label, flag in (
            ("educated", "Educated before the first call", True),
            ("uneducated", "Not educated", False),
        )
    ]
    bands = [
        (key, label, Figure.share(total("won", band=key), total("n", band=key)))
        for key, label in BANDS
    ]
    return cohorts, bands


def educated_cohorts(period: Period, owner=None, *, currency: str = "GBP"):
    """Close rate, mean cycle (won) and mean deal size (won) per cohort.

    Deal size adds only deals in ``currency``. One query.
    """
    return deal_cohorts(period, owner, currency=currency)[0]


def close_rate_by_band(period: Period, owner=None) -> list[tuple[str, str, Figure]]:
    """Close rate (won / won + lost) per engagement band. One query."""
    return deal_cohorts(period, owner)[1]


def lifetime_value_by_source(
    period: Period, owner=None, *, currency: str = "GBP"
) -> list[tuple[str, str, Figure]]:
    """Mean lifetime value of won deals per acquisition source. One query.

    n per source: won deals closed in the period in ``currency`` with a
    lifetime value recorded; deals without one are left out, not read as 0.
    Sources with no such deal are omitted.
    """
    rows = (
        closed_deals(period, owner)
        .filter(outcome=Outcome.WON, currency=currency, lifetime_value__isnull=False)
        .values("source")
        .annotate(n=Count("pk"), total=Sum("lifetime_value"))
        .order_by("source")
    )
    labels = dict(Source.choices)
    found = [
        (row["source"], labels.get(row["source"], row["source"]), row) for row in rows
    ]
    return sorted(
        (
            (key, label, Figure.mean(row["total"], row["n"]))
            for key, label, row in found
        ),
        key=lambda item: -(item[2].value or 0),
    )


@dataclass(frozen=True)
class UnqualifiedCost:
    """Time and money spent on calls with prospects who never engaged."""

    calls: int
    hours: float
    cost: float
    what_if_low: float
    what_if_high: float
    reps: int
    weeks: float


# Hours a week each rep spends on leads that go nowhere, as commonly quoted.
QUOTED_WASTED_HOURS = (5, 7)


def unqualified_calls(period: Period, owner=None, *, now=None) -> int:
    """Calls held in the period with prospects who read nothing and never won.

    A prospect "read nothing" when their own consenting browsers have no
    engaged time at all (prospects who do not share progress count as not
    engaged); "never won" means no won deal. One query, two anti-joins.
    """
    from insights.models import Deal

    now = now or timezone.now()
    calls = Call.objects.filter(
        starts_at__gte=period.start_at, starts_at__lt=min(period.end_at, now)
    )
    if owner is not None:
        calls = calls.filter(prospect__owner=owner)
    won = Deal.objects.filter(prospect_id=OuterRef("prospect_id"), outcome=Outcome.WON)
    return calls.filter(~prospect_engaged(), ~Exists(won)).count()


def unqualified_cost(
    period: Period, owner=None, *, hours_per_call, cost_per_hour, reps: int, now=None
) -> UnqualifiedCost:
    """Time and money of ``unqualified_calls``, beside the quoted what-if.

    ``hours = calls x hours_per_call``; ``cost = hours x cost_per_hour``.
    Beside it, the commonly quoted what-if: 5 to 7 hours a rep a week over the
    period's weeks. One query.
    """
    return cost_of_calls(
        unqualified_calls(period, owner, now=now),
        period,
        hours_per_call=hours_per_call,
        cost_per_hour=cost_per_hour,
        reps=reps,
    )


def cost_of_calls(
    count: int, period: Period, *, hours_per_call, cost_per_hour, reps: int
) -> UnqualifiedCost:
    """The cost of ``count`` unqualified calls; no query."""
    hours = count * float(hours_per_call)
    weeks = period.days / 7
    low, high = QUOTED_WASTED_HOURS
    rate = float(cost_per_hour)
    return UnqualifiedCost(
        calls=count,
        hours=hours,
        cost=hours * rate,
        what_if_low=low * reps * weeks * rate,
        what_if_high=high * reps * weeks * rate,
        reps=reps,
        weeks=weeks,
    )
