import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

HEARTBEAT_CACHE_KEY = "portal:heartbeat"


@shared_task(soft_time_limit=5, time_limit=10)
def heartbeat() -> str:
    """Record that a worker ran a task, and return when.

    Scheduled every minute by beat; ``/healthz`` reports the last one. Running
    it twice only moves the timestamp, so redelivery is harmless.
    """
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=None)
    logger.debug("Heartbeat at %s", now)
    return now
