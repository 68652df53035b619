"""Sales writes that bypass model signals still mark sales data changed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal import versions
from sales.tasks import (
    check_assignments_complete,
    email_assignment_link,
    remind_unstarted_calls,
)
from tests.sales.factories import CallFactory, progress

pytestmark = pytest.mark.django_db


def sales_stamp() -> str:
    return versions.current(versions.SALES)


def test_completing_an_assignment_marks_sales_data_changed(
    assignment, sharing_viewer, guide, committed
):
    progress(sharing_viewer.visitor, guide)
    before = sales_stamp()

    with committed():
        assert check_assignments_complete(sharing_viewer.visitor_id) == 1

    assert sales_stamp() != before


def test_reminding_a_call_marks_sales_data_changed(prospect, committed):
    CallFactory(prospect=prospect, starts_at=timezone.now() + timedelta(hours=3))
    before = sales_stamp()

    with committed():
        assert remind_unstarted_calls() == 1

    assert sales_stamp() != before


def test_emailing_a_link_marks_sales_data_changed(assignment, token, committed):
    before = sales_stamp()

    with committed():
        assert email_assignment_link(assignment.pk, token, "request-1")

    assert sales_stamp() != before


def test_nothing_to_remind_leaves_the_stamp_alone(prospect, committed):
    before = sales_stamp()

    with committed():
        assert remind_unstarted_calls() == 0

    assert sales_stamp() == before
