"""Celery entry points of the sales room.

Every task takes ids, re-reads its rows and returns quietly when they are gone.
Delivery is at-least-once, so each effect is guarded: notifications by their
unique event key, emails by ``emailed_at``.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sales.models import (
    Assignment,
    Call,
    LinkEmail,
    Notification,
    Prospect,
    mark_changed,
)
from sales.notifications import notify

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=30, time_limit=60)
def email_assignment_link(assignment_id: int, token: str, request_key: str) -> bool:
    """Email the prospect their personal link (on a salesperson's request).

    The token travels in the task message because only its hash is stored.
    ``request_key`` names one request to send: a redelivered task finds its
    ``LinkEmail`` already sent, under a row lock, and sends nothing.
    """
    assignment = (
        Assignment.objects.select_related("prospect", "created_by", "call")
        .filter(pk=assignment_id)
        .first()
    )
    if (
        assignment is None
        or not assignment.is_usable()
        or not assignment.prospect.email
    ):
        return False
    with transaction.atomic():
        record, _ = LinkEmail.objects.select_for_update().get_or_create(
            key=request_key, defaults={"assignment": assignment}
        )
        if record.sent_at is not None:
            return False
        link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
            "reading:by_token", args=[token]
        )
        context = {
            "assignment": assignment,
            "link": link,
            "salesperson": assignment.created_by,
            "items": assignment.items.select_related("page"),
        }
        send_mail(
            subject=render_to_string(
                "sales/email/assignment_link_subject.txt", context
            ).strip(),
            message=render_to_string("sales/email/assignment_link.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[assignment.prospect.email],
        )
        record.sent_at = timezone.now()
        record.save(update_fields=["sent_at"])
        Assignment.objects.filter(pk=assignment.pk).update(emailed_at=record.sent_at)
        mark_changed()
    logger.info("Emailed the link of assignment %s", assignment_id)
    return True


@shared_task(soft_time_limit=30, time_limit=60)
def notify_link_requested(prospect_id: int) -> bool:
    """Tell the owner that a forwarded viewer asked for a reading list."""
    prospect = (
        Prospect.objects.select_related("owner", "referred_by")
        .filter(pk=prospect_id)
        .first()
    )
    if prospect is None:
        return False
    referred = prospect.referred_by.name if prospect.referred_by else "a prospect"
    notify(
        recipient=prospect.owner,
        kind=Notification.Kind.LINK_REQUESTED,
        prospect=prospect,
        event_key=f"link_requested:{prospect.pk}",
        message=f"{prospect.name} asked for their own reading list "
        f"(forwarded by {referred})",
        email_template="sales/email/notification.txt",
    )
    return True


@shared_task(soft_time_limit=60, time_limit=90)
def check_assignments_complete(visitor_id: int) -> int:
    """Notify owners whose prospect (browsing as ``visitor_id``) is now Ready.

    Triggered when tracking announces a finished piece. Each assignment is
    marked complete once (``completed_at``), after its notice, which has a
    unique event key: a second run, two runs at once, or a run after a worker
    died mid-way, notify and email once.
    """
    from sales.readiness import Readiness, readiness_for

    assignments = list(
        Assignment.objects.usable()
        .filter(
            viewers__visitor_id=visitor_id,
            viewers__role="prospect",
            completed_at=None,
        )
        .select_related("prospect__owner")
        .distinct()
    )
    if not assignments:
        return 0
    readiness = readiness_for({a.prospect_id for a in assignments})
    notified = 0
    for assignment in assignments:
        state = readiness[assignment.prospect_id]
        if state.status != Readiness.READY:
            continue
        prospect = assignment.prospect
        # Notify before marking complete: a run that dies in between leaves the
        # assignment to the next run, whose notice and email are guarded.
        notify(
            recipient=prospect.owner,
            kind=Notification.Kind.ASSIGNMENT_COMPLETE,
            prospect=prospect,
            event_key=f"assignment_complete:{assignment.pk}",
            message=f"{prospect.name} finished the required reading",
            email_template="sales/email/notification.txt",
            context={"reasons": state.reason_line},
        )
        notified += Assignment.objects.filter(
            pk=assignment.pk, completed_at=None
        ).update(completed_at=timezone.now())
    if notified:
        mark_changed()
    return notified


@shared_task(soft_time_limit=120, time_limit=180)
def remind_unstarted_calls() -> int:
    """Remind owners of calls in the next ``SALES_REMINDER_HOURS`` whose prospect
    has not started the reading.

    Runs every 15 minutes from beat (periodic scans, never far-ahead ETAs). A
    call is reminded once: its notice has a unique event key and the call gets
    ``reminded_at``.
    """
    from sales.readiness import Readiness, readiness_for

    now = timezone.now()
    calls = list(
        Call.objects.filter(
            starts_at__gt=now,
            starts_at__lte=now + timedelta(hours=settings.SALES_REMINDER_HOURS),
            reminded_at=None,
        ).select_related("prospect__owner")
    )
    readiness = readiness_for({call.prospect_id for call in calls})
    sent = 0
    for call in calls:
        state = readiness[call.prospect_id]
        if state.status in (Readiness.NOT_STARTED, Readiness.NOTHING_ASSIGNED):
            when = timezone.localtime(call.starts_at)
            notify(
                recipient=call.owner,
                kind=Notification.Kind.NOT_STARTED,
                prospect=call.prospect,
                event_key=f"not_started:{call.pk}",
                message=f"{call.prospect.name} has not started the reading "
                f"before your call on {when:%a %d %b %H:%M}",
                email_template="sales/email/notification.txt",
                context={"reasons": state.reason_line},
            )
            sent += 1
        Call.objects.filter(pk=call.pk, reminded_at=None).update(reminded_at=now)
    if calls:
        mark_changed()
    return sent
