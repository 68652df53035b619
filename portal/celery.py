"""The Celery application.

Configuration comes from Django settings prefixed ``CELERY_``; delivery is
at-least-once (late acks, reject on worker lost, prefetch 1), so every task body
must be idempotent. Periodic schedules live here and nowhere else.
"""

import os

from celery import Celery

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
}
