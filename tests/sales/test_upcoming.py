"""The desk's list of upcoming calls, cached as rendered HTML (sales/upcoming.py)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone

from portal import versions
from sales.models import AssignmentItem, Prospect
from sales.roles import SALES_MANAGER
from sales.services import Pick, create_assignment
from sales.upcoming import CallFilters, cache_key
from tests.sales.factories import CallFactory, ProspectFactory, manager, progress
from tests.sales.test_views import build_book

pytestmark = pytest.mark.django_db

# A cached list costs no query of its own: the session, the user and their sales
# groups for the fragment; the page adds the unread count and the two queries
# of base.html's editor link (the user's and their groups' permissions).
CACHED_FRAGMENT_QUERIES = 3
CACHED_PAGE_QUERIES = 6


@pytest.fixture
def signed_in(client, seller):
    client.force_login(seller)
    return client


def calls_html(client, **params) -> str:
    """The list as the page's htmx poll fetches it."""
    response = client.get("/sales/", params, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_second_render_of_the_list_comes_from_the_cache(
    clock, signed_in, seller, guide, article, django_assert_num_queries
):
    build_book(seller, guide, article, 5)
    first = calls_html(signed_in)

    with django_assert_num_queries(CACHED_FRAGMENT_QUERIES):
        second = calls_html(signed_in)

    assert second == first
    assert first.count('data-label="Readiness"') == 5


def test_the_page_around_a_cached_list_costs_a_fixed_number_of_queries(
    clock, signed_in, seller, guide, article, django_assert_num_queries
):
    build_book(seller, guide, article, 5)
    signed_in.get("/sales/")

    with django_assert_num_queries(CACHED_PAGE_QUERIES):
        response = signed_in.get("/sales/")

    assert response.content.decode().count('data-label="Readiness"') == 5


def test_the_page_and_the_poll_share_one_cached_list(
    clock, signed_in, call, django_assert_num_queries
):
    page = signed_in.get("/sales/").content.decode()

    with django_assert_num_queries(CACHED_FRAGMENT_QUERIES):
        fragment = calls_html(signed_in)

    assert fragment in page


def test_a_roll_up_shows_once_tracking_announces_it(
    clock, signed_in, prospect, assignment, sharing_viewer, guide
):
    assert "Not started" in calls_html(signed_in)
    progress(sharing_viewer.visitor, guide)

    assert "Not started" in calls_html(signed_in), "cached until announced"
    versions.bump(versions.PROGRESS)

    html = calls_html(signed_in)
    assert "Ready" in html and "Finished 1 of 1" in html


def test_booking_a_call_shows_it(clock, signed_in, prospect, call, committed):
    calls_html(signed_in)
    starts = timezone.localtime(clock() + timedelta(hours=3))

    with committed():
        signed_in.post(
            f"/sales/prospects/{prospect.pk}/calls/new/",
            {"starts_at": starts.strftime("%Y-%m-%dT%H:%M")},
        )

    html = calls_html(signed_in)
    assert html.count('data-label="Readiness"') == 2
    assert "2 upcoming calls" in html


def test_editing_a_prospect_shows_the_new_name(
    clock, signed_in, prospect, call, committed
):
    calls_html(signed_in)

    with committed():
        signed_in.post(
            f"/sales/prospects/{prospect.pk}/edit/",
            {
                "name": "Dana Whitfield-Ortiz",
                "company": "Whitfield Homes",
                "committee_role": "decision_maker",
                "source": "other",
                "stage": "lead",
            },
        )

    assert "Dana Whitfield-Ortiz" in calls_html(signed_in)


def test_assigning_reading_shows_it(
    clock, signed_in, seller, prospect, call, guide, committed
):
    assert "Nothing assigned" in calls_html(signed_in)

    with committed():
        create_assignment(prospect=prospect, created_by=seller, picks=[Pick(guide)])

    html = calls_html(signed_in)
    assert "Nothing assigned" not in html
    assert "Has not opened the link" in html


def test_a_changed_assignment_item_shows(
    clock, signed_in, assignment, sharing_viewer, guide, article, committed
):
    progress(sharing_viewer.visitor, guide)
    assert "Finished 1 of 1" in calls_html(signed_in)

    with committed():
        item = AssignmentItem.objects.get(assignment=assignment, page=article)
        item.required = True
        item.save()

    assert "Finished 1 of 2" in calls_html(signed_in)


def test_revoking_the_link_shows(clock, signed_in, assignment, committed):
    assert "Has not opened the link" in calls_html(signed_in)

    with committed():
        signed_in.post(f"/sales/assignments/{assignment.pk}/revoke/")

    assert "Nothing assigned" in calls_html(signed_in)


def test_a_prospect_opening_the_link_shows(
    clock, signed_in, assignment, token, other_browser, committed
):
    assert "Has not opened the link" in calls_html(signed_in)

    with committed():
        other_browser.post(f"/a/{token}/open/")

    assert "Opened the list but does not share progress" in calls_html(signed_in)


def test_a_prospect_agreeing_to_share_shows(
    clock, signed_in, assignment, token, other_browser, committed
):
    with committed():
        other_browser.post(f"/a/{token}/open/")
    assert "Not shared" in calls_html(signed_in)

    with committed():
        other_browser.post(f"/a/{token}/consent/", {"choice": "yes"})

    html = calls_html(signed_in)
    assert "Not shared" not in html
    assert "Not started" in html


def test_erasing_a_prospect_removes_their_call(
    clock, signed_in, prospect, call, other_browser, committed
):
    assert "Dana Whitfield" in calls_html(signed_in)
    other_browser.force_login(manager())

    with committed():
        other_browser.post(f"/sales/prospects/{prospect.pk}/erase/")

    assert not Prospect.objects.exists()
    assert "No calls booked" in calls_html(signed_in)


def test_two_salespeople_never_see_each_others_cached_list(
    clock, client, signed_in, call, other_seller
):
    theirs = CallFactory(prospect=ProspectFactory(owner=other_seller, name="Lee Berg"))
    assert "Dana Whitfield" in calls_html(signed_in)

    client.force_login(other_seller)
    html = calls_html(client)

    assert theirs.prospect.name in html
    assert "Dana Whitfield" not in html


def test_a_salesperson_made_manager_sees_the_team_at_once(
    clock, signed_in, seller, call, other_seller
):
    CallFactory(prospect=ProspectFactory(owner=other_seller, name="Lee Berg"))
    assert "Lee Berg" not in calls_html(signed_in)

    seller.groups.add(Group.objects.get(name=SALES_MANAGER))

    assert "Lee Berg" in calls_html(signed_in)


def test_each_filter_has_its_own_cached_list(clock, signed_in, seller, call):
    CallFactory(prospect=ProspectFactory(owner=seller, name="Lee Berg"))
    assert "Lee Berg" in calls_html(signed_in)

    html = calls_html(signed_in, q="Whitfield")

    assert "Dana Whitfield" in html
    assert "Lee Berg" not in html
    assert "No calls match these filters" in calls_html(signed_in, status="ready")


def test_relative_times_move_on_with_the_minute(
    clock, signed_in, assignment, sharing_viewer, guide
):
    progress(sharing_viewer.visitor, guide, last_seen=clock() - timedelta(minutes=5))
    assert "5\xa0minutes ago" in calls_html(signed_in)

    clock.advance(minutes=1)

    assert "6\xa0minutes ago" in calls_html(signed_in)


def test_a_call_leaves_the_list_within_a_minute_of_starting(clock, signed_in, prospect):
    CallFactory(prospect=prospect, starts_at=clock() + timedelta(seconds=30))
    assert "1 upcoming call" in calls_html(signed_in)

    clock.advance(minutes=1)

    assert "No calls booked" in calls_html(signed_in)


def test_the_cached_list_holds_no_csrf_token_and_no_script_nonce(
    clock, signed_in, seller, call
):
    response = signed_in.get("/sales/")
    html = response.content.decode()
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', html)[1]

    key = cache_key(user=seller, manager=False, filters=CallFilters(), now=clock())
    cached = cache.get(key)

    assert cached is not None and cached in html
    assert csrf not in cached and "csrf" not in cached.lower()
    assert "nonce" not in cached


def test_rows_keep_their_accessible_markup(
    clock, signed_in, assignment, sharing_viewer, guide
):
    progress(sharing_viewer.visitor, guide)

    html = calls_html(signed_in)

    assert '<p class="visually-hidden" data-announce>1 upcoming call</p>' in html
    group = re.search(r'class="call-group" aria-labelledby="(group-\d)"', html)[1]
    assert f'<h2 id="{group}">' in html
    assert '<th scope="col">Readiness</th>' in html
    assert (
        '<td data-label="Readiness"><span class="badge readiness readiness--ready">'
        '<span aria-hidden="true">✓</span> Ready</span></td>'
    ) in html
    assert re.search(r'<td data-label="Call"><time datetime="[^"]+">', html)
