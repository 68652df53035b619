"""The Celery application.

Configuration comes from Django settings prefixed ``CELERY_``; delivery is
at-least-once (late acks, reject on worker lost, prefetch 1), so every task body
must be idempotent. Periodic schedules live here and nowhere else.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "heartbeat": {
        "task": "portal.tasks.heartbeat",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "tracking-sweep-unrolled-page-views": {
        "task": "tracking.tasks.sweep_unrolled_page_views",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    "tracking-purge-raw-events": {
        "task": "tracking.tasks.purge_raw_events",
        "schedule": crontab(hour=3, minute=17),
        "options": {"expires": 3600},
    },
    "insights-refresh-snapshots": {
        "task": "insights.tasks.refresh_snapshots",
        "schedule": crontab(minute=7),
        "options": {"expires": 50 * 60},
    },
    "remind-unstarted-calls": {
        "task": "sales.tasks.remind_unstarted_calls",
        "schedule": 15 * 60.0,
        "options": {"expires": 14 * 60},
    },
}
