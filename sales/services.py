"""Writes with side effects in the sales room: assignments, links and viewers."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import Page

from sales.models import (
    Assignment,
    AssignmentItem,
    Call,
    Consent,
    Prospect,
    Source,
    Viewer,
    hash_token,
    new_token,
)
from tracking.clients import browser_family
from tracking.models import Browser

logger = logging.getLogger(__name__)

COOKIE_SALT = "sales.reading"
MAX_VIEWERS_IN_COOKIE = 10


@dataclass(frozen=True)
class Pick:
    """One piece chosen for an assignment."""

    page: Page
    required: bool = True


def create_assignment(
    *,
    prospect: Prospect,
    created_by,
    picks: list[Pick],
    note: str = "",
    call: Call | None = None,
) -> tuple[Assignment, str]:
    """Create an assignment and return it with its link token.

    The token is returned once and never stored: only its hash is.
    """
    token = new_token()
    with transaction.atomic():
        assignment = Assignment.objects.create(
            prospect=prospect,
            created_by=created_by,
            note=note,
            call=call,
            token_hash=hash_token(token),
        )
        AssignmentItem.objects.bulk_create(
            AssignmentItem(
                assignment=assignment,
                page=pick.page,
                required=pick.required,
                position=position,
            )
            for position, pick in enumerate(picks)
        )
    logger.info("Assignment %s created for prospect %s", assignment.pk, prospect.pk)
    return assignment, token


def rotate_token(*, assignment: Assignment) -> str:
    """Give the assignment a new link; the old one stops working at once."""
    token = new_token()
    assignment.token_hash = hash_token(token)
    assignment.save(update_fields=["token_hash"])
    logger.info("Assignment %s link replaced", assignment.pk)
    return token


def extend_assignment(*, assignment: Assignment, days: int) -> Assignment:
    """Move the link's expiry ``days`` from now (or from its expiry if later)."""
    base = max(assignment.expires_at, timezone.now())
    assignment.expires_at = base + timedelta(days=days)
    assignment.save(update_fields=["expires_at"])
    logger.info("Assignment %s extended by %s days", assignment.pk, days)
    return assignment


def revoke_assignment(*, assignment: Assignment) -> Assignment:
    """Stop the link working and stop measuring the browsers that used it.

    Tabs still open send their next beacon and are told the page view is no
    longer accepted (410), so the tracker stops.
    """
    from tracking.services import end_visitors

    with transaction.atomic():
        if assignment.revoked_at is None:
            assignment.revoked_at = timezone.now()
            assignment.save(update_fields=["revoked_at"])
        end_visitors(
            visitor_ids=assignment.viewers.exclude(visitor=None).values_list(
                "visitor_id", flat=True
            )
        )
    logger.info("Assignment %s revoked", assignment.pk)
    return assignment


# Viewers ---------------------------------------------------------------------


def viewer_ids_from_cookie(request) -> list[int]:
    """Viewer ids this browser holds, newest first (empty when none or forged)."""
    raw = request.get_signed_cookie(
        settings.SALES_READING_COOKIE, default="", salt=COOKIE_SALT
    )
    ids = []
    for part in raw.split(":"):
        if part.isdigit():
            ids.append(int(part))
    return ids


def remember_viewer(response, *, request, viewer: Viewer) -> None:
    """Set the first-party cookie that stands in for the link's token."""
    ids = [viewer.pk] + [
        pk for pk in viewer_ids_from_cookie(request) if pk != viewer.pk
    ]
    response.set_signed_cookie(
        settings.SALES_READING_COOKIE,
        ":".join(str(pk) for pk in ids[:MAX_VIEWERS_IN_COOKIE]),
        salt=COOKIE_SALT,
        max_age=settings.SALES_READING_COOKIE_DAYS * 86_400,
        httponly=True,
        secure=request.is_secure(),
        samesite="Lax",
    )


def viewer_for_browser(request, assignment: Assignment) -> Viewer | None:
    ids = viewer_ids_from_cookie(request)
    if not ids:
        return None
    return assignment.viewers.filter(pk__in=ids).first()


def open_link(*, request, assignment: Assignment) -> Viewer:
    """Record the first real use of the link by this browser.

    The first browser becomes the prospect; any later one is a forwarded viewer
    whose reading is kept apart. Calling it again from the same browser returns
    the same viewer.
    """
    viewer = viewer_for_browser(request, assignment)
    if viewer is not None:
        Viewer.objects.filter(pk=viewer.pk).update(last_seen_at=timezone.now())
        return viewer

    # The family's name only: the raw user agent is never stored.
    family = Browser(browser_family(request)).label
    role = Viewer.Role.PROSPECT
    if assignment.viewers.filter(role=Viewer.Role.PROSPECT).exists():
        role = Viewer.Role.FORWARDED
    try:
        with transaction.atomic():
            viewer = Viewer.objects.create(
                assignment=assignment, role=role, browser_family=family
            )
    except IntegrityError:
        # Two browsers raced to be first; the loser is a forwarded viewer.
        viewer = Viewer.objects.create(
            assignment=assignment, role=Viewer.Role.FORWARDED, browser_family=family
        )
    logger.info(
        "Assignment %s opened by a %s viewer %s", assignment.pk, viewer.role, viewer.pk
    )
    return viewer


def set_consent(*, request, response, viewer: Viewer, consent: str) -> Viewer:
    """Record the viewer's answer and bind or unbind tracking's visitor."""
    from tracking.services import bind_visitor, forget_visitor

    if consent not in (Consent.YES, Consent.NO):
        raise ValueError(f"Unknown consent answer: {consent!r}")
    if consent == Consent.YES:
        visitor = bind_visitor(request=request, response=response)
        viewer.visitor_id = visitor.pk
    elif viewer.visitor_id is not None:
        forget_visitor(request=request, response=response)
        viewer.visitor_id = None
    viewer.consent = consent
    viewer.consent_changed_at = timezone.now()
    viewer.save(update_fields=["consent", "consent_changed_at", "visitor_id"])
    logger.info("Viewer %s consent set to %s", viewer.pk, consent)
    return viewer


def request_own_link(
    *, viewer: Viewer, name: str, email: str, requested_by_user=None
) -> tuple[Prospect, Assignment, str]:
    """Turn a forwarded viewer into a stakeholder with an assignment of their own."""
    original = viewer.assignment
    with transaction.atomic():
        prospect = Prospect.objects.create(
            name=name,
            email=email,
            company=original.prospect.company,
            owner=original.prospect.owner,
            source=Source.FORWARDED,
            referred_by=original.prospect,
        )
        picks = [
            Pick(page=item.page, required=item.required)
            for item in original.items.select_related("page")
        ]
        assignment, token = create_assignment(
            prospect=prospect,
            created_by=original.created_by,
            picks=picks,
            note=original.note,
            call=original.call,
        )
        viewer.stakeholder = prospect
        viewer.save(update_fields=["stakeholder"])
    return prospect, assignment, token
