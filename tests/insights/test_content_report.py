"""Content performance for editors: figures per piece and fixed query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from insights.content_report import report
from insights.models import Outcome
from insights.periods import Period
from tests.insights.factories import at, closed, read, reading_prospect
from tests.sales.factories import progress
from tracking.models import Status

pytestmark = pytest.mark.django_db

REPORT_QUERIES = 16


@pytest.fixture
def editor_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("ed", "ed@example.org", "pw")
    client.force_login(admin)
    return client


def test_figures_per_piece(seller, guide, cost):
    today = timezone.localdate()
    period = Period.last_weeks(4, today=today)
    for seconds, end in ((60, False), (200, True), (300, True), (400, True)):
        read(guide, at(today), engaged=seconds, end=end)
    read(cost, at(today - timedelta(weeks=10)), engaged=500)  # before the period
    finisher, _, visitor = reading_prospect(
        owner=seller, pages=[guide, cost], created_at=at(today)
    )
    progress(visitor, guide, status=Status.FINISHED)
    closed(finisher, Outcome.WON, today)
    other, _, _ = reading_prospect(owner=seller, pages=[guide], created_at=at(today))
    closed(other, Outcome.WON, today)

    rows = {row.page_id: row for row in report(period)}

    guide_row, cost_row = rows[guide.pk], rows[cost.pk]
    # Reads 60, 200, 300, 400: median (200 + 300) / 2; 3 of 4 reached the end;
    # 3 of 4 lasted 3+ minutes.
    assert (guide_row.reads, guide_row.median) == (4, 250)
    assert guide_row.end_share == 0.75
    assert guide_row.long_share == 0.75
    # Assigned twice, finished by one prospect; one of two won deals read it.
    assert (guide_row.assigned, guide_row.completed) == (2, 1)
    assert (guide_row.won_finished, guide_row.won_total) == (1, 2)
    assert (cost_row.reads, cost_row.median, cost_row.completion) == (0, None, 0.0)


def test_sorted_and_filtered_by_kind(seller, guide, cost, comparison):
    today = timezone.localdate()
    read(cost, at(today), engaged=30)
    read(cost, at(today), engaged=30)
    read(guide, at(today), engaged=30)

    by_reads = [row.page_id for row in report(Period.last_weeks(4), sort="reads")]
    guides = [row.page_id for row in report(Period.last_weeks(4), kind="guide")]

    assert by_reads[:2] == [cost.pk, guide.pk]
    assert guides == [guide.pk]


def test_report_queries_do_not_grow_with_data(editor_client, seller, guide, cost):
    url = reverse("insights_content_performance") + "?weeks=12"
    today = timezone.localdate()

    def add(count):
        for number in range(count):
            prospect, _, visitor = reading_prospect(
                owner=seller, pages=[guide, cost], created_at=at(today)
            )
            read(cost, at(today), engaged=number * 20, visitor=visitor)
            progress(visitor, guide, status=Status.FINISHED)
            closed(prospect, Outcome.WON, today)

    add(1)
    editor_client.get(url)
    with CaptureQueriesContext(connection) as few:
        editor_client.get(url)
    add(15)
    with CaptureQueriesContext(connection) as many:
        response = editor_client.get(url)

    assert response.status_code == 200
    assert len(few) == len(many) == REPORT_QUERIES


def test_report_exports_csv_with_neutralised_titles(editor_client, shelf):
    from tests.content.factories import ArticlePageFactory

    ArticlePageFactory(parent=shelf, title="=IMPORTXML(1)")

    response = editor_client.get(
        reverse("insights_content_performance"), {"format": "csv"}
    )

    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0].startswith("Piece,Kind,Reads")
    assert "'=IMPORTXML(1)" in body


def test_salespeople_without_admin_access_cannot_open_it(client, seller):
    client.force_login(seller)

    response = client.get(reverse("insights_content_performance"))

    assert response.status_code in (302, 403)
