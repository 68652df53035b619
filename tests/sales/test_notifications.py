from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from sales.models import Notification
from sales.tasks import (
    check_assignments_complete,
    email_assignment_link,
    remind_unstarted_calls,
)
from tests.sales.factories import CallFactory, progress
from tracking.models import Status
from tracking.signals import piece_finished

pytestmark = pytest.mark.django_db


def test_finishing_everything_required_notifies_the_owner_once(
    seller, prospect, assignment, sharing_viewer, guide
):
    progress(sharing_viewer.visitor, guide, Status.FINISHED)

    check_assignments_complete(sharing_viewer.visitor_id)
    check_assignments_complete(sharing_viewer.visitor_id)

    notice = Notification.objects.get()
    assert notice.recipient == seller
    assert notice.kind == Notification.Kind.ASSIGNMENT_COMPLETE
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [seller.email]
    assert "Dana Whitfield finished the required reading" in mail.outbox[0].subject
    assignment.refresh_from_db()
    assert assignment.completed_at is not None


def test_partial_reading_notifies_nobody(prospect, assignment, sharing_viewer, article):
    progress(sharing_viewer.visitor, article, Status.FINISHED)

    assert check_assignments_complete(sharing_viewer.visitor_id) == 0
    assert Notification.objects.count() == 0


def test_tracking_signal_triggers_the_check(
    prospect, assignment, sharing_viewer, guide, django_capture_on_commit_callbacks
):
    progress(sharing_viewer.visitor, guide, Status.FINISHED)

    with django_capture_on_commit_callbacks(execute=True):
        piece_finished.send(
            sender=None,
            visitor_id=sharing_viewer.visitor_id,
            page_id=guide.pk,
            evidence={},
        )

    assert Notification.objects.filter(kind="assignment_complete").count() == 1


def test_reminder_before_a_call_when_nothing_was_started(seller, prospect, assignment):
    soon = CallFactory(prospect=prospect, starts_at=timezone.now() + timedelta(hours=3))
    CallFactory(prospect=prospect, starts_at=timezone.now() + timedelta(days=5))

    assert remind_unstarted_calls() == 1
    assert remind_unstarted_calls() == 0

    notice = Notification.objects.get()
    assert notice.kind == Notification.Kind.NOT_STARTED
    assert notice.event_key == f"not_started:{soon.pk}"
    assert len(mail.outbox) == 1


def test_no_reminder_when_the_prospect_is_reading(
    prospect, assignment, sharing_viewer, guide
):
    CallFactory(prospect=prospect, starts_at=timezone.now() + timedelta(hours=3))
    progress(sharing_viewer.visitor, guide, Status.IN_PROGRESS)

    assert remind_unstarted_calls() == 0
    assert Notification.objects.count() == 0


def test_link_email_is_sent_once_per_request(assignment, token):
    email_assignment_link(assignment.pk, token, "request-1")
    email_assignment_link(assignment.pk, token, "request-1")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["prospect" + message.to[0].removeprefix("prospect")]
    assert f"/a/{token}/" in message.body
    assert "The fibreglass pool buyer's guide" in message.body
    assert "What a pool really costs (optional)" in message.body
    assignment.refresh_from_db()
    assert assignment.emailed_at is not None


def test_revoked_link_is_never_emailed(assignment, token):
    from sales.services import revoke_assignment

    revoke_assignment(assignment=assignment)

    assert email_assignment_link(assignment.pk, token, "request-2") is False
    assert mail.outbox == []
