"""Ingest while the database is unreachable: a clear 503, then nothing lost.

The tracker keeps a batch answered with a 5xx and sends it again with the same
number (tracker.js ``post``), so after recovery the retried batch is stored
once. The outage is simulated for this process only: by a cursor that fails
as a dropped connection does, and, on PostgreSQL, by reconnecting to a port
where nothing listens. The machine's database server keeps running.
"""

import json
import socket

import pytest
from django.db import OperationalError, connection
from django.test import Client

from tests.tracking.conftest import Reader
from tracking.models import Event, PageView

pytestmark = pytest.mark.django_db(transaction=True)


def dropped_connection(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def reader(article, clock):
    return Reader(Client(raise_request_exception=False), article)


def assert_refused_clearly(response):
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "database_unavailable"}
    assert int(response["Retry-After"]) > 0


def test_dropped_database_connection_answers_503_and_the_retry_is_stored_once(
    reader, clock
):
    opening = reader.batch(0, {"k": "view"})
    reading = reader.batch(5_000, {"k": "engaged", "ms": 4_000})

    with connection.execute_wrapper(dropped_connection):
        refused = [reader.send(opening), reader.send(reading)]
    clock.advance(10)
    retried = [reader.send(opening), reader.send(reading), reader.send(reading)]

    for response in refused:
        assert_refused_clearly(response)
    assert [response.status_code for response in retried] == [202, 202, 202]
    assert PageView.objects.count() == 1
    assert Event.objects.count() == 2


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.services
def test_unreachable_postgresql_answers_503_and_recovery_loses_nothing(
    reader, clock, settings
):
    settings.TRACKING_RATE_PER_PAGE_VIEW = 10**6
    batches = [reader.batch(0, {"k": "view"})] + [
        reader.batch(
            1_000 * n, {"k": "engaged", "ms": 900 * n}, {"k": "depth", "pct": n}
        )
        for n in range(1, 6)
    ]
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(closed_port())
    try:
        refused = [reader.send(batch) for batch in batches]
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port
    clock.advance(10)
    retried = [reader.send(json.dumps(batch)) for batch in batches]

    for response in refused:
        assert_refused_clearly(response)
    assert {response.status_code for response in retried} == {202}
    assert Event.objects.count() == 1 + 2 * 5
    assert set(Event.objects.values_list("seq", flat=True)) == set(range(6))
