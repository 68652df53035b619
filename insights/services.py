"""Writes of the insights room: weekly snapshots and deal upserts."""

import logging
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from insights.metrics import METRICS
from insights.models import DashboardSettings, MetricSnapshot
from insights.periods import Period, monday_of
from sales.roles import sales_team

logger = logging.getLogger(__name__)


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
        for metric in METRICS:
            figure = metric.figure(period, owner, currency=currency)
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
