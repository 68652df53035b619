import base64

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from tracking.models import Visitor, hash_visitor_token
from tracking.services import bind_visitor, forget_visitor

pytestmark = pytest.mark.django_db


def request_with(cookies=None, secure=False):
    request = RequestFactory().get("/a/some-link/", secure=secure)
    request.COOKIES.update(cookies or {})
    return request


def test_binding_sets_an_httponly_first_party_cookie_of_random_bits(settings):
    response = HttpResponse()

    visitor = bind_visitor(request=request_with(secure=True), response=response)

    cookie = response.cookies[settings.TRACKING_VISITOR_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["domain"]
    assert int(cookie["max-age"]) == settings.TRACKING_VISITOR_COOKIE_DAYS * 86_400
    token = cookie.value
    assert len(base64.urlsafe_b64decode(token + "==")) * 8 >= 128
    assert visitor.token_hash == hash_visitor_token(token)
    assert token not in visitor.token_hash


def test_two_browsers_get_different_visitors():
    first = bind_visitor(request=request_with(), response=HttpResponse())
    second = bind_visitor(request=request_with(), response=HttpResponse())

    assert first != second


def test_binding_a_known_browser_keeps_its_visitor(settings):
    response = HttpResponse()
    visitor = bind_visitor(request=request_with(), response=response)
    token = response.cookies[settings.TRACKING_VISITOR_COOKIE].value

    again = bind_visitor(
        request=request_with({settings.TRACKING_VISITOR_COOKIE: token}),
        response=HttpResponse(),
    )

    assert again == visitor
    assert Visitor.objects.count() == 1


def test_forgetting_deletes_the_cookie_and_names_the_visitor(settings):
    response = HttpResponse()
    visitor = bind_visitor(request=request_with(), response=response)
    token = response.cookies[settings.TRACKING_VISITOR_COOKIE].value
    goodbye = HttpResponse()

    forgotten = forget_visitor(
        request=request_with({settings.TRACKING_VISITOR_COOKIE: token}),
        response=goodbye,
    )

    assert forgotten == visitor.pk
    assert goodbye.cookies[settings.TRACKING_VISITOR_COOKIE]["max-age"] == 0


def test_reading_a_page_sets_no_visitor_cookie(client, guide, settings):
    response = client.get(guide.url)

    assert response.status_code == 200
    assert settings.TRACKING_VISITOR_COOKIE not in response.cookies
