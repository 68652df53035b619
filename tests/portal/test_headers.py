"""Security headers on the portal's own pages."""

import re

import pytest

from sales.services import Pick, create_assignment
from tests.content.factories import ContentIndexPageFactory, GuidePageFactory
from tests.sales.factories import ProspectFactory, salesperson

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.partition(" ")[2]
        for part in (piece.strip() for piece in header.split(";"))
        if part
    }


def test_public_pages_send_a_strict_policy(client, site):
    response = client.get("/")

    directives = policy(response)
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_inline_scripts_carry_the_responses_nonce(client, home_page):
    seller = salesperson()
    guide = GuidePageFactory(parent=ContentIndexPageFactory(parent=home_page))
    _, token = create_assignment(
        prospect=ProspectFactory(owner=seller), created_by=seller, picks=[Pick(guide)]
    )

    response = client.get(f"/a/{token}/")

    nonce = re.search(r"'nonce-([^']+)'", policy(response)["script-src"]).group(1)
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline, "the reading list has its opening script"
    assert all(f'nonce="{nonce}"' in attributes for attributes in inline)
    assert " onclick=" not in html


def test_sales_pages_send_the_policy(client):
    client.force_login(salesperson())

    assert "frame-ancestors 'none'" in client.get("/sales/")["Content-Security-Policy"]


def test_wagtail_admin_keeps_its_own_headers(client):
    response = client.get("/admin/login/")

    assert "Content-Security-Policy" not in response
