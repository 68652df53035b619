"""Per-page engagement figures for editors, read from roll-ups only."""

import statistics
from dataclasses import dataclass, field
from datetime import datetime

from tracking.models import PageViewProgress, Status


@dataclass(frozen=True)
class SectionDwell:
    id: str
    heading: str
    seconds: int
    mean_seconds: float
    share_of_reads: float


@dataclass(frozen=True)
class PageEngagement:
    """What readers did with one page since ``since``.

    - ``reads``: page views with at least one engaged second;
    - ``median_engaged_seconds``: median engaged time per read (0 without reads);
    - ``end_share``: share of reads that saw the end of the body;
    - ``finished_share``, ``skimmed_share``: share of reads per status;
    - ``sections``: engaged time per section in page order, with the mean per
      read and the share of reads that spent any time there; sections no longer
      on the page come last, named by their block id.
    """

    since: datetime
    reads: int = 0
    median_engaged_seconds: float = 0
    end_share: float = 0
    finished_share: float = 0
    skimmed_share: float = 0
    sections: list[SectionDwell] = field(default_factory=list)


def page_engagement(page, *, since: datetime) -> PageEngagement:
    """Figures for ``page`` (a specific page) in one query over its roll-ups."""
    rows = list(
        PageViewProgress.objects.reads_of(page.pk, since=since).values_list(
            "engaged_seconds", "end_seen", "status", "section_seconds"
        )
    )
    if not rows:
        return PageEngagement(since=since)

    reads = len(rows)
    totals: dict[str, int] = {}
    visits: dict[str, int] = {}
    for _, _, _, sections in rows:
        for key, seconds in sections.items():
            totals[key] = totals.get(key, 0) + seconds
            visits[key] = visits.get(key, 0) + 1
    headings = {
        section.id: section.heading for section in getattr(page, "sections", [])
    }
    order = [key for key in headings if key in totals] + sorted(
        key for key in totals if key not in headings
    )
    return PageEngagement(
        since=since,
        reads=reads,
        median_engaged_seconds=statistics.median(row[0] for row in rows),
        end_share=sum(1 for row in rows if row[1]) / reads,
        finished_share=sum(1 for row in rows if row[2] == Status.FINISHED) / reads,
        skimmed_share=sum(1 for row in rows if row[2] == Status.SKIMMED) / reads,
        sections=[
            SectionDwell(
                id=key,
                heading=headings.get(key, f"Removed section {key[:8]}"),
                seconds=totals[key],
                mean_seconds=totals[key] / reads,
                share_of_reads=visits[key] / reads,
            )
            for key in order
        ],
    )
