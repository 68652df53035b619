from unittest import mock

import pytest
from django.db import OperationalError, connections

from portal.celery import app as celery_app


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_database_is_down(client, db):
    refused = OperationalError("connection refused")

    with mock.patch.object(connections["default"], "cursor", side_effect=refused):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == {"ok": False, "detail": "OperationalError"}


def test_healthz_is_503_when_the_broker_is_unreachable(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    closed_port = celery_app.connection_for_write("redis://127.0.0.1:9/0")

    with mock.patch.object(
        celery_app, "connection_for_write", return_value=closed_port
    ):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert response.json()["database"]["ok"] is True


def test_healthz_only_answers_reads(client, db):
    assert client.post("/healthz").status_code == 405


@pytest.mark.services
def test_healthz_reaches_the_real_broker(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["broker"] == {"ok": True, "detail": "redis"}
    assert response.json()["database"]["detail"] == "postgresql"
