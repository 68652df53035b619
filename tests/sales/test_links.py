import base64
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from sales.models import Assignment, Viewer, hash_token, new_token
from sales.services import revoke_assignment
from tracking.models import Visitor

pytestmark = pytest.mark.django_db


def url(token, suffix=""):
    return f"/a/{token}/{suffix}"


def test_tokens_carry_at_least_128_random_bits():
    tokens = {new_token() for _ in range(2000)}

    assert len(tokens) == 2000
    for token in list(tokens)[:50]:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128


def test_only_the_hash_of_the_token_is_stored(assignment, token):
    stored = Assignment.objects.filter(pk=assignment.pk).values().get()

    assert token not in str(stored)
    assert stored["token_hash"] == hash_token(token)
    assert len(stored["token_hash"]) == 64


def test_link_opens_the_reading_list(client, assignment, token):
    response = client.get(url(token))

    assert response.status_code == 200
    html = response.content.decode()
    assert "The fibreglass pool buyer&#x27;s guide" in html
    assert "Start with the guide" in html
    assert "<form" not in html.split('id="consent"')[0], "no form before the content"
    assert token not in html
    # The token never leaves the site in a Referer, yet forms keep their Origin.
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.parametrize("method", ["get", "head"])
def test_scanner_fetching_the_link_leaves_no_trace(client, assignment, token, method):
    response = getattr(client, method)(url(token))

    assert response.status_code == 200
    assert Viewer.objects.count() == 0
    assert Visitor.objects.count() == 0
    assert settings.SALES_READING_COOKIE not in response.cookies
    assert settings.TRACKING_VISITOR_COOKIE not in response.cookies


def test_first_real_use_swaps_the_token_for_a_cookie(client, assignment, token):
    response = client.post(url(token, "open/"), HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json() == {"url": "/a/"}
    assert settings.SALES_READING_COOKIE in response.cookies
    assert client.get("/a/").status_code == 200
    # The token URL now forwards to the token-free one.
    assert client.get(url(token))["Location"] == "/a/"


def test_second_browser_is_a_forwarded_viewer(client, other_browser, assignment, token):
    client.post(url(token, "open/"))
    other_browser.post(url(token, "open/"))
    client.post(url(token, "open/"))

    roles = list(Viewer.objects.order_by("pk").values_list("role", flat=True))
    assert roles == [Viewer.Role.PROSPECT, Viewer.Role.FORWARDED]
    assert b"Were you forwarded this list?" in other_browser.get("/a/").content
    assert b"Were you forwarded this list?" not in client.get("/a/").content


def test_expired_link_shows_a_friendly_page(client, assignment, token):
    Assignment.objects.filter(pk=assignment.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    response = client.get(url(token))

    assert response.status_code == 410
    assert b"has expired" in response.content
    assert b'href="/"' in response.content


def test_revoked_link_stops_working_even_with_the_cookie(client, assignment, token):
    client.post(url(token, "open/"))

    revoke_assignment(assignment=assignment)

    assert client.get(url(token)).status_code == 410
    assert client.get("/a/").status_code == 410
    assert client.post(url(token, "open/")).status_code == 410


def test_unknown_token_is_a_friendly_404(client, site):
    response = client.get(url(new_token()))

    assert response.status_code == 404


def test_consent_yes_binds_a_visitor_and_no_unbinds_it(client, assignment, token):
    client.post(url(token, "consent/"), {"choice": "yes"})
    viewer = Viewer.objects.get()

    assert viewer.consent == "yes"
    assert viewer.visitor is not None
    assert settings.TRACKING_VISITOR_COOKIE in client.cookies

    client.post("/a/consent/", {"choice": "no"})
    viewer.refresh_from_db()

    assert viewer.consent == "no"
    assert viewer.visitor is None
    assert client.cookies[settings.TRACKING_VISITOR_COOKIE].value == ""


def test_consent_rejects_unknown_answers(client, assignment, token):
    response = client.post(url(token, "consent/"), {"choice": "maybe"})

    assert response.status_code == 303
    assert Viewer.objects.get().consent == ""


def test_extending_an_expired_link_counts_from_now(assignment):
    from sales.services import extend_assignment

    assignment.expires_at = timezone.now() - timedelta(days=3)
    extend_assignment(assignment=assignment, days=14)

    assert assignment.expires_at > timezone.now() + timedelta(days=13)


def test_forwarded_viewer_asks_for_a_link_of_their_own(
    client, other_browser, assignment, token, seller, django_capture_on_commit_callbacks
):
    from django.core import mail

    from sales.models import Notification, Prospect

    client.post(url(token, "open/"))
    other_browser.post(url(token, "open/"))

    with django_capture_on_commit_callbacks(execute=True):
        response = other_browser.post(
            "/a/own-link/", {"name": "Chris Whitfield", "email": "chris@example.org"}
        )

    assert response.status_code == 201
    stakeholder = Prospect.objects.get(email="chris@example.org")
    assert stakeholder.referred_by == assignment.prospect
    assert stakeholder.owner == seller
    assert stakeholder.company == assignment.prospect.company
    assert stakeholder.assignments.get().items.count() == 2
    assert [m.to for m in mail.outbox] == [["chris@example.org"], [seller.email]]
    assert Notification.objects.get().kind == "link_requested"


def test_the_prospect_cannot_ask_for_a_forwarded_link(client, assignment, token):
    client.post(url(token, "open/"))

    response = client.post("/a/own-link/", {"name": "X", "email": "x@example.org"})

    assert response.status_code == 404


def test_own_link_form_errors_are_shown(client, other_browser, assignment, token):
    client.post(url(token, "open/"))
    other_browser.post(url(token, "open/"))

    response = other_browser.post("/a/own-link/", {"name": "", "email": "nope"})

    assert response.status_code == 400
    assert b"field--error" in response.content


def test_revoking_refuses_the_beacons_of_a_tab_still_open(
    client, assignment, token, guide, monkeypatch
):
    from tests.tracking.conftest import FakeClock, Reader
    from tracking import views

    clock = FakeClock()
    monkeypatch.setattr(views, "clock", clock)
    client.post(url(token, "consent/"), {"choice": "yes"})
    reader = Reader(client, guide)
    assert reader.send(reader.batch(1000, {"k": "view"})).status_code == 202
    clock.advance(15)
    assert (
        reader.send(reader.batch(15000, {"k": "engaged", "ms": 9000})).status_code
        == 202
    )

    revoke_assignment(assignment=assignment)
    clock.advance(15)
    response = reader.send(reader.batch(30000, {"k": "engaged", "ms": 20000}))

    assert response.status_code == 410
    assert response.json()["stop"] is True
    viewer = Viewer.objects.get()
    assert viewer.visitor.ended_at is not None


def test_consenting_again_after_revocation_gets_a_new_visitor(
    client, assignment, token, prospect, seller, guide
):
    from sales.services import Pick, create_assignment

    client.post(url(token, "consent/"), {"choice": "yes"})
    first = Viewer.objects.get().visitor_id
    revoke_assignment(assignment=assignment)

    _, second_token = create_assignment(
        prospect=prospect, created_by=seller, picks=[Pick(guide)]
    )
    client.post(url(second_token, "consent/"), {"choice": "yes"})

    visitors = set(Viewer.objects.values_list("visitor_id", flat=True))
    assert len(visitors) == 2 and first in visitors


def test_a_viewer_keeps_only_the_browser_family(client, assignment, token):
    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1"
    )

    client.post(url(token, "open/"), HTTP_USER_AGENT=iphone)

    assert Viewer.objects.get().browser_family == "Chrome"
