"""The trust metrics of the product brief, computed in the database.

Every metric reads roll-up tables (tracking's per-page-view and per-visitor
progress, visits) and the sales tables, never raw events, and costs a fixed
number of queries whatever the volume of data. Each returns a ``Figure``: the
value, its numerator and its denominator ``n``, so every figure can be shown
with the number of cases behind it.

Metrics over the same rows share one query: every page-view metric comes from
one pass over the period's page views (``page_view_figures``), every deal metric
from one pass over its closed deals (``deal_figures``), and ``period_figures``
gives all of them for one period and scope in seven queries (six when nothing
was read). Conditions that depend on another table are joins or uncorrelated
subqueries the database runs once (semi- and anti-joins), never a subquery per
row.

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
    Sum,
)
from django.utils import timezone
from wagtail.models import Page

from content.models import ContentKind, kind_filter
from insights.models import Deal, Outcome
from insights.periods import Period
from sales.models import Assignment, AssignmentItem, Consent, Prospect, Viewer
from tracking.models import PageViewProgress, Status, Visit

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
    def count(cls, part: int, whole: int) -> "Figure":
        """A plain count; ``whole`` is shown beside it for context."""
        return cls(value=part, numerator=part, n=whole)

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
    # Viewer's default ordering would make the database sort the subquery.
    return viewers.order_by().values("visitor_id")


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


def page_view_figures(period: Period, owner=None) -> dict[str, Figure]:
    """Every metric of page views in the period, by metric key. Two queries.

    One aggregate counts what each metric needs in a single pass over the
    period's page views; the median then reads the middle of the sorted text
    reads (no second query without reads).
    """
    read = Q(engaged_seconds__gt=0)
    text_read = read & ~Q(page_id__in=pages_of(*NON_TEXT_KINDS))
    video_play = Q(
        page_id__in=pages_of(ContentKind.VIDEO),
        video_seconds__gte=settings.TRACKING_VIDEO_MIN_PLAY_SECONDS,
    )
    calculator = Q(page_id__in=pages_of(ContentKind.CALCULATOR))
    counts = page_views(period, owner).aggregate(
        views=Count("pk"),
        problem_views=Count("pk", filter=Q(page_id__in=pages_of(ContentKind.PROBLEM))),
        reads=Count("pk", filter=read),
        comparison_reads=Count(
            "pk", filter=read & Q(page_id__in=pages_of(ContentKind.COMPARISON))
        ),
        text_reads=Count("pk", filter=text_read),
        long_reads=Count(
            "pk", filter=text_read & Q(engaged_seconds__gte=LONG_READ_SECONDS)
        ),
        deep_reads=Count(
            "pk", filter=text_read & Q(max_depth__gte=DEEP_SCROLL_PERCENT)
        ),
        video_plays=Count("pk", filter=video_play),
        videos_finished=Count("pk", filter=video_play & Q(status=Status.FINISHED)),
        calculator_views=Count("pk", filter=calculator),
        calculator_results=Count("pk", filter=calculator & Q(completion__isnull=False)),
    )
    text_reads = counts["text_reads"]
    return {
        "median_engaged": Figure(
            value=middle_engaged_seconds(period, owner, n=text_reads),
            numerator=0,
            n=text_reads,
        ),
        "long_read_share": Figure.share(counts["long_reads"], text_reads),
        "deep_scroll_share": Figure.share(counts["deep_reads"], text_reads),
        "video_completion": Figure.share(
            counts["videos_finished"], counts["video_plays"]
        ),
        "comparison_reads": Figure.count(counts["comparison_reads"], counts["reads"]),
        "problem_views": Figure.count(counts["problem_views"], counts["views"]),
        "calculator_usage": Figure.share(
            counts["calculator_results"], counts["calculator_views"]
        ),
    }


def middle_engaged_seconds(period: Period, owner=None, *, n: int) -> float | None:
    """The median engaged seconds of the period's ``n`` text reads.

    Reads the middle one (odd ``n``) or two (even ``n``) values in sorted
    order: one query, none without reads.
    """
    if not n:
        return None
    middle = list(
        text_reads(period, owner)
        .order_by("engaged_seconds")
        .values_list("engaged_seconds", flat=True)[(n - 1) // 2 : n // 2 + 1]
    )
    return sum(middle) / len(middle)


# Engagement and education --------------------------------------------------


def median_engaged_seconds(period: Period, owner=None) -> Figure:
    """Median engaged seconds per read of educational text.

    n: reads (page views with engaged time > 0) of guides and articles that
    started in the period; page views with no engagement are not reads and do
    not count. With an even n the two middle reads are averaged.
    """
    return page_view_figures(period, owner)["median_engaged"]


def long_read_share(period: Period, owner=None) -> Figure:
    """Share of reads of educational text with 3 or more engaged minutes.

    ``reads with engaged_seconds >= 180 / reads``; n as for the median.
    """
    return page_view_figures(period, owner)["long_read_share"]


def deep_scroll_share(period: Period, owner=None) -> Figure:
    """Share of reads of educational text that reached 80% of the body or more.

    Depth is measured against the article body, not the page; n as for the
    median.
    """
    return page_view_figures(period, owner)["deep_scroll_share"]


def return_visitor_rate(period: Period, owner=None) -> Figure:
    """Share of known visitors with two or more visits starting in the period.

    n: visitors (consenting browsers; anonymous readers have no identity to
    return with) with at least one visit starting in the period. A visit ends
    after 30 minutes without activity.
    """
    visits = Visit.objects.filter(
        started_at__gte=period.start_at, started_at__lt=period.end_at
    )
    if owner is not None:
        visits = visits.filter(visitor_id__in=prospect_visitors(owner))
    counts = (
        visits.values("visitor_id")
        .annotate(visit_total=Count("pk"))
        .order_by()
        .aggregate(
            n=Count("visitor_id"),
            returning=Count("visitor_id", filter=Q(visit_total__gte=2)),
        )
    )
    return Figure.share(counts["returning"], counts["n"])


def video_completion_rate(period: Period, owner=None) -> Figure:
    """Share of video plays that reached the finish share of the duration (90%).

    n: page views of video pieces that started in the period and played at
    least ``TRACKING_VIDEO_MIN_PLAY_SECONDS`` (shorter plays are ignored);
    completed: tracking marked them finished (each second counted once).
    """
    return page_view_figures(period, owner)["video_completion"]


# Self-qualification --------------------------------------------------------


def finished_by_prospect(page_ref: str, prospect_ref: str) -> Exists:
    """Whether the prospect's own consenting browsers finished the page.

    One join (viewer, visitor, progress) the database can run for a whole set
    of rows at once when the condition filters them.
    """
    return Exists(
        Viewer.objects.filter(
            assignment__prospect_id=OuterRef(prospect_ref),
            role=Viewer.Role.PROSPECT,
            consent=Consent.YES,
            visitor__progress__page_id=OuterRef(page_ref),
            visitor__progress__status=Status.FINISHED,
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
    # The finished pieces as one uncorrelated subquery: a semi-join run once,
    # where an annotation would run the check once per piece.
    finished = items.filter(
        finished_by_prospect("page_id", "assignment__prospect_id")
    ).values("pk")
    counts = items.aggregate(n=Count("pk"), done=Count("pk", filter=Q(pk__in=finished)))
    return Figure.share(counts["done"], counts["n"])


def calls_prepared_rate(period: Period, owner=None, *, now=None) -> Figure:
    """Share of calls where the prospect had finished the reading beforehand.

    n: calls held in the period (started before now) with at least one
    non-revoked assignment for that call; prepared: one of those assignments
    was complete (every required piece finished) before the call started.
    """
    now = now or timezone.now()
    assignments = Assignment.objects.filter(
        revoked_at__isnull=True,
        call__starts_at__gte=period.start_at,
        call__starts_at__lt=min(period.end_at, now),
    )
    if owner is not None:
        assignments = assignments.filter(call__prospect__owner=owner)
    counts = assignments.aggregate(
        n=Count("call_id", distinct=True),
        done=Count(
            "call_id",
            distinct=True,
            filter=Q(completed_at__lte=F("call__starts_at")),
        ),
    )
    return Figure.share(counts["done"], counts["n"])


def comparison_reads(period: Period, owner=None) -> Figure:
    """Reads (engaged page views) of comparison pieces in the period.

    A count; n is every read in the period, for context.
    """
    return page_view_figures(period, owner)["comparison_reads"]


def problem_views(period: Period, owner=None) -> Figure:
    """Page views of problem and limitation pieces in the period.

    A count of page views that ran the tracker (link scanners never do); n is
    every page view in the period, for context.
    """
    return page_view_figures(period, owner)["problem_views"]


def calculator_usage(period: Period, owner=None) -> Figure:
    """Share of calculator visits that computed a result from the visitor's inputs.

    Anonymous visitors are measured without a cookie, so the unit is the page
    view: n is page views of calculators that started in the period, the
    numerator those with a completion recorded.
    """
    return page_view_figures(period, owner)["calculator_usage"]


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


def deal_figures(
    period: Period, owner=None, *, currency: str = "GBP"
) -> dict[str, Figure]:
    """Close rate, sales cycle and won deal size, by metric key. One query."""
    won = Q(outcome=Outcome.WON)
    won_here = won & Q(currency=currency)
    totals = closed_deals(period, owner).aggregate(
        n=Count("pk"),
        won=Count("pk", filter=won),
        cycle=Sum(CYCLE, filter=won),
        won_here=Count("pk", filter=won_here),
        amount=Sum("amount", filter=won_here),
    )
    return {
        "close_rate": Figure.share(totals["won"], totals["n"]),
        "cycle_days": Figure.mean(duration_days(totals["cycle"]), totals["won"]),
        "deal_size": Figure.mean(totals["amount"], totals["won_here"]),
    }


def close_rate(period: Period, owner=None) -> Figure:
    """Won / (won + lost) for deals closed in the period; open deals are left out."""
    return deal_figures(period, owner)["close_rate"]


def cycle_days(period: Period, owner=None) -> Figure:
    """Mean days from first touch (``opened_on``) to close of deals won in the period.

    n: won deals closed in the period. Lost deals are left out: their cycle
    ends in no sale.
    """
    return deal_figures(period, owner)["cycle_days"]


def deal_size(period: Period, owner=None, *, currency: str = "GBP") -> Figure:
    """Mean amount of deals won in the period, in the reporting currency.

    n: won deals closed in the period in ``currency``; deals in other
    currencies are left out rather than converted.
    """
    return deal_figures(period, owner, currency=currency)["deal_size"]


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


def period_figures(
    period: Period, owner=None, *, currency: str = "GBP", now=None
) -> dict[str, Figure]:
    """Every metric for one period and scope, by key, in seven queries (six
    when nothing was read).

    The same figures as each metric's own function; metrics over the same rows
    share their query. ``now`` bounds the calls counted as held.
    """
    figures = {
        **page_view_figures(period, owner),
        "return_visitor_rate": return_visitor_rate(period, owner),
        "assignment_completion": assignment_completion_rate(period, owner),
        "calls_prepared": calls_prepared_rate(period, owner, now=now),
        **deal_figures(period, owner, currency=currency),
        "mql_to_sql": mql_to_sql(period, owner),
    }
    return {metric.key: figures[metric.key] for metric in METRICS}


CHOICES = [(metric.key, metric.label) for metric in METRICS]
