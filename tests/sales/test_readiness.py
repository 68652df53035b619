import pytest

from sales.models import Consent, Viewer
from sales.readiness import Readiness, readiness_for
from tests.sales.factories import VisitorFactory, progress
from tracking.models import Status

pytestmark = pytest.mark.django_db


def state(prospect):
    return readiness_for([prospect.pk])[prospect.pk]


def test_nothing_assigned(prospect):
    assert state(prospect).status == Readiness.NOTHING_ASSIGNED


def test_link_not_opened_is_not_started(prospect, assignment):
    readiness = state(prospect)

    assert readiness.status == Readiness.NOT_STARTED
    assert "has not opened the link" in readiness.reasons


def test_opened_without_consent_is_not_shared(prospect, assignment):
    Viewer.objects.create(assignment=assignment, role=Viewer.Role.PROSPECT)

    assert state(prospect).status == Readiness.NOT_SHARED


def test_ready_when_every_required_piece_is_finished(
    prospect, sharing_viewer, guide, article
):
    progress(sharing_viewer.visitor, guide, Status.FINISHED, visit_count=2)

    readiness = state(prospect)

    assert readiness.status == Readiness.READY
    assert readiness.required_finished == 1
    assert "finished 1 of 1" in readiness.reasons
    assert f"read {guide.title} twice" in readiness.reason_line


def test_skimmed_when_the_end_was_reached_too_fast(prospect, sharing_viewer, guide):
    progress(sharing_viewer.visitor, guide, Status.SKIMMED, engaged=20)

    readiness = state(prospect)

    assert readiness.status == Readiness.SKIMMED
    assert "skimmed" in readiness.reason_line


def test_in_progress_when_anything_was_started(prospect, sharing_viewer, article):
    progress(sharing_viewer.visitor, article, Status.IN_PROGRESS, engaged=40)

    readiness = state(prospect)

    assert readiness.status == Readiness.IN_PROGRESS
    assert "has not opened The fibreglass pool buyer's guide" in readiness.reason_line


def test_forwarded_viewers_never_count_as_the_prospect(prospect, assignment, guide):
    Viewer.objects.create(assignment=assignment, role=Viewer.Role.PROSPECT)
    colleague = Viewer.objects.create(
        assignment=assignment,
        role=Viewer.Role.FORWARDED,
        consent=Consent.YES,
        visitor=VisitorFactory(),
    )
    progress(colleague.visitor, guide, Status.FINISHED)

    readiness = state(prospect)

    assert readiness.status == Readiness.NOT_SHARED
    assert readiness.engaged_seconds == 0
    assert "forwarded to 1 other" in readiness.reasons


def test_calculator_inputs_appear_in_the_reasons(prospect, sharing_viewer, guide):
    progress(
        sharing_viewer.visitor,
        guide,
        Status.FINISHED,
        completion={"id": "calc", "data": {"length": "8 m", "budget": "60,000"}},
    )

    line = state(prospect).reason_line
    # PostgreSQL's jsonb keeps no key order, so only the pairs are certain.
    assert "length 8 m" in line
    assert "budget 60,000" in line
    assert "used The fibreglass pool buyer's guide:" in line


def test_readiness_queries_do_not_grow_with_prospects(
    django_assert_max_num_queries, seller, guide
):
    from sales.services import Pick, create_assignment
    from tests.sales.factories import ProspectFactory

    prospects = []
    for _ in range(12):
        prospect = ProspectFactory(owner=seller)
        assignment, _ = create_assignment(
            prospect=prospect, created_by=seller, picks=[Pick(guide)]
        )
        viewer = Viewer.objects.create(
            assignment=assignment,
            role=Viewer.Role.PROSPECT,
            consent=Consent.YES,
            visitor=VisitorFactory(),
        )
        progress(viewer.visitor, guide)
        prospects.append(prospect.pk)

    with django_assert_max_num_queries(4):
        result = readiness_for(prospects)

    assert {r.status for r in result.values()} == {Readiness.READY}


def test_yes_no_answers_read_as_words(prospect, sharing_viewer, guide):
    progress(
        sharing_viewer.visitor,
        guide,
        Status.FINISHED,
        completion={"id": "calc", "data": {"heating": True, "cover": False}},
    )

    line = state(prospect).reason_line
    assert "heating yes" in line and "cover no" in line
