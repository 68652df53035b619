"""Celery entry points of the insights room.

Tasks take ids or dates, re-read their rows and return quietly when they are
gone. Snapshot writes replace a week's rows in one transaction and an import
runs in one transaction that upserts on CRM ids, so a redelivered task changes
nothing twice.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from insights.periods import monday_of
from insights.services import write_week_snapshots

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=240, time_limit=300)
def refresh_snapshots() -> int:
    """Recompute this week's and last week's snapshots (hourly, from beat).

    Last week is included so late roll-ups and deals closed after the fact
    reach it; older weeks change only through ``rebuild_snapshots``.
    """
    this_week = monday_of(timezone.localdate())
    written = 0
    for monday in (this_week - timedelta(days=7), this_week):
        written += write_week_snapshots(monday=monday)
    return written


@shared_task(soft_time_limit=600, time_limit=660)
def import_csv(job_id: int) -> str | None:
    """Import an uploaded CSV file, all or nothing; see ``insights.imports``."""
    from insights.imports import run_import

    return run_import(job_id=job_id)
