"""Salespeople see only their own prospects: every other URL answers 404."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from sales.models import Notification
from sales.urls import urlpatterns
from tests.sales.factories import UserFactory

pytestmark = pytest.mark.django_db

ACTIONS = {"action": "revoke"}


def object_routes(patterns, prefix="/sales/"):
    """Every sales URL that names a prospect or assignment by its ``pk``."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):  # pragma: no cover - none today
            yield from object_routes(
                pattern.url_patterns, prefix + str(pattern.pattern)
            )
        elif isinstance(pattern, URLPattern) and "pk" in pattern.pattern.converters:
            yield pattern


def url_for(pattern, prospect, assignment):
    from django.urls import reverse

    name = pattern.name
    pk = assignment.pk if name.startswith("assignment") else prospect.pk
    kwargs = {"pk": pk}
    if "action" in pattern.pattern.converters:
        kwargs.update(ACTIONS)
    return reverse(f"sales:{name}", kwargs=kwargs)


def test_every_object_url_is_a_404_for_another_salesperson(
    client, other_seller, prospect, assignment
):
    client.force_login(other_seller)
    routes = list(object_routes(urlpatterns))
    assert len(routes) >= 6

    for pattern in routes:
        target = url_for(pattern, prospect, assignment)
        assert client.get(target).status_code in (404, 405), target
        assert client.post(target).status_code == 404, target

    assignment.refresh_from_db()
    assert assignment.revoked_at is None


def test_lists_do_not_show_another_salespersons_prospects(
    client, other_seller, prospect, call, assignment
):
    client.force_login(other_seller)

    for target in ("/sales/", "/sales/prospects/", "/sales/prospects/?q=Dana"):
        response = client.get(target)
        assert response.status_code == 200
        assert b"Dana Whitfield" not in response.content, target


def test_content_search_needs_the_sales_role(client):
    client.force_login(UserFactory(groups=["Editors"]))

    assert client.get("/sales/pieces/").status_code == 403


def test_manager_sees_every_salespersons_prospects(client, prospect, call):
    from tests.sales.factories import manager

    client.force_login(manager())

    assert b"Dana Whitfield" in client.get("/sales/").content
    assert client.get(f"/sales/prospects/{prospect.pk}/").status_code == 200


def test_owner_sees_their_prospect_brief(client, seller, prospect):
    client.force_login(seller)

    response = client.get(f"/sales/prospects/{prospect.pk}/")

    assert response.status_code == 200
    assert b"Dana Whitfield" in response.content


def test_notifications_are_private(client, seller, other_seller, prospect):
    Notification.objects.create(
        recipient=seller,
        kind="assignment_complete",
        prospect=prospect,
        event_key="x:1",
        message="Dana finished the required reading",
    )
    client.force_login(other_seller)

    assert b"Dana finished" not in client.get("/sales/notifications/").content


def test_resolver_names_every_object_route():
    names = {p.name for p in object_routes(get_resolver("sales.urls").url_patterns)}

    assert {"prospect", "prospect_edit", "assign", "assignment"} <= names
