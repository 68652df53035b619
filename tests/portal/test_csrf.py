"""Every state-changing route refuses a request without a CSRF token.

The route list comes from the URL configuration itself, so a new view is
checked the day it is added. Two routes are exempt on purpose: the beacon
endpoint checks Origin and Sec-Fetch-Site instead, and the JSON API
authenticates with bearer tokens, not cookies.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

EXEMPT = {"/t/e", "/api/"}
# Wagtail's admin and Django's admin have their own CSRF handling and tests.
SKIPPED_PREFIXES = ("/admin/", "/django-admin/", "/documents/", "/media-documents/")


def routes(patterns=None, prefix="/"):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        text = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + text)
        elif isinstance(pattern, URLPattern):
            yield prefix + text, pattern


def concrete(route: str) -> str:
    """A requestable path for a route: converters filled with plausible values."""
    route = route.lstrip("^").rstrip("$")
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<(?:slug|str|path):\w+>", "x", route)
    route = re.sub(r"<uuid:\w+>", "6f1c1b8a-0d6e-4d6c-9d1e-1b1b1b1b1b1b", route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    return route.replace("\\", "")


def checked_routes():
    for route, pattern in routes():
        path = concrete(route)
        if path.startswith(SKIPPED_PREFIXES) or "(" in path or "?" in path:
            continue
        yield path, pattern


def test_no_view_is_exempt_from_csrf_but_the_beacon_and_the_api():
    exempt = {
        concrete(route)
        for route, pattern in routes()
        if getattr(pattern.callback, "csrf_exempt", False)
        and not concrete(route).startswith(SKIPPED_PREFIXES)
    }

    assert {path for path in exempt if not path.startswith("/api/")} <= EXEMPT


def test_every_post_without_a_token_is_refused(site):
    from tests.sales.factories import manager

    client = Client(enforce_csrf_checks=True)
    client.force_login(manager())
    checked = 0

    for path, pattern in checked_routes():
        if getattr(pattern.callback, "csrf_exempt", False):
            continue
        response = client.post(path, {"choice": "yes", "name": "x"})
        assert response.status_code == 403, path
        checked += 1

    assert checked >= 20
