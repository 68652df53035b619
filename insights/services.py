"""Writes of the insights room: weekly snapshots, and the version stamps that
tell the dashboard its figures changed."""

import logging
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from insights.metrics import METRICS, period_figures
from insights.models import DashboardSettings, MetricSnapshot
from insights.periods import Period, monday_of
from portal import versions
from sales.roles import sales_team

logger = logging.getLogger(__name__)


def outcomes_changed() -> None:
    """Bump the outcomes stamp once the current transaction commits.

    Call it after writing deals, dashboard settings or snapshots: the
    dashboard's cached figures are keyed by the stamp, so the next request
    computes them again. Outside a transaction the bump is immediate; a
    rolled-back write bumps nothing.
    """
    transaction.on_commit(lambda: versions.bump(versions.OUTCOMES))


def prospects_changed() -> None:
    """Bump the sales and outcomes stamps once the transaction commits.

    For prospects written here (CSV import, CRM API): they belong to the sales
    pages, and their MQL and SQL dates feed the dashboard.
    """
    transaction.on_commit(lambda: versions.bump(versions.SALES, versions.OUTCOMES))


def write_week_snapshots(*, monday: date, now=None) -> int:
    """Compute every metric for one week, for the team and each salesperson.

    The week's rows are replaced in one transaction, so running it twice
    leaves the same rows; returns how many rows were written. Metrics that
    depend on "now" (calls held so far) use ``now``.
    """
    now = now or timezone.now()
    monday = monday_of(monday)
    period = Period.week_of(monday)
    currency = DashboardSettings.load().currency
    owners = [None, *sales_team()]
    rows = []
    for owner in owners:
        figures = period_figures(period, owner, currency=currency, now=now)
        for metric in METRICS:
            figure = figures[metric.key]
            rows.append(
                MetricSnapshot(
                    week_start=monday,
                    owner=owner,
                    metric=metric.key,
                    value=figure.value,
                    numerator=figure.numerator,
                    n=figure.n,
                    computed_at=now,
                )
            )
    with transaction.atomic():
        MetricSnapshot.objects.filter(week_start=monday).delete()
        MetricSnapshot.objects.bulk_create(rows)
        outcomes_changed()
    logger.info("Wrote %s snapshot rows for the week of %s", len(rows), monday)
    return len(rows)


def rebuild_snapshots(*, start: date, end: date, now=None) -> int:
    """Rewrite the snapshots of every week from ``start`` to ``end`` inclusive."""
    written = 0
    monday = monday_of(start)
    while monday <= end:
        written += write_week_snapshots(monday=monday, now=now)
        monday += timedelta(days=7)
    return written
