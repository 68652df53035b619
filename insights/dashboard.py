"""Everything the trust dashboard shows for one period and scope.

The figures are computed in a fixed number of queries whatever the volume of
data: period figures by the metric functions (aggregates over roll-ups, metrics
over the same rows sharing a query), cohorts in two grouped queries, and the
week-by-week trends from the snapshot table in one query.

Computed figures are kept in the shared cache. A cached set is found again
only for the same period, scope, reporting currency and clock, and only while
the data it read is unchanged: the key holds the version stamps of deals and
dashboard settings, of the sales tables and of tracking's roll-ups, and each
writer bumps its stamp after committing. How figures are shown (smallest
sample, headlines, cost per hour) is applied after the cache, so changing those
settings needs no new computation.

Drawing the figures (a score of cards, each with an SVG trend and its table)
costs far more than reading them from the cache, so each process also keeps
its last few renderings of the figures fragment, under the figures' key and
everything that changes how they are shown. The fragment is rendered without
the request: it cannot contain the page's CSRF token or CSP nonce, which the
page around it renders fresh on every request. Process memory rather than the
shared cache holds it, so a new release, which starts new processes, never
serves the markup of its predecessor.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from insights import cohorts
from insights.charts import Chart, trend_chart
from insights.metrics import BY_KEY, GROUPS, METRICS, Figure, Metric, period_figures
from insights.models import DashboardSettings, MetricSnapshot
from insights.periods import Period
from insights.presentation import Shown, format_value, show
from portal import versions

# Part of every cache key: change it whenever ``Figures`` changes shape, so a
# process never reads what an older release stored.
FIGURES_FORMAT = 1
# Figures cached under superseded stamps are never read again; this only
# bounds how long they take up room.
CACHE_SECONDS = 24 * 60 * 60
# Calls count as held when they started before the clock, which moves in steps
# of this many seconds so that figures can be cached between steps.
CLOCK_STEP_SECONDS = 15 * 60
FRAGMENT = "insights/dashboard.html#figures"


@dataclass(frozen=True)
class Card:
    metric: Metric
    shown: Shown
    chart: Chart | None = None


@dataclass(frozen=True)
class Figures:
    """The dashboard's numbers for one period and scope, before presentation.

    ``trends`` maps metric keys to ``{monday: (value, n)}`` from the
    snapshots; ``unqualified_calls`` counts calls held with prospects who read
    nothing and never won.
    """

    metrics: dict[str, Figure]
    trends: dict[str, dict[date, tuple[float | None, int]]]
    educated: list[cohorts.Cohort]
    bands: list[tuple[str, str, Figure]]
    lifetime: list[tuple[str, str, Figure]]
    unqualified_calls: int


def trend_rows(period: Period, owner) -> dict[str, dict]:
    """Snapshot figures by metric, then week: ``{key: {monday: (value, n)}}``."""
    rows = MetricSnapshot.objects.filter(
        week_start__in=period.weeks(), owner=owner
    ).values_list("metric", "week_start", "value", "n")
    found: dict[str, dict] = {}
    for key, week, value, n in rows:
        found.setdefault(key, {})[week] = (value, n)
    return found


def clock_of(period: Period, now: datetime) -> datetime:
    """The moment calls count as held up to: ``now`` rounded down to the step,
    and never past the end of the period."""
    seconds = int(now.timestamp()) // CLOCK_STEP_SECONDS * CLOCK_STEP_SECONDS
    return min(period.end_at, datetime.fromtimestamp(seconds, tz=UTC))


def compute(period: Period, owner, *, currency: str, clock: datetime) -> Figures:
    """Every figure of the dashboard, from the database. Eleven queries (ten
    when nothing was read)."""
    educated, bands = cohorts.deal_cohorts(period, owner, currency=currency)
    return Figures(
        metrics=period_figures(period, owner, currency=currency, now=clock),
        trends=trend_rows(period, owner),
        educated=educated,
        bands=bands,
        lifetime=cohorts.lifetime_value_by_source(period, owner, currency=currency),
        unqualified_calls=cohorts.unqualified_calls(period, owner, now=clock),
    )


def cache_scope(owner, *, manager: bool) -> str:
    """Whose figures, for whom, as a cache-key fragment.

    A manager's view of the team or of one salesperson and a salesperson's
    view of their own figures are kept apart even when they hold the same
    numbers, so no cached result ever crosses from one role to the other.
    """
    who = "team" if owner is None else str(owner.pk)
    return f"{'manager' if manager else 'salesperson'}-{who}"


def figures_key(period: Period, scope: str, *, currency: str, clock: datetime) -> str:
    """The cache key of the figures: what they are for, and the current stamps
    of the data they read."""
    stamps = versions.current(versions.OUTCOMES, versions.SALES, versions.PROGRESS)
    return ":".join(
        [
            "insights:dashboard",
            str(FIGURES_FORMAT),
            period.start.isoformat(),
            period.end.isoformat(),
            scope,
            currency,
            str(int(clock.timestamp())),
            stamps,
        ]
    )


def figures(
    period: Period, owner, *, key: str, currency: str, clock: datetime
) -> Figures:
    """The figures cached under ``key``, computed and cached when missing.

    Take ``key`` before computing: figures computed while some data changes
    are then stored under the stamp from before the change, where no later
    request looks.
    """
    found = cache.get(key)
    if found is None:
        found = compute(period, owner, currency=currency, clock=clock)
        cache.set(key, found, CACHE_SECONDS)
    return found


def build(
    period: Period, found: Figures, *, settings: DashboardSettings, reps: int
) -> dict:
    """The template context of the figures fragment: ``found``, shown as the
    settings say. No query."""
    min_n, currency = settings.min_n, settings.currency
    weeks = period.weeks()

    def shown(figure, unit):
        return show(figure, unit, min_n=min_n, currency=currency)

    cards = {
        metric.key: Card(
            metric=metric,
            shown=shown(found.metrics[metric.key], metric.unit),
            chart=trend_chart(
                key=metric.key,
                title=metric.label,
                unit=metric.unit,
                weeks=weeks,
                rows=found.trends.get(metric.key, {}),
                currency=currency,
            ),
        )
        for metric in METRICS
    }
    headline_keys = [key for key in settings.headline_metrics if key in BY_KEY][:5]
    groups = [
        (label, [card for card in cards.values() if card.metric.group == key])
        for key, label in GROUPS.items()
    ]
    educated = [
        {
            "label": cohort.label,
            "close_rate": shown(cohort.close_rate, "share"),
            "cycle_days": shown(cohort.cycle_days, "days"),
            "deal_size": shown(cohort.deal_size, "money"),
        }
        for cohort in found.educated
    ]
    bands = [
        {"label": label, "close_rate": shown(figure, "share")}
        for _, label, figure in found.bands
    ]
    lifetime = [
        {"label": label, "value": shown(figure, "money")}
        for _, label, figure in found.lifetime
    ]
    waste = cohorts.cost_of_calls(
        found.unqualified_calls,
        period,
        hours_per_call=settings.hours_per_call,
        cost_per_hour=settings.loaded_cost_per_hour,
        reps=reps,
    )
    low, high = cohorts.MQL_SQL_BAND
    bench_low, bench_high = cohorts.MQL_SQL_BENCHMARK_RANGE
    return {
        "period": period,
        "headlines": [cards[key] for key in headline_keys],
        "groups": groups,
        "educated": educated,
        "bands": bands,
        "lifetime": lifetime,
        "mql": cards["mql_to_sql"],
        "mql_band": f"{low:.0%}–{high:.0%}",
        "mql_range": f"{bench_low:.0%} to {bench_high:.0%}",
        "waste": waste,
        "waste_cost": format_value(waste.cost, "money", currency),
        "waste_low": format_value(waste.what_if_low, "money", currency),
        "waste_high": format_value(waste.what_if_high, "money", currency),
        "settings": settings,
    }


class RecentMarkup:
    """The last ``size`` fragments this process rendered, by key; thread-safe."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict[str, str] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: str, markup: str) -> None:
        with self.lock:
            self.entries[key] = markup
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


recent_markup = RecentMarkup(size=64)


def shown_as(settings: DashboardSettings, reps: int) -> str:
    """Everything besides the figures that changes the fragment, as a key part."""
    return ":".join(
        [
            str(settings.min_n),
            ",".join(settings.headline_metrics),
            str(settings.hours_per_call),
            str(settings.loaded_cost_per_hour),
            str(reps),
        ]
    )


def render(
    period: Period,
    owner,
    *,
    settings: DashboardSettings,
    reps: int,
    scope: str,
    errors=(),
    now=None,
) -> str:
    """The figures fragment's markup, from this process's recent renderings,
    the shared cache or the database, in that order.

    A fragment showing form errors is rendered afresh and not kept.
    """
    currency = settings.currency
    clock = clock_of(period, now or timezone.now())
    key = figures_key(period, scope, currency=currency, clock=clock)
    markup_key = f"{key}:{shown_as(settings, reps)}"
    markup = None if errors else recent_markup.get(markup_key)
    if markup is None:
        found = figures(period, owner, key=key, currency=currency, clock=clock)
        context = build(period, found, settings=settings, reps=reps)
        markup = render_to_string(FRAGMENT, context | {"errors": errors})
        if not errors:
            recent_markup.put(markup_key, markup)
    return markup
