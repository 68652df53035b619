"""Roll-ups recomputed from scratch with tracking's own pure functions."""

from collections import defaultdict

from wagtail.models import Page

from tracking.models import Event, PageView, PageViewProgress, VisitorPageProgress
from tracking.progress import (
    EventRow,
    FinishRule,
    Totals,
    combine_totals,
    decide_status,
    totals_from_events,
)

TOTAL_FIELDS = (
    "engaged_seconds",
    "max_depth",
    "end_seen",
    "section_seconds",
    "videos",
    "completion",
)


def as_row(totals: Totals, status: str, evidence: dict) -> dict:
    return {
        **{name: getattr(totals, name) for name in TOTAL_FIELDS},
        "video_seconds": totals.video_seconds,
        "status": status,
        "evidence": evidence,
    }


def stored_row(progress) -> dict:
    return {
        **{name: getattr(progress, name) for name in TOTAL_FIELDS},
        "video_seconds": progress.video_seconds,
        "status": progress.status,
        "evidence": progress.evidence,
    }


def mismatches() -> list[str]:
    """Every roll-up row that differs from a recomputation, and every missing one.

    Returns readable descriptions; an empty list means the stored roll-ups
    are exactly what the raw events give.
    """
    rules = {
        page.pk: FinishRule.for_page(page.specific)
        for page in Page.objects.filter(
            pk__in=PageView.objects.values("page_id").distinct()
        )
    }
    events = defaultdict(list)
    for page_view_id, pk, *row in Event.objects.order_by("pk").values_list(
        "page_view_id", "pk", "kind", "key", "value", "data", "received_at"
    ):
        events[page_view_id].append((pk, EventRow(*row)))
    stored = {row.page_view_id: row for row in PageViewProgress.objects.all()}

    problems = []
    parts = defaultdict(list)
    for page_view in PageView.objects.all():
        rows = events.get(page_view.pk)
        if not rows:
            continue
        last_seen = max(row.received_at for _, row in rows)
        lifetime = int((last_seen - page_view.started_at).total_seconds())
        totals = totals_from_events(
            (row for _, row in rows), lifetime_seconds=max(lifetime, 0)
        )
        status, evidence = decide_status(totals, rules[page_view.page_id])
        expected = {
            **as_row(totals, status, evidence),
            "events_through": rows[-1][0],
            "last_seen": last_seen,
        }
        progress = stored.get(page_view.pk)
        if progress is None:
            problems.append(f"page view {page_view.pk}: no progress")
            continue
        actual = {
            **stored_row(progress),
            "events_through": progress.events_through,
            "last_seen": progress.last_seen,
        }
        if actual != expected:
            problems.append(f"page view {page_view.pk}: {actual} != {expected}")
        if page_view.visitor_id is not None:
            parts[page_view.visitor_id, page_view.page_id].append(
                (last_seen, page_view.pk, totals)
            )

    by_visitor = {
        (row.visitor_id, row.page_id): row for row in VisitorPageProgress.objects.all()
    }
    if set(by_visitor) != set(parts):
        problems.append(
            f"visitor progress rows {sorted(by_visitor)} != {sorted(parts)}"
        )
    for (visitor_id, page_id), views in parts.items():
        totals = combine_totals(t for _, _, t in sorted(views, key=lambda v: v[:2]))
        status, evidence = decide_status(totals, rules[page_id])
        progress = by_visitor.get((visitor_id, page_id))
        if progress is None:
            continue
        expected = as_row(totals, status, evidence)
        if stored_row(progress) != expected:
            problems.append(
                f"visitor {visitor_id} page {page_id}: "
                f"{stored_row(progress)} != {expected}"
            )
    return problems
