"""The CRM API, tested against its own OpenAPI schema with schemathesis."""

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from insights.models import ApiToken, Deal, hash_api_token
from sales.models import Prospect
from tests.sales.factories import ProspectFactory, manager, salesperson

# The API's own schema, called in-process through the WSGI handler.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def in_process(db):
    """Like Django's test client, keep the WSGI handler from closing the
    test's database connection at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(db):
    boss = manager(username="morgan")
    ProspectFactory(owner=boss, crm_id="p-1")
    _, clear = ApiToken.issue(name="CRM sync", created_by=boss)
    return clear


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_with_a_server_error(case, token, in_process):
    response = case.call(headers={"Authorization": f"Bearer {token}"})

    case.validate_response(response, checks=[not_a_server_error])


@pytest.mark.django_db
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-real-token", "Basic x"])
def test_every_operation_in_the_schema_refuses_calls_without_a_valid_token(
    client, authorization
):
    paths = client.get("/api/openapi.json").json()["paths"]
    headers = {"Authorization": authorization} if authorization else {}

    statuses = {
        (method, path): client.generic(
            method.upper(),
            path.replace("{crm_id}", "p-1"),
            "{}",
            content_type="application/json",
            headers=headers,
        ).status_code
        for path, operations in paths.items()
        for method in operations
    }

    assert len(statuses) >= 6
    assert set(statuses.values()) == {401}


@pytest.mark.django_db
def test_the_schema_lists_the_sync_operations(client):
    paths = client.get("/api/openapi.json").json()["paths"]

    assert {"/api/deals/{crm_id}", "/api/prospects/{crm_id}", "/api/metrics"} <= set(
        paths
    )


@pytest.mark.django_db
def test_a_crm_pushes_the_same_deal_twice_into_one_row(client, token):
    body = {
        "prospect_crm_id": "p-1",
        "amount": "42000.00",
        "outcome": "won",
        "opened_on": "2026-01-05",
        "closed_on": "2026-02-20",
        "source": "referral",
    }
    headers = {"Authorization": f"Bearer {token}"}

    first = client.put(
        "/api/deals/d-1", body, content_type="application/json", headers=headers
    )
    second = client.put(
        "/api/deals/d-1",
        {**body, "amount": "43000.00"},
        content_type="application/json",
        headers=headers,
    )

    assert (first.status_code, second.status_code) == (201, 200)
    assert Deal.objects.get(crm_id="d-1").amount == 43000


@pytest.mark.django_db
def test_a_won_deal_without_a_closing_date_is_refused(client, token):
    response = client.put(
        "/api/deals/d-2",
        {
            "prospect_crm_id": "p-1",
            "amount": "1",
            "outcome": "won",
            "opened_on": "2026-01-05",
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 422
    assert not Deal.objects.exists()


@pytest.mark.django_db
def test_a_salespersons_token_cannot_touch_anothers_prospect(client):
    seller, other = salesperson(), salesperson()
    ProspectFactory(owner=other, crm_id="theirs", name="Kept")
    _, clear = ApiToken.issue(name="Own sync", created_by=seller)

    response = client.put(
        "/api/prospects/theirs",
        {"name": "Overwritten"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {clear}"},
    )

    assert response.status_code == 409
    assert Prospect.objects.get(crm_id="theirs").name == "Kept"


@pytest.mark.django_db
def test_a_revoked_token_is_refused(client, token):
    ApiToken.objects.update(revoked_at="2026-01-01T00:00:00Z")

    response = client.get("/api/deals", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


@pytest.mark.django_db
def test_tokens_are_stored_only_as_hashes(client):
    boss = manager()
    client.force_login(boss)

    response = client.post(reverse("insights:api_tokens"), {"name": "CRM"})

    shown = response.context["created"]["token"]
    row = ApiToken.objects.get()
    assert row.token_hash == hash_api_token(shown)
    assert shown not in {row.name, row.prefix, row.token_hash}


@pytest.mark.django_db
def test_the_command_prints_a_token_once(capsys):
    manager(username="morgan")

    call_command("create_api_token", "CRM sync", user="morgan")

    printed = capsys.readouterr().out.strip().splitlines()[-1]
    assert ApiToken.objects.get().token_hash == hash_api_token(printed)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["name", "email", "company"])
def test_text_with_a_nul_character_is_refused_not_a_server_error(client, token, field):
    body = {"name": "Lee Carter", field: "Lee\x00Carter"}

    response = client.put(
        "/api/prospects/p-nul",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 422
    assert not Prospect.objects.filter(crm_id="p-nul").exists()
