"""The pre-call brief: what one prospect did, with the evidence, in time order.

Built from the prospect's assignments, viewers and tracking's per-visitor
roll-ups in a fixed number of queries (plus one per page type for section
headings), never from raw events.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch
from wagtail.models import Page

from sales.models import Assignment, AssignmentItem, Prospect, Viewer
from sales.readiness import readiness_for
from tracking.models import Status, VisitorPageProgress

TOP_SECTIONS = 5


@dataclass(frozen=True)
class Moment:
    at: datetime
    text: str
    kind: str


@dataclass(frozen=True)
class Dwell:
    page_title: str
    heading: str
    seconds: int


def section_headings(pages) -> dict[tuple[int, str], str]:
    """(page id, section block id) -> heading, for pages that have sections."""
    headings = {}
    for page in pages:
        for section in getattr(page, "sections", None) or []:
            headings[(page.pk, str(section.id))] = section.heading
    return headings


def brief_for(prospect: Prospect) -> dict:
    readiness = readiness_for([prospect.pk])[prospect.pk]
    assignments = list(
        Assignment.objects.filter(prospect=prospect)
        .select_related("created_by", "call")
        .prefetch_related(
            Prefetch("items", queryset=AssignmentItem.objects.select_related("page")),
            Prefetch("viewers", queryset=Viewer.objects.order_by("first_seen_at")),
        )
    )
    viewers = [viewer for a in assignments for viewer in a.viewers.all()]
    prospect_visitors = {
        v.visitor_id
        for v in viewers
        if v.role == Viewer.Role.PROSPECT and v.shares_progress
    }
    progress = list(
        VisitorPageProgress.objects.filter(visitor_id__in=prospect_visitors)
        .select_related("page")
        .order_by("first_seen")
    )
    pages = Page.objects.filter(pk__in={row.page_id for row in progress}).specific()
    headings = section_headings(pages)
    titles = {page.pk: page.title for page in pages}

    dwell = sorted(
        (
            Dwell(
                page_title=titles.get(row.page_id, row.page.title),
                heading=headings.get((row.page_id, section_id), "Untitled section"),
                seconds=int(seconds),
            )
            for row in progress
            for section_id, seconds in (row.section_seconds or {}).items()
            if seconds
        ),
        key=lambda item: -item.seconds,
    )[:TOP_SECTIONS]

    interactions = [row for row in progress if row.completion]
    assigned_ids = {piece.item.page_id for piece in readiness.pieces}
    unassigned_reads = [
        row
        for row in progress
        if row.page_id not in assigned_ids and row.engaged_seconds
    ]
    skipped = [piece for piece in readiness.pieces if not piece.started]
    calls = list(prospect.calls.order_by("starts_at"))
    return {
        "prospect": prospect,
        "readiness": readiness,
        "assignments": assignments,
        "viewers": viewers,
        "forwarded": [v for v in viewers if v.role == Viewer.Role.FORWARDED],
        "dwell": dwell,
        "interactions": interactions,
        "skipped": skipped,
        "unassigned_reads": unassigned_reads,
        "return_visits": sum(max(0, row.visit_count - 1) for row in progress),
        "calls": calls,
        "timeline": timeline(assignments, viewers, progress, calls, titles),
    }


def timeline(assignments, viewers, progress, calls, titles) -> list[Moment]:
    moments = []
    for assignment in assignments:
        moments.append(
            Moment(assignment.created_at, "Reading list created", "assigned")
        )
        if assignment.emailed_at:
            moments.append(Moment(assignment.emailed_at, "Link emailed", "emailed"))
        if assignment.revoked_at:
            moments.append(Moment(assignment.revoked_at, "Link revoked", "revoked"))
    for viewer in viewers:
        who = (
            "Prospect" if viewer.role == Viewer.Role.PROSPECT else "A forwarded viewer"
        )
        moments.append(
            Moment(
                viewer.first_seen_at,
                f"{who} opened the list ({viewer.browser_family or 'unknown browser'})",
                "opened",
            )
        )
        if viewer.consent_changed_at:
            answer = (
                "agreed to share" if viewer.consent == "yes" else "chose not to share"
            )
            moments.append(
                Moment(viewer.consent_changed_at, f"{who} {answer}", "consent")
            )
    for row in progress:
        title = titles.get(row.page_id, "a piece")
        moments.append(Moment(row.first_seen, f"Started {title}", "started"))
        if row.status in (Status.FINISHED, Status.SKIMMED):
            verb = "Finished" if row.status == Status.FINISHED else "Skimmed"
            moments.append(Moment(row.status_changed_at, f"{verb} {title}", row.status))
    for call in calls:
        moments.append(Moment(call.starts_at, "Call", "call"))
    return sorted(moments, key=lambda moment: moment.at)
