"""A prospect's right to see and to erase what the portal holds about them."""

import logging

from django.db import transaction
from django.forms.models import model_to_dict

from sales.models import Prospect, Viewer
from tracking.models import VisitorPageProgress
from tracking.services import erase_visitor

logger = logging.getLogger(__name__)

PROGRESS_FIELDS = (
    "page_id",
    "engaged_seconds",
    "max_depth",
    "end_seen",
    "section_seconds",
    "video_seconds",
    "completion",
    "first_seen",
    "last_seen",
    "status",
    "visit_count",
)


def prospect_visitor_ids(prospect: Prospect) -> list[int]:
    """Tracking visitors that were this prospect's own browsers (not forwards)."""
    return list(
        Viewer.objects.filter(assignment__prospect=prospect, role=Viewer.Role.PROSPECT)
        .exclude(visitor=None)
        .values_list("visitor_id", flat=True)
    )


def export_prospect(prospect: Prospect) -> dict:
    """Everything held about one prospect, as plain data for a JSON download."""
    assignments = prospect.assignments.prefetch_related("items__page", "viewers")
    return {
        "prospect": model_to_dict(prospect, exclude=["owner", "referred_by"])
        | {
            "owner": str(prospect.owner),
            "referred_by": str(prospect.referred_by or ""),
        },
        "calls": list(prospect.calls.values("starts_at", "notes")),
        "assignments": [
            {
                "created_at": assignment.created_at,
                "note": assignment.note,
                "expires_at": assignment.expires_at,
                "revoked_at": assignment.revoked_at,
                "pieces": [
                    {"title": item.page.title, "required": item.required}
                    for item in assignment.items.all()
                ],
                "viewers": [
                    {
                        "role": viewer.role,
                        "consent": viewer.consent,
                        "browser_family": viewer.browser_family,
                        "first_seen_at": viewer.first_seen_at,
                    }
                    for viewer in assignment.viewers.all()
                ],
            }
            for assignment in assignments
        ],
        "reading": list(
            VisitorPageProgress.objects.filter(
                visitor_id__in=prospect_visitor_ids(prospect)
            ).values(*PROGRESS_FIELDS)
        ),
        "deals": list(
            prospect.deals.values(
                "amount", "currency", "stage", "outcome", "opened_on", "closed_on"
            )
        )
        if hasattr(prospect, "deals")
        else [],
        "notifications": list(prospect.notifications.values("message", "created_at")),
    }


@transaction.atomic
def erase_prospect(*, prospect: Prospect) -> int:
    """Delete the prospect and all their reading: visitors, page views, events,
    roll-ups, assignments, viewers, calls, deals and notifications.

    Aggregate weekly snapshots keep their counts, which name nobody. Returns
    the number of tracking visitors erased.
    """
    pk = prospect.pk
    visitor_ids = prospect_visitor_ids(prospect)
    for visitor_id in visitor_ids:
        erase_visitor(visitor_id=visitor_id)
    prospect.delete()
    logger.info("Prospect %s erased with %s visitors", pk, len(visitor_ids))
    return len(visitor_ids)
