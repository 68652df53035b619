"""Guards behind the benchmark's goals that hold on any machine.

The benchmark (docs/benchmarks.md) measures speed; these pin the properties
that speed depends on, so a change that breaks one fails the normal suite.
"""

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.portal.test_settings import PRINT_SETTINGS, production_env, run_python
from tests.sales.conftest import article, guide, library, seller  # noqa: F401
from tests.sales.test_views import build_book

RESOLVE_NOOP = """
import django
django.setup()
from django.urls import Resolver404, resolve
try:
    resolve("/bench/noop")
    print("routed")
except Resolver404:
    print("404")
"""


def test_production_never_routes_the_benchmark_no_op():
    result = run_python(RESOLVE_NOOP, "portal.settings.production", **production_env())

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "404"


def test_benchmark_settings_route_the_no_op():
    result = run_python(RESOLVE_NOOP, "portal.settings.bench", **production_env())

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "routed"


def test_production_keeps_database_connections_open():
    result = run_python(
        PRINT_SETTINGS,
        "portal.settings.production",
        **production_env(DATABASE_URL="postgres://portal@db.internal:5432/portal"),
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["conn_max_age"] > 0


def test_sales_view_never_reads_raw_events(client, seller, guide, article):  # noqa: F811
    build_book(seller, guide, article, 5)
    client.force_login(seller)

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/sales/")

    assert response.status_code == 200
    assert captured.captured_queries
    assert not [
        query["sql"]
        for query in captured.captured_queries
        if "tracking_event" in query["sql"]
    ]
