"""Links to reading lists: unguessable, rate-limited guesses, never cached."""

import logging

import pytest
from django.http import Http404

from sales.models import new_token
from sales.views import reading

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_ten_thousand_random_tokens_all_get_404(rf, assignment, settings):
    settings.SALES_UNKNOWN_LINKS_PER_MINUTE = 1_000_000
    statuses = set()

    # The view itself, without the middleware stack, keeps 10,000 tries quick.
    for _ in range(10_000):
        token = new_token()
        try:
            statuses.add(reading.by_token(rf.get(f"/a/{token}/"), token).status_code)
        except Http404:
            statuses.add(404)

    assert statuses == {404}


def test_a_burst_of_unknown_tokens_is_limited_and_logged(
    client, assignment, token, settings, caplog
):
    settings.SALES_UNKNOWN_LINKS_PER_MINUTE = 5
    caplog.set_level(logging.WARNING, logger="sales.views.reading")

    statuses = [client.get(f"/a/{new_token()}/").status_code for _ in range(8)]

    assert statuses == [404] * 5 + [429] * 3
    assert "over the limit" in caplog.text
    assert "127.0.0.1" not in caplog.text
    # The prospect's own link still opens from the same address.
    assert client.get(f"/a/{token}/").status_code == 200


def test_guesses_from_another_address_are_counted_apart(client, settings):
    settings.SALES_UNKNOWN_LINKS_PER_MINUTE = 2
    for _ in range(3):
        client.get(f"/a/{new_token()}/", REMOTE_ADDR="10.0.0.1")

    assert client.get(f"/a/{new_token()}/", REMOTE_ADDR="10.0.0.2").status_code == 404


def test_reading_list_is_never_cached(client, assignment, token):
    response = client.get(f"/a/{token}/")

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_sales_pages_are_never_cached(client, seller, prospect):
    client.force_login(seller)

    for url in ("/sales/", f"/sales/prospects/{prospect.pk}/"):
        cache_control = client.get(url)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, url


def test_sessions_expire_after_idle_time(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_RENEW_SECONDS < settings.SESSION_COOKIE_AGE


def test_an_active_session_is_renewed_now_and_then(client, seller, monkeypatch):
    from django.contrib.sessions.models import Session

    from portal import sessions

    def stored_expiry():
        return Session.objects.get(session_key=client.session.session_key).expire_date

    clock = [1_000_000]
    monkeypatch.setattr(sessions.time, "time", lambda: clock[0])
    client.force_login(seller)
    expiry = stored_expiry()

    clock[0] += 60
    client.get("/sales/")
    assert stored_expiry() == expiry

    clock[0] += 600
    client.get("/sales/")
    assert client.session[sessions.RENEWED_KEY] == clock[0]
    assert stored_expiry() > expiry
