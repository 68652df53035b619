"""The trust metrics of the product brief, computed in the database.

Every metric reads roll-up tables (tracking's per-page-view and per-visitor
progress, visits) and the sales tables, never raw events, and costs a fixed
number of queries whatever the volume of data. Each returns a ``Figure``: the
value, its numerator and its denominator ``n``, so every figure can be shown
with the number of cases behind it.

A metric's *scope* is the whole team (``owner=None``) or one salesperson.
Reading by anonymous visitors belongs to no salesperson: in a salesperson's
scope the engagement metrics count only the reading of their own prospects
(consenting browsers that opened the prospect's own link).

Units: ``share`` is a fraction 0..1; ``seconds``; ``days``; ``money`` in the
team's reporting currency; ``count`` is a plain number of events.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.utils import timezone
from wagtail.models import Page

from content.models import ContentKind, kind_filter
from insights.models import Deal, Outcome
from insights.periods import Period
from sales.models import Assignment, AssignmentItem, Call, Consent, Prospect, Viewer
from tracking.models import PageViewProgress, Status, Visitor, VisitorPageProgress

LONG_READ_SECONDS = 180
DEEP_SCROLL_PERCENT = 80

SHARE = "share"
SECONDS = "seconds"
DAYS = "days"
MONEY = "money"
COUNT = "count"

ENGAGEMENT = "engagement"
SELF_QUALIFICATION = "self_qualification"
SALES_IMPACT = "sales_impact"
GROUPS = {
    ENGAGEMENT: "Engagement and education",
    SELF_QUALIFICATION: "Self-qualification",
    SALES_IMPACT: "Sales impact",
}


@dataclass(frozen=True)
class Figure:
    """One metric over one period: ``value`` is None when ``n`` is zero."""

    value: float | None
    numerator: float
    n: int

    @classmethod
    def share(cls, part: int, whole: int) -> "Figure":
        return cls(value=part / whole if whole else None, numerator=part, n=whole)

    @classmethod
    def mean(cls, total, count: int) -> "Figure":
        total = float(total or 0)
        return cls(value=total / count if count else None, numerator=total, n=count)


# Scopes --------------------------------------------------------------------


def prospect_visitors(owner=None):
    """Tracking visitors of prospects' own consenting browsers, as a subquery.

    Forwarded viewers never count; with ``owner``, only that salesperson's
    prospects.
    """
    viewers = Viewer.objects.filter(
        role=Viewer.Role.PROSPECT, consent=Consent.YES, visitor__isnull=False
    )
    if owner is not None:
        viewers = viewers.filter(assignment__prospect__owner=owner)
    return viewers.values("visitor_id")


def pages_of(*kinds: str):
    condition = Q(pk__in=[])
    for kind in kinds:
        condition |= kind_filter(kind)
    return Page.objects.filter(condition).values("pk")


NON_TEXT_KINDS = (ContentKind.VIDEO, ContentKind.CALCULATOR, ContentKind.ASSESSMENT)


def page_views(period: Period, owner=None):
    """Page views (rolled up) that started in the period, in the scope."""
    views = PageViewProgress.objects.filter(
        first_seen__gte=period.start_at, first_seen__lt=period.end_at
    )
    if owner is not None:
        views = views.filter(page_view__visitor_id__in=prospect_visitors(owner))
    return views


def reads(period: Period, owner=None):
    """Page views with any engaged time: a *read*."""
    return page_views(period, owner).filter(engaged_seconds__gt=0)


def text_reads(period: Period, owner=None):
    """Reads of pieces with a body to read (not videos, calculators, quizzes)."""
    return reads(period, owner).exclude(page_id__in=pages_of(*NON_TEXT_KINDS))


# Engagement and education --------------------------------------------------


def median_engaged_seconds(period: Period, owner=None) -> Figure:
    """Median engaged seconds per read of educational text.

    n: reads (page views with engaged time > 0) of guides and articles that
    started in the period; page views with no engagement are not reads and do
    not count. With an even n the two middle reads are averaged. Two queries:
    the count, then the middle one or two values in sorted order.
    """
    rows = text_reads(period, owner)
    n = rows.count()
    if not n:
        return Figure(value=None, numerator=0, n=0)
    middle = list(
        rows.order_by("engaged_seconds").values_list("engaged_seconds", flat=True)[
            (n - 1) // 2 : n // 2 + 1
        ]
    )
    return Figure(value=sum(middle) / len(middle), numerator=0, n=n)


def long_read_share(period: Period, owner=None) -> Figure:
    """Share of reads of educational text with 3 or more engaged minutes.

    ``reads with engaged_seconds >= 180 / reads``; n as for the median.
    """
    counts = text_reads(period, owner).aggregate(
        n=Count("pk"),
        long=Count("pk", filter=Q(engaged_seconds__gte=LONG_READ_SECONDS)),
    )
    return Figure.share(counts["long"], counts["n"])


def deep_scroll_share(period: Period, owner=None) -> Figure:
    """Share of reads of educational text that reached 80% of the body or more.

    Depth is measured against the article body, not the page; n as for the
    median.
    """
    counts = text_reads(period, owner).aggregate(
        n=Count("pk"), deep=Count("pk", filter=Q(max_depth__gte=DEEP_SCROLL_PERCENT))
    )
    return Figure.share(counts["deep"], counts["n"])


def return_visitor_rate(period: Period, owner=None) -> Figure:
    """Share of known visitors with two or more visits starting in the period.

    n: visitors (consenting browsers; anonymous readers have no identity to
    return with) with at least one visit starting in the period. A visit ends
    after 30 minutes without activity.
    """
    in_period = Q(
        visits__started_at__gte=period.start_at, visits__started_at__lt=period.end_at
    )
    visitors = Visitor.objects.all()
    if owner is not None:
        visitors = visitors.filter(pk__in=prospect_visitors(owner))
    counts = (
        visitors.annotate(visit_total=Count("visits", filter=in_period))
        .filter(visit_total__gte=1)
        .aggregate(n=Count("pk"), returning=Count("pk", filter=Q(visit_total__gte=2)))
    )
    return Figure.share(counts["returning"], counts["n"])


def video_completion_rate(period: Period, owner=None) -> Figure:
    """Share of video plays that reached the finish share of the duration (90%).

    n: page views of video pieces that started in the period and played at
    least ``TRACKING_VIDEO_MIN_PLAY_SECONDS`` (shorter plays are ignored);
    completed: tracking marked them finished (each second counted once).
    """
    counts = (
        page_views(period, owner)
        .filter(
            page_id__in=pages_of(ContentKind.VIDEO),
            video_seconds__gte=settings.TRACKING_VIDEO_MIN_PLAY_SECONDS,
        )
        .aggregate(n=Count("pk"), done=Count("pk", filter=Q(status=Status.FINISHED)))
    )
    return Figure.share(counts["done"], counts["n"])


# Self-qualification --------------------------------------------------------


def finished_by_prospect(page_ref: str, prospect_ref: str) -> Exists:
    """Whether the prospect's own consenting browsers finished the page."""
    viewers = Viewer.objects.filter(
        assignment__prospect_id=OuterRef(OuterRef(prospect_ref)),
        role=Viewer.Role.PROSPECT,
        consent=Consent.YES,
        visitor__isnull=False,
    ).values("visitor_id")
    return Exists(
        VisitorPageProgress.objects.filter(
            page_id=OuterRef(page_ref),
            status=Status.FINISHED,
            visitor_id__in=Subquery(viewers),
        )
    )


def assignment_completion_rate(period: Period, owner=None) -> Figure:
    """Finished required assigned pieces / required assigned pieces.

    n: required pieces of assignments created in the period and not revoked.
    A piece counts as finished when the prospect's own browsers (with consent
    to share; forwarded viewers never count) finished it, whenever that was.
    Pieces of prospects who do not share progress count as not finished.
    """
    items = AssignmentItem.objects.filter(
        required=True,
        assignment__revoked_at__isnull=True,
        assignment__created_at__gte=period.start_at,
        assignment__created_at__lt=period.end_at,
    )
    if owner is not None:
        items = items.filter(assignment__prospect__owner=owner)
    counts = items.annotate(
        finished=finished_by_prospect("page_id", "assignment__prospect_id")
    ).aggregate(n=Count("pk"), done=Count("pk", filter=Q(finished=True)))
    return Figure.share(counts["done"], counts["n"])


def calls_prepared_rate(period: Period, owner=None, *, now=None) -> Figure:
    """Share of calls where the prospect had finished the reading beforehand.

    n: calls held in the period (started before now) with at least one
    non-revoked assignment for that call; prepared: one of those assignments
    was complete (every required piece finished) before the call started.
    """
    now = now or timezone.now()
    assigned = Assignment.objects.filter(call=OuterRef("pk"), revoked_at__isnull=True)
    calls = Call.objects.filter(
        starts_at__gte=period.start_at,
        starts_at__lt=min(period.end_at, now),
    )
    if owner is not None:
        calls = calls.filter(prospect__owner=owner)
    counts = (
        calls.annotate(
            assigned=Exists(assigned),
            prepared=Exists(assigned.filter(completed_at__lte=OuterRef("starts_at"))),
        )
        .filter(assigned=True)
        .aggregate(n=Count("pk"), done=Count("pk", filter=Q(prepared=True)))
    )
    return Figure.share(counts["done"], counts["n"])


def kind_reads(kind: str, period: Period, owner=None, *, engaged: bool) -> Figure:
    counts = (reads if engaged else page_views)(period, owner).aggregate(
        n=Count("pk"), part=Count("pk", filter=Q(page_id__in=pages_of(kind)))
    )
    return Figure(value=counts["part"], numerator=counts["part"], n=counts["n"])


def comparison_reads(period: Period, owner=None) -> Figure:
    """Reads (engaged page views) of comparison pieces in the period.

    A count; n is every read in the period, for context.
    """
    return kind_reads(ContentKind.COMPARISON, period, owner, engaged=True)


def problem_views(period: Period, owner=None) -> Figure:
    """Page views of problem and limitation pieces in the period.

    A count of page views that ran the tracker (link scanners never do); n is
    every page view in the period, for context.
    """
    return kind_reads(ContentKind.PROBLEM, period, owner, engaged=False)


def calculator_usage(period: Period, owner=None) -> Figure:
    """Share of calculator visits that computed a result from the visitor's inputs.

    Anonymous visitors are measured without a cookie, so the unit is the page
    view: n is page views of calculators that started in the period, the
    numerator those with a completion recorded.
    """
    counts = (
        page_views(period, owner)
        .filter(page_id__in=pages_of(ContentKind.CALCULATOR))
        .aggregate(n=Count("pk"), used=Count("pk", filter=Q(completion__isnull=False)))
    )
    return Figure.share(counts["used"], counts["n"])


# Sales impact --------------------------------------------------------------


def closed_deals(period: Period, owner=None):
    """Deals won or lost with ``closed_on`` in the period."""
    deals = Deal.objects.filter(
        outcome__in=[Outcome.WON, Outcome.LOST],
        closed_on__gte=period.start,
        closed_on__lt=period.end,
    )
    if owner is not None:
        deals = deals.filter(prospect__owner=owner)
    return deals


CYCLE = ExpressionWrapper(F("closed_on") - F("opened_on"), output_field=DurationField())


def duration_days(value) -> float:
    """Days in an aggregated duration (a timedelta, or microseconds on SQLite)."""
    if value is None:
        return 0.0
    if isinstance(value, int | float | Decimal):
        return float(value) / 86_400_000_000
    return value.total_seconds() / 86_400


def close_rate(period: Period, owner=None) -> Figure:
    """Won / (won + lost) for deals closed in the period; open deals are left out."""
    counts = closed_deals(period, owner).aggregate(
        n=Count("pk"), won=Count("pk", filter=Q(outcome=Outcome.WON))
    )
    return Figure.share(counts["won"], counts["n"])


def cycle_days(period: Period, owner=None) -> Figure:
    """Mean days from first touch (``opened_on``) to close of deals won in the period.

    n: won deals closed in the period. Lost deals are left out: their cycle
    ends in no sale.
    """
    totals = (
        closed_deals(period, owner)
        .filter(outcome=Outcome.WON)
        .aggregate(n=Count("pk"), total=Sum(CYCLE))
    )
    return Figure.mean(duration_days(totals["total"]), totals["n"])


def deal_size(period: Period, owner=None, *, currency: str = "GBP") -> Figure:
    """Mean amount of deals won in the period, in the reporting currency.

    n: won deals closed in the period in ``currency``; deals in other
    currencies are left out rather than converted.
    """
    totals = (
        closed_deals(period, owner)
        .filter(outcome=Outcome.WON, currency=currency)
        .aggregate(n=Count("pk"), total=Sum("amount"))
    )
    return Figure.mean(totals["total"], totals["n"])


def mql_to_sql(period: Period, owner=None) -> Figure:
    """Share of prospects who became MQL in the period and have since become SQL.

    n: prospects with ``became_mql_at`` in the period; converted: those with
    a ``became_sql_at``. Prospects never marked MQL are left out.
    """
    prospects = Prospect.objects.filter(
        became_mql_at__gte=period.start_at, became_mql_at__lt=period.end_at
    )
    if owner is not None:
        prospects = prospects.filter(owner=owner)
    counts = prospects.aggregate(
        n=Count("pk"), sql=Count("pk", filter=Q(became_sql_at__isnull=False))
    )
    return Figure.share(counts["sql"], counts["n"])


# The registry --------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    group: str
    unit: str
    compute: Callable[..., Figure]
    help: str
    snapshot: bool = True
    needs_currency: bool = False

    @property
    def is_count(self) -> bool:
        return self.unit == COUNT

    def figure(self, period: Period, owner=None, *, currency: str = "GBP") -> Figure:
        if self.needs_currency:
            return self.compute(period, owner, currency=currency)
        return self.compute(period, owner)


METRICS = [
    Metric(
        "median_engaged",
        "Median engaged time per read",
        ENGAGEMENT,
        SECONDS,
        median_engaged_seconds,
        "Half of the reads of guides and articles held attention longer.",
    ),
    Metric(
        "long_read_share",
        "Reads of 3+ minutes",
        ENGAGEMENT,
        SHARE,
        long_read_share,
        "Share of reads with at least three engaged minutes.",
    ),
    Metric(
        "deep_scroll_share",
        "Reads reaching 80% of the body",
        ENGAGEMENT,
        SHARE,
        deep_scroll_share,
        "Scroll depth is measured against the article body, not the page.",
    ),
    Metric(
        "return_visitor_rate",
        "Returning visitors",
        ENGAGEMENT,
        SHARE,
        return_visitor_rate,
        "Known visitors with two or more visits in the period.",
    ),
    Metric(
        "video_completion",
        "Video plays watched to 90%",
        ENGAGEMENT,
        SHARE,
        video_completion_rate,
        "Each second counts once; plays under 3 seconds are ignored.",
    ),
    Metric(
        "assignment_completion",
        "Assigned pieces finished",
        SELF_QUALIFICATION,
        SHARE,
        assignment_completion_rate,
        "Required pieces of assignments made in the period, finished by the prospect.",
    ),
    Metric(
        "calls_prepared",
        "Calls with the reading done",
        SELF_QUALIFICATION,
        SHARE,
        calls_prepared_rate,
        "Calls where the prospect had finished every required piece beforehand.",
    ),
    Metric(
        "comparison_reads",
        "Comparison reads",
        SELF_QUALIFICATION,
        COUNT,
        comparison_reads,
        "Engaged reads of comparison pieces, out of all reads.",
    ),
    Metric(
        "problem_views",
        "Problem and limitation views",
        SELF_QUALIFICATION,
        COUNT,
        problem_views,
        "Page views of honest problem and limitation pieces, out of all views.",
    ),
    Metric(
        "calculator_usage",
        "Calculator visits with a result",
        SELF_QUALIFICATION,
        SHARE,
        calculator_usage,
        "Calculator visits where the visitor computed a result from their inputs.",
    ),
    Metric(
        "close_rate",
        "Close rate",
        SALES_IMPACT,
        SHARE,
        close_rate,
        "Won out of won and lost deals closed in the period.",
    ),
    Metric(
        "cycle_days",
        "Sales cycle",
        SALES_IMPACT,
        DAYS,
        cycle_days,
        "Mean days from first touch to close, for deals won.",
    ),
    Metric(
        "deal_size",
        "Average won deal",
        SALES_IMPACT,
        MONEY,
        deal_size,
        "Mean amount of deals won, in the reporting currency.",
        needs_currency=True,
    ),
    Metric(
        "mql_to_sql",
        "MQL to SQL conversion",
        SALES_IMPACT,
        SHARE,
        mql_to_sql,
        "Prospects who became MQL in the period and have since become SQL.",
    ),
]
BY_KEY = {metric.key: metric for metric in METRICS}
CHOICES = [(metric.key, metric.label) for metric in METRICS]
