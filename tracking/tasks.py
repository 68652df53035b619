"""Celery entry points of the tracking app; each takes ids and may run twice."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from tracking import services
from tracking.models import PageView

logger = logging.getLogger(__name__)

SWEEP_BATCH = 1_000
# Page views one sweeper task rolls up together.
SWEEP_CHUNK = 100


@shared_task(soft_time_limit=30, time_limit=45)
def roll_up_page_view(page_view_id: str) -> str | None:
    """Recompute one page view's progress and its visitor's from raw events.

    Enqueued after an accepted beacon commits when none is waiting for the
    page view already, and by the sweeper. The result
    depends only on the stored events, so a redelivered or duplicated task
    writes the same values again; returns None when the page view is gone.
    """
    services.starting_roll_up(page_view_id=page_view_id)
    return services.roll_up_page_view(page_view_id=page_view_id)


@shared_task(soft_time_limit=60, time_limit=75)
def roll_up_page_views(page_view_ids: list[str]) -> int:
    """Roll up many page views set-based (see ``services.roll_up_page_views``).

    Sent by the sweeper; returns how many page views had events to roll up.
    """
    return len(services.roll_up_page_views(page_view_ids))


@shared_task(soft_time_limit=120, time_limit=150)
def sweep_unrolled_page_views() -> int:
    """Re-enqueue roll-ups of page views whose newest events are not rolled up.

    Scheduled every five minutes (portal/celery.py) so that a roll-up message
    lost with a broker or a worker loses nothing. Re-enqueuing an up-to-date
    page view is harmless, so overlapping sweeps are safe.
    """
    now = timezone.now()
    page_view_ids = list(
        PageView.objects.needing_roll_up(
            since=now - timedelta(hours=settings.TRACKING_SWEEP_WINDOW_HOURS),
            until=now - timedelta(seconds=settings.TRACKING_SWEEP_DELAY_SECONDS),
        ).values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for start in range(0, len(page_view_ids), SWEEP_CHUNK):
        chunk = [str(pk) for pk in page_view_ids[start : start + SWEEP_CHUNK]]
        services.enqueue_roll_ups(page_view_ids=chunk)
    if page_view_ids:
        logger.info("Sweeper re-enqueued %s page view roll-ups", len(page_view_ids))
    return len(page_view_ids)


@shared_task(soft_time_limit=600, time_limit=660)
def purge_raw_events() -> int:
    """Delete raw events older than ``TRACKING_EVENT_RETENTION_DAYS``.

    Scheduled daily. Roll-ups keep the evidence; a second run finds nothing.
    """
    return services.purge_events(now=timezone.now())
