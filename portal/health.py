"""Liveness and readiness checks of the services the portal depends on."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections
from kombu.exceptions import OperationalError as KombuOperationalError

from portal.celery import app as celery_app

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str

    def as_dict(self) -> dict:
        return {"ok": self.ok, "detail": self.detail}


def check_database(alias: str = "default") -> Check:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("Health check: database %s unavailable: %s", alias, exc)
        return Check(ok=False, detail=exc.__class__.__name__)
    return Check(ok=True, detail=connections[alias].vendor)


def check_broker(timeout: float = 2.0) -> Check:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return Check(ok=True, detail="eager: tasks run in the web process")
    connection = celery_app.connection_for_write()
    try:
        connection.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0, timeout=timeout
        )
    except (OSError, KombuOperationalError) as exc:
        logger.warning("Health check: broker unavailable: %s", exc)
        return Check(ok=False, detail=exc.__class__.__name__)
    finally:
        connection.release()
    return Check(ok=True, detail=connection.transport_cls)
