import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from sales.roles import SALES_MANAGER, SALESPERSON

pytestmark = pytest.mark.django_db


def make_user(username, *groups):
    user = get_user_model().objects.create_user(username, password="pw-for-tests")
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


def test_home_page_has_the_portal_layout(client, site):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert '<nav class="site-nav" aria-label="Main">' in html
    assert "<footer" in html
    assert "/static/css/portal.css" in html
    assert "django-htmx" in html or "htmx" in html
    assert "hx-headers" not in html
    assert "csrftoken" not in response.cookies, "anonymous readers get no cookie"


def test_signed_in_pages_send_the_csrf_token_with_htmx(client):
    client.force_login(make_user("sam", SALESPERSON))

    html = client.get("/sales/").content.decode()

    assert 'hx-headers=\'{"X-CSRFToken": "' in html


def test_wagtail_admin_is_at_admin(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_django_admin_moved_away_from_admin(client):
    response = client.get("/django-admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/django-admin/login/")


def test_unknown_page_gets_the_friendly_404(client, site):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert b"learning centre" in response.content


def test_sales_view_asks_anonymous_visitors_to_sign_in(client):
    response = client.get("/sales/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/sales/"


def test_sales_view_refuses_editors(client):
    client.force_login(make_user("ed", "Editors"))

    response = client.get("/sales/")

    assert response.status_code == 403
    assert b"salespeople and managers" in response.content


def test_salesperson_sees_their_own_calls(client):
    client.force_login(make_user("sam", SALESPERSON))

    response = client.get("/sales/")

    assert response.status_code == 200
    assert b"Your prospects" in response.content


def test_manager_sees_the_whole_team(client):
    client.force_login(make_user("morgan", SALES_MANAGER))

    response = client.get("/sales/")

    assert response.status_code == 200
    assert b"Whole team" in response.content


def test_login_page_shows_errors_next_to_the_form(client):
    response = client.post(
        "/accounts/login/", {"username": "nobody", "password": "wrong"}
    )

    assert response.status_code == 200
    assert b'role="alert"' in response.content
