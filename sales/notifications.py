"""In-app notices and emails to salespeople, exactly one per event.

Each event has a key (``assignment_complete:42``); the unique constraint on it
means a task that runs twice, or two workers racing, create one notice. The
email goes out only while the notice has no ``emailed_at``, under a row lock.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from sales.models import Notification, Prospect

logger = logging.getLogger(__name__)


def notify(
    *,
    recipient,
    kind: str,
    prospect: Prospect,
    event_key: str,
    message: str,
    email_template: str | None = None,
    context: dict | None = None,
) -> Notification:
    try:
        with transaction.atomic():
            notification, created = Notification.objects.get_or_create(
                event_key=event_key,
                defaults={
                    "recipient": recipient,
                    "kind": kind,
                    "prospect": prospect,
                    "message": message[:300],
                },
            )
    except IntegrityError:
        notification, created = Notification.objects.get(event_key=event_key), False
    if created:
        logger.info(
            "Notification %s (%s) for user %s", notification.pk, kind, recipient.pk
        )
    if email_template and recipient.email:
        send_notification_email(
            notification_id=notification.pk,
            template=email_template,
            context=context or {},
        )
    return notification


def send_notification_email(*, notification_id: int, template: str, context: dict):
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient", "prospect")
            .get(pk=notification_id)
        )
        if notification.emailed_at is not None:
            return
        body = render_to_string(
            template,
            {
                "notification": notification,
                "base_url": settings.WAGTAILADMIN_BASE_URL,
                **context,
            },
        )
        send_mail(
            subject=notification.message,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.recipient.email],
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
