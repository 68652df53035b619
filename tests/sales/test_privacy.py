import json
import logging

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from sales.models import Prospect, Viewer
from sales.privacy import erase_prospect, export_prospect
from tests.sales.factories import manager, progress
from tracking.models import Event, PageView, Visitor, VisitorPageProgress

pytestmark = pytest.mark.django_db


@pytest.fixture
def reading_prospect(prospect, assignment, sharing_viewer, guide):
    """A prospect whose browser read the guide, with a page view and events."""
    view = PageView.objects.create(
        id="6f1c1b8a0d6e4d6c9d1e1b1b1b1b1b1b",
        page=guide,
        visitor=sharing_viewer.visitor,
        started_at=sharing_viewer.first_seen_at,
    )
    Event.objects.create(
        page_view=view,
        seq=0,
        position=0,
        kind="engaged",
        value=5000,
        client_ms=5000,
        received_at=sharing_viewer.first_seen_at,
    )
    progress(sharing_viewer.visitor, guide, completion={"id": "c", "data": {"a": 1}})
    return prospect


def test_export_holds_the_prospects_data(reading_prospect):
    data = json.loads(json.dumps(export_prospect(reading_prospect), default=str))

    assert data["prospect"]["name"] == "Dana Whitfield"
    assert data["assignments"][0]["pieces"][0]["required"] is True
    assert data["reading"][0]["engaged_seconds"] == 300
    assert data["reading"][0]["completion"] == {"id": "c", "data": {"a": 1}}


def test_erasure_leaves_no_trace_in_roll_ups(reading_prospect, sharing_viewer, caplog):
    caplog.set_level(logging.INFO)
    visitor_id = sharing_viewer.visitor_id

    erase_prospect(prospect=reading_prospect)

    assert not Prospect.objects.filter(name="Dana Whitfield").exists()
    assert not Visitor.objects.filter(pk=visitor_id).exists()
    assert not VisitorPageProgress.objects.filter(visitor_id=visitor_id).exists()
    assert PageView.objects.count() == 0
    assert Event.objects.count() == 0
    assert Viewer.objects.count() == 0
    assert "Dana" not in caplog.text
    assert "whitfield" not in caplog.text.lower()


def test_erasure_leaves_the_name_nowhere_in_the_database(reading_prospect):
    erase_prospect(prospect=reading_prospect)

    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608
            for row in cursor.fetchall():
                assert "Whitfield" not in repr(row), table


def test_only_a_manager_can_export_or_erase(client, seller, reading_prospect):
    client.force_login(seller)
    base = f"/sales/prospects/{reading_prospect.pk}"

    assert client.get(f"{base}/export/").status_code == 403
    assert client.post(f"{base}/erase/").status_code == 403
    assert Prospect.objects.filter(pk=reading_prospect.pk).exists()


def test_manager_exports_and_erases_from_the_brief(client, reading_prospect):
    client.force_login(manager())
    base = f"/sales/prospects/{reading_prospect.pk}"

    assert b"Export data" in client.get(f"{base}/").content
    download = client.get(f"{base}/export/")
    assert download["Content-Disposition"].startswith("attachment")
    assert download.json()["prospect"]["email"] == reading_prospect.email
    assert b"Erase for good" in client.get(f"{base}/erase/").content

    response = client.post(f"{base}/erase/")

    assert response.status_code == 302
    assert not Prospect.objects.filter(pk=reading_prospect.pk).exists()


def test_commands_export_and_erase(reading_prospect, capsys):
    call_command("export_prospect", reading_prospect.pk)
    assert '"Dana Whitfield"' in capsys.readouterr().out

    with pytest.raises(CommandError, match="--yes"):
        call_command("erase_prospect", reading_prospect.pk)
    call_command("erase_prospect", reading_prospect.pk, yes=True)

    assert not Prospect.objects.filter(pk=reading_prospect.pk).exists()
