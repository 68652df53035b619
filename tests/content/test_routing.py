"""Page routes remembered in the shared cache never outlive the pages they name."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction, Site

from tests.content.calculator_factories import CalculatorPageFactory
from tests.content.factories import GuidePageFactory, section, text

pytestmark = pytest.mark.django_db


def guide(parent, words="First words.", **kwargs):
    return GuidePageFactory(
        parent=parent, body=[section("One", text(f"<p>{words}</p>"))], **kwargs
    )


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, [query["sql"] for query in captured.captured_queries]


def test_a_second_request_routes_from_the_cache(client, index_page):
    page = guide(index_page)
    client.get(page.url)

    response, queries = queries_of(client, page.url)

    assert response.status_code == 200
    assert not [sql for sql in queries if "wagtailcore_site" in sql]
    # The page by its key, then Wagtail's view restrictions (ancestors, rules).
    assert len(queries) == 3
    assert "content_guidepage" in queries[0]


def test_an_unpublished_page_is_gone_at_once(
    client, index_page, django_capture_on_commit_callbacks
):
    page = guide(index_page)
    assert client.get(page.url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()

    assert client.get(page.url).status_code == 404


def test_a_page_unpublished_behind_the_signals_is_still_not_served(client, index_page):
    page = guide(index_page)
    client.get(page.url)

    type(page).objects.filter(pk=page.pk).update(live=False)

    assert client.get(page.url).status_code == 404


def test_a_new_slug_moves_the_page(
    client, index_page, django_capture_on_commit_callbacks
):
    page = guide(index_page, slug="old-name")
    old_url = page.url
    client.get(old_url)

    with django_capture_on_commit_callbacks(execute=True):
        page.slug = "new-name"
        page.save_revision().publish()
    page.refresh_from_db()

    moved = client.get(old_url)
    assert moved.status_code == 301  # Wagtail's automatic redirect
    assert moved["Location"] == page.url
    assert client.get(page.url).status_code == 200


def test_a_path_that_named_nothing_serves_the_page_published_there(
    client, index_page, django_capture_on_commit_callbacks
):
    url = index_page.url + "later/"
    assert client.get(url).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        page = guide(index_page, slug="later")

    assert page.url == url
    assert client.get(url).status_code == 200


def test_view_restrictions_still_apply_to_a_remembered_route(
    client, index_page, django_capture_on_commit_callbacks
):
    page = guide(index_page, words="Members only")
    client.get(page.url)

    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=page, restriction_type="login")
    response = client.get(page.url)

    assert response.status_code == 302
    assert "Members only" not in response.content.decode()


def test_each_site_keeps_its_own_routes(client, settings, home_page, index_page):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "other.example.com"]
    page = guide(index_page)
    other_root = guide(home_page, words="Another site's home", slug="other-home")
    Site.objects.create(hostname="other.example.com", root_page=other_root)
    client.get(page.url)

    elsewhere = client.get(page.url, headers={"Host": "other.example.com"})

    assert elsewhere.status_code == 404


def test_pages_that_route_further_are_routed_by_wagtail_each_time(client, index_page):
    calculator = CalculatorPageFactory(parent=index_page)
    client.get(calculator.url)

    response, queries = queries_of(client, calculator.url)

    assert response.status_code == 200
    assert [sql for sql in queries if "wagtailcore_site" in sql]
