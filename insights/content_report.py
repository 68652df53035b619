"""Content performance: how each piece is read, assigned and tied to won deals.

One grouped query per column family, keyed by page, whatever the number of
pieces or reads; never raw events. Columns, for the period chosen:

- reads: page views with engaged time > 0 that started in the period;
- median engaged seconds of those reads (the two middle reads averaged);
- share reaching the end: reads that saw the end of the body / reads;
- share of 3+ minute reads: reads with >= 180 engaged seconds / reads;
- times assigned: the piece in assignments created in the period (not revoked);
- completion when assigned: of those, finished by the prospect's own browsers;
- won deals that read it: won deals closed in the period whose prospect
  finished the piece / won deals closed in the period.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q

from content.models import ContentKind, content_pages, kind_filter
from insights.metrics import (
    LONG_READ_SECONDS,
    closed_deals,
    finished_by_prospect,
    reads,
)
from insights.models import Outcome
from insights.periods import Period
from sales.models import AssignmentItem, Consent, Viewer
from tracking.models import Status, VisitorPageProgress

COLUMNS = [
    ("title", "Piece"),
    ("kind", "Kind"),
    ("reads", "Reads"),
    ("median", "Median engaged"),
    ("end_share", "Reached the end"),
    ("long_share", "3+ minute reads"),
    ("assigned", "Times assigned"),
    ("completion", "Completed when assigned"),
    ("won_share", "Won deals that finished it"),
]
SORT_KEYS = {key for key, _ in COLUMNS}


@dataclass
class Row:
    page_id: int
    title: str
    kind: str
    kind_label: str
    url: str
    reads: int = 0
    median: float | None = None
    end_reads: int = 0
    long_reads: int = 0
    assigned: int = 0
    completed: int = 0
    won_finished: int = 0
    won_total: int = 0

    @property
    def end_share(self):
        return self.end_reads / self.reads if self.reads else None

    @property
    def long_share(self):
        return self.long_reads / self.reads if self.reads else None

    @property
    def completion(self):
        return self.completed / self.assigned if self.assigned else None

    @property
    def won_share(self):
        return self.won_finished / self.won_total if self.won_total else None


def median(values: list[int]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def report(period: Period, *, kind: str = "", sort: str = "reads", descending=True):
    """Rows for every live piece (of ``kind`` if given), sorted by ``sort``."""
    pages = content_pages()
    if kind in ContentKind.values:
        pages = pages.filter(kind_filter(kind))
    rows = {}
    for page in pages.specific():
        kind_value = page.content_kind or ""
        rows[page.pk] = Row(
            page_id=page.pk,
            title=page.title,
            kind=kind_value,
            kind_label=ContentKind(kind_value).label if kind_value else "",
            url=page.url or "",
        )
    ids = list(rows)

    page_reads = reads(period).filter(page_id__in=ids)
    for page_id, n, end, long in (
        page_reads.values("page_id")
        .annotate(
            n=Count("pk"),
            end=Count("pk", filter=Q(end_seen=True)),
            long=Count("pk", filter=Q(engaged_seconds__gte=LONG_READ_SECONDS)),
        )
        .values_list("page_id", "n", "end", "long")
    ):
        rows[page_id].reads, rows[page_id].end_reads = n, end
        rows[page_id].long_reads = long

    # NOTE: medians per piece are taken in Python from one query of per-read
    # roll-up values; SQLite has no median aggregate.
    engaged = defaultdict(list)
    for page_id, seconds in page_reads.values_list("page_id", "engaged_seconds"):
        engaged[page_id].append(seconds)
    for page_id, values in engaged.items():
        rows[page_id].median = median(values)

    items = (
        AssignmentItem.objects.filter(
            page_id__in=ids,
            assignment__revoked_at__isnull=True,
            assignment__created_at__gte=period.start_at,
            assignment__created_at__lt=period.end_at,
        )
        .annotate(finished=finished_by_prospect("page_id", "assignment__prospect_id"))
        .values("page_id")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(finished=True)))
        .values_list("page_id", "n", "done")
    )
    for page_id, n, done in items:
        rows[page_id].assigned, rows[page_id].completed = n, done

    won = list(
        closed_deals(period)
        .filter(outcome=Outcome.WON)
        .values_list("pk", "prospect_id")
    )
    prospects_of_visitor = defaultdict(set)
    for visitor_id, prospect_id in Viewer.objects.filter(
        assignment__prospect_id__in={prospect for _, prospect in won},
        role=Viewer.Role.PROSPECT,
        consent=Consent.YES,
        visitor__isnull=False,
    ).values_list("visitor_id", "assignment__prospect_id"):
        prospects_of_visitor[visitor_id].add(prospect_id)
    finished = defaultdict(set)
    for visitor_id, page_id in VisitorPageProgress.objects.filter(
        visitor_id__in=list(prospects_of_visitor),
        page_id__in=ids,
        status=Status.FINISHED,
    ).values_list("visitor_id", "page_id"):
        finished[page_id] |= prospects_of_visitor[visitor_id]
    for row in rows.values():
        row.won_total = len(won)
        row.won_finished = sum(
            1 for _, prospect in won if prospect in finished[row.page_id]
        )

    key = sort if sort in SORT_KEYS else "reads"
    if key in ("title", "kind"):
        ordered = sorted(rows.values(), key=lambda r: getattr(r, key).lower())
        return ordered[::-1] if descending else ordered
    known = [row for row in rows.values() if getattr(row, key) is not None]
    unknown = [row for row in rows.values() if getattr(row, key) is None]
    known.sort(key=lambda r: getattr(r, key), reverse=descending)
    return known + sorted(unknown, key=lambda r: r.title.lower())
