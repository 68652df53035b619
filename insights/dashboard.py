"""Everything the trust dashboard shows for one period and scope.

Period figures are computed live by the metric functions (a fixed number of
aggregate queries over roll-ups); the week-by-week trends read the snapshot
table in one query. The number of queries does not grow with data.
"""

from dataclasses import dataclass

from insights import cohorts
from insights.charts import Chart, trend_chart
from insights.metrics import BY_KEY, GROUPS, METRICS, Metric
from insights.models import DashboardSettings, MetricSnapshot
from insights.periods import Period
from insights.presentation import Shown, format_value, show


@dataclass(frozen=True)
class Card:
    metric: Metric
    shown: Shown
    chart: Chart | None = None


def trend_rows(period: Period, owner) -> dict[str, dict]:
    """Snapshot figures by metric, then week: ``{key: {monday: (value, n)}}``."""
    rows = MetricSnapshot.objects.filter(
        week_start__in=period.weeks(), owner=owner
    ).values_list("metric", "week_start", "value", "n")
    found: dict[str, dict] = {}
    for key, week, value, n in rows:
        found.setdefault(key, {})[week] = (value, n)
    return found


def build(period: Period, owner, *, settings: DashboardSettings, reps: int) -> dict:
    min_n, currency = settings.min_n, settings.currency
    weeks = period.weeks()
    trends = trend_rows(period, owner)

    cards = {}
    for metric in METRICS:
        figure = metric.figure(period, owner, currency=currency)
        cards[metric.key] = Card(
            metric=metric,
            shown=show(figure, metric.unit, min_n=min_n, currency=currency),
            chart=trend_chart(
                key=metric.key,
                title=metric.label,
                unit=metric.unit,
                weeks=weeks,
                rows=trends.get(metric.key, {}),
                currency=currency,
            ),
        )
    headline_keys = [key for key in settings.headline_metrics if key in BY_KEY][:5]
    groups = [
        (label, [card for card in cards.values() if card.metric.group == key])
        for key, label in GROUPS.items()
    ]

    def shown(figure, unit):
        return show(figure, unit, min_n=min_n, currency=currency)

    educated = [
        {
            "label": cohort.label,
            "close_rate": shown(cohort.close_rate, "share"),
            "cycle_days": shown(cohort.cycle_days, "days"),
            "deal_size": shown(cohort.deal_size, "money"),
        }
        for cohort in cohorts.educated_cohorts(period, owner, currency=currency)
    ]
    bands = [
        {"label": label, "close_rate": shown(figure, "share")}
        for _, label, figure in cohorts.close_rate_by_band(period, owner)
    ]
    lifetime = [
        {"label": label, "value": shown(figure, "money")}
        for _, label, figure in cohorts.lifetime_value_by_source(
            period, owner, currency=currency
        )
    ]
    waste = cohorts.unqualified_cost(
        period,
        owner,
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
