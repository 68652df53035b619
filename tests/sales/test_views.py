from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from sales.models import Assignment, Call, Consent, Prospect, Viewer
from sales.services import Pick, create_assignment
from tests.content.factories import GuidePageFactory
from tests.sales.factories import CallFactory, ProspectFactory, VisitorFactory, progress

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, seller):
    client.force_login(seller)
    return client


def test_salesperson_adds_a_prospect_they_own(signed_in, seller):
    response = signed_in.post(
        "/sales/prospects/new/",
        {
            "name": "Lee Carter",
            "email": "lee@example.org",
            "company": "Carter Builds",
            "committee_role": "finance",
            "source": "referral",
            "stage": "mql",
        },
    )

    prospect = Prospect.objects.get(name="Lee Carter")
    assert response.status_code == 302
    assert response["Location"] == f"/sales/prospects/{prospect.pk}/"
    assert prospect.owner == seller


def test_invalid_prospect_shows_inline_errors(signed_in):
    response = signed_in.post("/sales/prospects/new/", {"email": "not-an-email"})

    assert response.status_code == 200
    assert b'role="alert"' in response.content
    assert b"field--error" in response.content
    assert Prospect.objects.count() == 0


def test_salesperson_books_a_call(signed_in, prospect):
    starts = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")

    response = signed_in.post(
        f"/sales/prospects/{prospect.pk}/calls/new/",
        {"starts_at": starts, "notes": "Site visit"},
    )

    assert response.status_code == 302
    call = Call.objects.get()
    assert call.prospect == prospect
    assert call.owner == prospect.owner


def test_assigning_reading_shows_the_link_once(
    signed_in, prospect, call, guide, article
):
    response = signed_in.post(
        f"/sales/prospects/{prospect.pk}/assign/",
        {
            "pages": [guide.pk, article.pk],
            "required_pages": [guide.pk],
            "note": "Have a look before Thursday.",
            "call": call.pk,
        },
    )

    assignment = Assignment.objects.get()
    assert response["Location"] == f"/sales/assignments/{assignment.pk}/"
    assert [(i.page_id, i.required) for i in assignment.items.all()] == [
        (guide.pk, True),
        (article.pk, False),
    ]
    first = signed_in.get(response["Location"]).content.decode()
    assert 'data-testid="personal-link"' in first
    assert (
        'data-testid="personal-link"'
        not in signed_in.get(response["Location"]).content.decode()
    )


def test_assigning_can_email_the_link(
    signed_in, prospect, guide, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(
            f"/sales/prospects/{prospect.pk}/assign/",
            {"pages": [guide.pk], "required_pages": [guide.pk], "send_email": "1"},
        )

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [prospect.email]
    assert "/a/" in mail.outbox[0].body


def test_assignment_needs_at_least_one_piece(signed_in, prospect):
    response = signed_in.post(f"/sales/prospects/{prospect.pk}/assign/", {"note": "x"})

    assert response.status_code == 200
    assert b"Pick at least one piece to read." in response.content
    assert Assignment.objects.count() == 0


def test_content_search_finds_live_pieces_by_title(signed_in, guide, article):
    response = signed_in.get(
        "/sales/pieces/", {"find-q": "fibreglass"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "The fibreglass pool buyer" in html
    assert "What a pool really costs" not in html
    assert "<html" not in html


def test_content_search_filters_by_kind(signed_in, guide, article):
    response = signed_in.get("/sales/pieces/", {"find-kind": "cost"})

    html = response.content.decode()
    assert "What a pool really costs" in html
    assert "The fibreglass pool buyer" not in html


def test_revoking_from_the_desk(signed_in, assignment):
    response = signed_in.post(f"/sales/assignments/{assignment.pk}/revoke/")

    assignment.refresh_from_db()
    assert response.status_code == 302
    assert assignment.revoked_at is not None


def test_new_link_invalidates_the_old_one(signed_in, client, assignment, token):
    signed_in.post(f"/sales/assignments/{assignment.pk}/new-link/")

    assert signed_in.get(f"/a/{token}/").status_code == 404


def test_sales_view_groups_calls_and_explains_readiness(
    signed_in, prospect, assignment, sharing_viewer, guide
):
    progress(sharing_viewer.visitor, guide)

    html = signed_in.get("/sales/").content.decode()

    assert "Dana Whitfield" in html
    assert "Ready" in html
    assert "Finished 1 of 1" in html


def test_sales_view_filters_by_readiness(signed_in, prospect, call, assignment):
    response = signed_in.get("/sales/", {"status": "ready"}, HTTP_HX_REQUEST="true")

    assert b"Dana Whitfield" not in response.content
    assert b"No calls match these filters" in response.content


def build_book(seller, guide, article, count):
    for _ in range(count):
        prospect = ProspectFactory(owner=seller)
        CallFactory(prospect=prospect)
        assignment, _ = create_assignment(
            prospect=prospect, created_by=seller, picks=[Pick(guide), Pick(article)]
        )
        viewer = Viewer.objects.create(
            assignment=assignment,
            role=Viewer.Role.PROSPECT,
            consent=Consent.YES,
            visitor=VisitorFactory(),
        )
        progress(viewer.visitor, guide)
        Viewer.objects.create(assignment=assignment, role=Viewer.Role.FORWARDED)


def count_queries(client, url, django_assert_max_num_queries, limit, **headers):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "headers", [{}, {"HTTP_HX_REQUEST": "true"}], ids=["page", "htmx"]
)
def test_sales_view_queries_do_not_grow_with_prospects(
    signed_in, seller, guide, article, django_assert_max_num_queries, committed, headers
):
    with committed():
        build_book(seller, guide, article, 3)
    few = count_queries(
        signed_in, "/sales/", django_assert_max_num_queries, 15, **headers
    )

    # Committing the new prospects marks the list changed: it is rendered again.
    with committed():
        build_book(seller, guide, article, 20)
    many = count_queries(
        signed_in, "/sales/", django_assert_max_num_queries, 15, **headers
    )

    assert many == few


def test_cached_sales_view_queries_do_not_grow_with_prospects(
    clock, signed_in, seller, guide, article, django_assert_max_num_queries, committed
):
    with committed():
        build_book(seller, guide, article, 3)
    signed_in.get("/sales/")
    few = count_queries(signed_in, "/sales/", django_assert_max_num_queries, 6)

    with committed():
        build_book(seller, guide, article, 20)
    signed_in.get("/sales/")
    many = count_queries(signed_in, "/sales/", django_assert_max_num_queries, 6)

    assert many == few


def test_brief_queries_do_not_grow_with_reading(
    signed_in,
    seller,
    prospect,
    assignment,
    sharing_viewer,
    guide,
    article,
    django_assert_max_num_queries,
):
    url = f"/sales/prospects/{prospect.pk}/"
    progress(sharing_viewer.visitor, guide, section_seconds={"a": 40, "b": 5})
    progress(
        sharing_viewer.visitor,
        article,
        completion={"id": "calc", "data": {"size": "8 m"}},
    )
    few = count_queries(signed_in, url, django_assert_max_num_queries, 25)

    for number in range(5):
        extra = GuidePageFactory(parent=guide.get_parent(), title=f"Guide {number}")
        progress(sharing_viewer.visitor, extra, section_seconds={"c": 9})
        CallFactory(prospect=prospect)
        Viewer.objects.create(assignment=assignment, role=Viewer.Role.FORWARDED)
    many = count_queries(signed_in, url, django_assert_max_num_queries, 25)

    assert many == few


def test_brief_shows_evidence_inputs_and_timeline(
    signed_in, prospect, assignment, sharing_viewer, guide, article
):
    progress(sharing_viewer.visitor, guide, visit_count=3)
    progress(
        sharing_viewer.visitor,
        article,
        completion={"id": "calc", "data": {"Pool length": "8 m", "Total": "£41,000"}},
    )

    html = signed_in.get(f"/sales/prospects/{prospect.pk}/").content.decode()

    assert "5 min engaged" in html
    assert "Pool length" in html and "£41,000" in html
    assert "2 return visits" in html
    assert "Reading list created" in html


def test_manager_switches_between_the_team_and_one_salesperson(
    client, seller, other_seller, call
):
    from tests.sales.factories import manager

    theirs = CallFactory(prospect=ProspectFactory(owner=other_seller, name="Lee Berg"))
    client.force_login(manager())

    team = client.get("/sales/").content.decode()
    one = client.get("/sales/", {"owner": seller.pk}).content.decode()

    assert '<select id="call-owner" name="owner">' in team
    assert "Dana Whitfield" in team and theirs.prospect.name in team
    assert "Dana Whitfield" in one and theirs.prospect.name not in one


def test_salespeople_get_no_owner_switch(signed_in, call):
    assert b'name="owner"' not in signed_in.get("/sales/").content
