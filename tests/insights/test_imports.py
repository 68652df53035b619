"""CSV import (all or nothing, upsert on CRM id) and export that cannot run."""

import csv
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from insights import imports
from insights.models import Deal, ImportJob
from sales.models import Prospect
from tests.sales.factories import ProspectFactory

pytestmark = pytest.mark.django_db

PROSPECT_HEADER = "CRM id,Name,Email,Company,Salesperson,Source,Stage,Became MQL\n"


def prospects_csv(count: int) -> bytes:
    lines = [PROSPECT_HEADER]
    for number in range(count):
        lines.append(
            f"crm-{number},Person {number},p{number}@example.org,Firm {number % 50},"
            f"sam,referral,mql,2026-02-{number % 28 + 1:02d}\n"
        )
    return "".join(lines).encode()


def upload(client, content: bytes, kind="prospects", name="book.csv"):
    return client.post(
        reverse("insights:import"),
        {"kind": kind, "file": SimpleUploadedFile(name, content, "text/csv")},
    )


@pytest.fixture
def run_import(client, django_capture_on_commit_callbacks):
    """Upload, accept the suggested mapping, check, and import (the task runs
    when the request's transaction commits)."""

    def run(content: bytes, kind="prospects") -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = import_file(client, content, kind)
        job.refresh_from_db()
        return job

    return run


def import_file(client, content: bytes, kind="prospects") -> ImportJob:
    response = upload(client, content, kind)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.latest("pk")
    form = client.get(reverse("insights:import_map", args=[job.pk])).context["form"]
    mapping = {name: field.initial or "" for name, field in form.fields.items()}
    client.post(reverse("insights:import_map", args=[job.pk]), mapping)
    client.post(reverse("insights:import_start", args=[job.pk]))
    job.refresh_from_db()
    return job


def test_ten_thousand_rows_import_twice_into_ten_thousand_prospects(
    run_import, client, seller
):
    client.force_login(seller)
    content = prospects_csv(10_000)

    started = time.monotonic()
    first = run_import(content)
    first_seconds = time.monotonic() - started
    second = run_import(content)

    assert (first.state, first.created_count, first.updated_count) == (
        "done",
        10_000,
        0,
    )
    assert (second.state, second.created_count, second.updated_count) == ("done", 0, 0)
    assert Prospect.objects.count() == 10_000
    assert Prospect.objects.filter(owner=seller, source="referral").count() == 10_000
    assert first_seconds < 60


def test_a_changed_row_updates_only_that_prospect(run_import, client, seller):
    client.force_login(seller)
    run_import(prospects_csv(3))
    changed = prospects_csv(3).replace(b"Person 1,", b"Person One,")

    job = run_import(changed)

    assert (job.created_count, job.updated_count) == (0, 1)
    assert Prospect.objects.get(crm_id="crm-1").name == "Person One"


def test_malformed_rows_report_their_lines_and_import_nothing(client, seller):
    client.force_login(seller)
    content = (
        PROSPECT_HEADER
        + "crm-1,Good Person,g@example.org,Firm,sam,referral,mql,2026-02-01\n"
        + "crm-2,,x@example.org,Firm,sam,referral,mql,2026-02-01\n"
        + '"crm-3","Quoted\nacross lines",q@example.org,Firm,sam,referral,mql,'
        + "2026-02-01\n"
        + "crm-4,Bad Date,b@example.org,Firm,sam,referral,mql,1 Feb\n"
        + "crm-5,Who,w@example.org,Firm,nobody,referral,mql,2026-02-01\n"
        + "crm-1,Again,a@example.org,Firm,sam,referral,mql,2026-02-01\n"
    ).encode()

    response = upload(client, content)
    job = ImportJob.objects.get()
    form = client.get(response["Location"]).context["form"]
    mapping = {name: field.initial or "" for name, field in form.fields.items()}
    preview = client.post(reverse("insights:import_map", args=[job.pk]), mapping)
    refused = client.post(reverse("insights:import_start", args=[job.pk]))

    job.refresh_from_db()
    lines = [error["line"] for error in job.errors]
    # Header is line 1; crm-3's record spans lines 4-5, so crm-4 is on line 6.
    assert lines == [3, 6, 7, 8]
    assert "Name is missing" in job.errors[0]["message"]
    assert "is not a date" in job.errors[1]["message"]
    assert "no salesperson" in job.errors[2]["message"]
    assert "repeats the CRM id of line 2" in job.errors[3]["message"]
    assert "Line" in preview.content.decode()
    assert refused.status_code == 302
    assert job.state == ImportJob.State.INVALID
    assert not Prospect.objects.exists()


def test_a_file_over_the_size_limit_is_refused_clearly(client, seller, settings):
    settings.INSIGHTS_IMPORT_MAX_BYTES = 1024
    client.force_login(seller)

    response = upload(client, prospects_csv(100))

    assert response.status_code == 200
    assert "larger than" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_over_the_row_limit_imports_nothing(client, seller, settings):
    settings.INSIGHTS_IMPORT_MAX_ROWS = 50
    client.force_login(seller)

    response = upload(client, prospects_csv(51))
    job = ImportJob.objects.get()
    client.get(response["Location"])
    client.post(
        reverse("insights:import_map", args=[job.pk]),
        {"crm_id": "CRM id", "name": "Name"},
    )

    job.refresh_from_db()
    assert "more than 50 rows" in job.errors[0]["message"]
    assert not Prospect.objects.exists()


def test_a_file_that_is_not_utf8_is_refused(client, seller):
    client.force_login(seller)

    response = upload(client, "CRM id,Name\nx,Zoë\n".encode("utf-16"))

    assert "not UTF-8" in response.content.decode()


def test_deals_import_on_known_prospects(run_import, client, boss, seller):
    ProspectFactory(owner=seller, crm_id="p-1")
    client.force_login(boss)
    content = (
        b"Deal CRM id,Prospect CRM id,Amount,Outcome,First touch,Closed on\n"
        b"d-1,p-1,42000,won,2026-01-05,2026-02-20\n"
        b"d-2,p-1,18000.50,open,2026-02-01,\n"
    )

    job = run_import(content, kind="deals")

    assert job.state == "done", job.errors
    assert Deal.objects.get(crm_id="d-1").outcome == "won"
    assert str(Deal.objects.get(crm_id="d-2").amount) == "18000.50"


def test_a_salesperson_cannot_import_over_another_salespersons_prospect(
    client, seller, other_seller
):
    ProspectFactory(owner=other_seller, crm_id="crm-0", name="Kept")
    client.force_login(seller)

    response = upload(client, prospects_csv(1))
    job = ImportJob.objects.get()
    form = client.get(response["Location"]).context["form"]
    mapping = {name: field.initial or "" for name, field in form.fields.items()}
    client.post(reverse("insights:import_map", args=[job.pk]), mapping)

    job.refresh_from_db()
    assert "another salesperson's prospect" in job.errors[0]["message"]
    assert Prospect.objects.get(crm_id="crm-0").name == "Kept"


def test_the_import_page_polls_while_running(client, seller):
    client.force_login(seller)
    job = ImportJob.objects.create(
        kind="prospects",
        file=SimpleUploadedFile("a.csv", b"x"),
        uploaded_by=seller,
        state=ImportJob.State.RUNNING,
        total_rows=200,
        processed_rows=50,
    )

    response = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})

    body = response.content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert 'value="25"' in body


# Export ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("Plain name", "Plain name"),
    ],
)
def test_formula_looking_cells_are_neutralised(cell, expected):
    assert imports.neutralise(cell) == expected


def test_exported_prospects_cannot_run_as_formulas(client, seller):
    ProspectFactory(owner=seller, name="=cmd|' /C calc'!A0", company="@SUM(1+1)")
    client.force_login(seller)

    response = client.get(reverse("insights:export_prospects"))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][1] == "'=cmd|' /C calc'!A0"
    assert rows[1][3] == "'@SUM(1+1)"


def test_an_export_imports_back_unchanged(run_import, client, seller):
    ProspectFactory(owner=seller, crm_id="c-1", name="Dana", source="referral")
    client.force_login(seller)
    exported = b"".join(
        client.get(reverse("insights:export_prospects")).streaming_content
    )

    job = run_import(exported)

    assert (job.state, job.created_count, job.updated_count) == ("done", 0, 0)
