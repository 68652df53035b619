"""How ready each prospect is for their call, and why, in plain words.

Readiness reads the assignments, the link's viewers and tracking's per-visitor
roll-ups in a fixed number of queries, whatever the number of prospects or
events; it never touches raw events.

Rules (DOMAIN.md):

- **Not shared**: the prospect opened the link but has not agreed (or said no)
  to share their progress, so nothing can be said.
- **Not started**: the link was never used, or nothing assigned was started.
- **Ready**: every required assigned piece is finished.
- **Skimmed**: every required piece was reached to its end, some too fast to
  count as read.
- **In progress**: anything assigned was started.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, Prefetch
from django.utils.text import Truncator

from sales.models import Assignment, AssignmentItem, Consent, Viewer
from tracking.models import Status, VisitorPageProgress


class Readiness:
    READY = "ready"
    IN_PROGRESS = "in_progress"
    SKIMMED = "skimmed"
    NOT_STARTED = "not_started"
    NOT_SHARED = "not_shared"
    NOTHING_ASSIGNED = "nothing_assigned"

    LABELS = {
        READY: "Ready",
        IN_PROGRESS: "In progress",
        SKIMMED: "Skimmed",
        NOT_STARTED: "Not started",
        NOT_SHARED: "Not shared",
        NOTHING_ASSIGNED: "Nothing assigned",
    }
    # Shown beside the label, so the status never rests on colour alone.
    ICONS = {
        READY: "✓",
        IN_PROGRESS: "◐",
        SKIMMED: "≈",
        NOT_SHARED: "⊘",
    }
    OTHER_ICON = "○"


@dataclass
class PieceProgress:
    """One assigned piece and what the prospect did with it."""

    item: AssignmentItem
    progress: VisitorPageProgress | None = None

    @property
    def title(self) -> str:
        """The piece's title, read with the item (``page_title``)."""
        return self.item.page_title

    @property
    def status(self) -> str:
        return self.progress.status if self.progress else Status.NOT_STARTED

    @property
    def finished(self) -> bool:
        return self.status == Status.FINISHED

    @property
    def started(self) -> bool:
        return self.progress is not None and (
            self.progress.engaged_seconds > 0 or self.status != Status.NOT_STARTED
        )


@dataclass
class ProspectReadiness:
    prospect_id: int
    status: str = Readiness.NOTHING_ASSIGNED
    pieces: list[PieceProgress] = field(default_factory=list)
    engaged_seconds: int = 0
    last_activity: datetime | None = None
    forwarded_viewers: int = 0
    opened: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return Readiness.LABELS[self.status]

    @property
    def icon(self) -> str:
        return Readiness.ICONS.get(self.status, Readiness.OTHER_ICON)

    @property
    def required(self) -> list[PieceProgress]:
        return [piece for piece in self.pieces if piece.item.required]

    @property
    def required_finished(self) -> int:
        return sum(1 for piece in self.required if piece.finished)

    @property
    def engaged_minutes(self) -> int:
        return round(self.engaged_seconds / 60)

    @property
    def reason_line(self) -> str:
        return "; ".join(self.reasons)


def times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


SHOWN_ANSWERS = 6


def said(value) -> str:
    """An answer as a reason reads it: yes/no rather than True/False."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def describe_completion(title: str, completion: dict | None) -> str:
    """'used Pool cost: length_m 8, budget 60000', or the band of an assessment.

    ``completion`` is tracking's record of the ``complete`` event: the piece's
    id and the flat ``data`` (inputs and results) it reported.
    """
    data = (completion or {}).get("data") or {}
    if data.get("band"):
        return f"completed {title}: {data['band']}"
    shown = ", ".join(
        f"{name} {said(value)}" for name, value in list(data.items())[:SHOWN_ANSWERS]
    )
    return f"used {title}: {shown}" if shown else f"used {title}"


def explain(
    readiness: ProspectReadiness, short_titles: dict[int, str] | None = None
) -> list[str]:
    """The reasons behind the status, in plain words.

    ``short_titles`` (page id -> title cut to 40 characters) is filled as titles
    are cut, so one dict shared over many prospects cuts each title once.
    """
    short_titles = {} if short_titles is None else short_titles
    reasons = []
    if readiness.status == Readiness.NOTHING_ASSIGNED:
        return ["no reading assigned yet"]
    if not readiness.opened:
        reasons.append("has not opened the link")
    elif readiness.status == Readiness.NOT_SHARED:
        reasons.append("opened the list but does not share progress")
    else:
        required = readiness.required
        reasons.append(f"finished {readiness.required_finished} of {len(required)}")
        for piece in readiness.pieces:
            page_id = piece.item.page_id
            if page_id not in short_titles:
                short_titles[page_id] = Truncator(piece.title).chars(40)
            title = short_titles[page_id]
            progress = piece.progress
            if progress is None or not piece.started:
                if piece.item.required:
                    reasons.append(f"has not opened {title}")
                continue
            if progress.completion is not None:
                reasons.append(describe_completion(title, progress.completion))
            elif piece.status == Status.SKIMMED:
                reasons.append(f"skimmed {title}")
            elif progress.visit_count >= 2:
                reasons.append(f"read {title} {times(progress.visit_count)}")
            elif piece.status == Status.IN_PROGRESS:
                reasons.append(f"is partway through {title}")
    if readiness.forwarded_viewers:
        reasons.append(
            f"forwarded to {readiness.forwarded_viewers} "
            f"other{'s' if readiness.forwarded_viewers > 1 else ''}"
        )
    return reasons


def decide(readiness: ProspectReadiness, shared: bool) -> str:
    if not readiness.pieces:
        return Readiness.NOTHING_ASSIGNED
    if not readiness.opened:
        return Readiness.NOT_STARTED
    if not shared:
        return Readiness.NOT_SHARED
    required = readiness.required or readiness.pieces
    if all(piece.finished for piece in required):
        return Readiness.READY
    if all(piece.status in (Status.FINISHED, Status.SKIMMED) for piece in required):
        return Readiness.SKIMMED
    if any(piece.started for piece in readiness.pieces):
        return Readiness.IN_PROGRESS
    return Readiness.NOT_STARTED


def readiness_for(prospect_ids) -> dict[int, ProspectReadiness]:
    """Readiness of each prospect, in four queries whatever their number.

    Only non-revoked assignments count; a piece assigned twice counts once and
    is required if either assignment requires it. Progress is the best of the
    prospect's consenting browsers (forwarded viewers never count). Items carry
    their page's title as ``page_title``; no page object is loaded.
    """
    prospect_ids = list(prospect_ids)
    assignments = (
        Assignment.objects.filter(prospect_id__in=prospect_ids, revoked_at=None)
        .order_by("created_at", "pk")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=AssignmentItem.objects.annotate(
                    page_title=F("page__title")
                ).order_by("position", "pk"),
            ),
            "viewers",
        )
    )

    items_by_prospect: dict[int, dict[int, AssignmentItem]] = defaultdict(dict)
    visitors_by_prospect: dict[int, set[int]] = defaultdict(set)
    opened: set[int] = set()
    shared: set[int] = set()
    forwarded: dict[int, int] = defaultdict(int)
    for assignment in assignments:
        pid = assignment.prospect_id
        for item in assignment.items.all():
            known = items_by_prospect[pid].get(item.page_id)
            if known is None:
                items_by_prospect[pid][item.page_id] = item
            elif item.required and not known.required:
                known.required = True
        for viewer in assignment.viewers.all():
            if viewer.role == Viewer.Role.FORWARDED:
                forwarded[pid] += 1
                continue
            opened.add(pid)
            if viewer.consent == Consent.YES and viewer.visitor_id is not None:
                shared.add(pid)
                visitors_by_prospect[pid].add(viewer.visitor_id)

    prospect_of_visitor = {
        visitor_id: pid
        for pid, visitor_ids in visitors_by_prospect.items()
        for visitor_id in visitor_ids
    }
    best: dict[tuple[int, int], VisitorPageProgress] = {}
    totals: dict[int, int] = defaultdict(int)
    last: dict[int, datetime] = {}
    rows = VisitorPageProgress.objects.filter(visitor_id__in=prospect_of_visitor).defer(
        "section_seconds", "videos", "evidence"
    )
    for row in rows:
        pid = prospect_of_visitor[row.visitor_id]
        totals[pid] += row.engaged_seconds
        if pid not in last or row.last_seen > last[pid]:
            last[pid] = row.last_seen
        key = (pid, row.page_id)
        if key not in best or status_rank(row) > status_rank(best[key]):
            best[key] = row

    result = {}
    short_titles: dict[int, str] = {}
    for pid in prospect_ids:
        readiness = ProspectReadiness(
            prospect_id=pid,
            pieces=[
                PieceProgress(item=item, progress=best.get((pid, page_id)))
                for page_id, item in items_by_prospect[pid].items()
            ],
            engaged_seconds=totals[pid],
            last_activity=last.get(pid),
            forwarded_viewers=forwarded[pid],
            opened=pid in opened,
        )
        readiness.status = decide(readiness, shared=pid in shared)
        readiness.reasons = explain(readiness, short_titles)
        result[pid] = readiness
    return result


STATUS_ORDER = {
    Status.NOT_STARTED: 0,
    Status.IN_PROGRESS: 1,
    Status.SKIMMED: 2,
    Status.FINISHED: 3,
}


def status_rank(row: VisitorPageProgress) -> tuple[int, int]:
    return (STATUS_ORDER.get(row.status, 0), row.engaged_seconds)
