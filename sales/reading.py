"""What the prospect's reading list shows: the note, the pieces and their ticks."""

from wagtail.models import Page

from sales.models import Assignment, AssignmentItem, Consent, Viewer
from tracking.models import Status, VisitorPageProgress


def reading_list_for(*, assignment: Assignment, viewer: Viewer | None) -> dict:
    """Context for the reading list, seen by ``viewer`` (None before first use).

    Ticks show only to a viewer who shares progress, and only their own.
    """
    items = list(
        AssignmentItem.objects.filter(assignment=assignment)
        .select_related("page")
        .order_by("position", "pk")
    )
    pages = {
        page.pk: page
        for page in Page.objects.filter(pk__in=[item.page_id for item in items])
        .live()
        .specific()
    }
    progress = {}
    if viewer is not None and viewer.shares_progress:
        progress = {
            row.page_id: row
            for row in VisitorPageProgress.objects.filter(
                visitor_id=viewer.visitor_id, page_id__in=pages
            ).only("page_id", "status", "engaged_seconds", "visitor_id")
        }
    entries = []
    for item in items:
        page = pages.get(item.page_id)
        if page is None:
            continue  # unpublished since it was assigned
        row = progress.get(item.page_id)
        entries.append(
            {
                "item": item,
                "page": page,
                "minutes": max(
                    1, round(getattr(page, "expected_reading_seconds", 0) / 60)
                ),
                "status": row.status if row else Status.NOT_STARTED,
                "finished": bool(row and row.status == Status.FINISHED),
            }
        )
    return {
        "assignment": assignment,
        "viewer": viewer,
        "salesperson": assignment.created_by,
        "entries": entries,
        "finished_count": sum(1 for entry in entries if entry["finished"]),
        "consent": viewer.consent if viewer else Consent.UNANSWERED,
        "is_forwarded": bool(viewer and viewer.role == Viewer.Role.FORWARDED),
    }
