"""Roll-up arithmetic and the finish rules, free of database access.

Everything here is a pure function of its arguments, which is what makes the
roll-up task idempotent: the same events always give the same totals.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings

from tracking.models import EventKind, Status

# Content kinds (content.models.ContentKind values) finished by reading, by
# watching, or by completing an interaction.
VIDEO_KINDS = frozenset({"video"})
COMPLETION_KINDS = frozenset({"calculator", "assessment"})

Ranges = list[list[int]]


def merge_ranges(ranges: Iterable[Iterable[int]], *, upper: int) -> Ranges:
    """Union of half-open ``[from, to)`` second ranges, clipped to ``[0, upper)``."""
    clipped = sorted(
        (max(0, start), min(end, upper))
        for start, end in ranges
        if min(end, upper) > max(0, start)
    )
    merged: Ranges = []
    for start, end in clipped:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


@dataclass
class Totals:
    """What one page view, or one visitor's page views of a page, amount to."""

    engaged_seconds: int = 0
    max_depth: int = 0
    end_seen: bool = False
    section_seconds: dict[str, int] = field(default_factory=dict)
    videos: dict[str, dict[str, Any]] = field(default_factory=dict)
    completion: dict[str, Any] | None = None

    @property
    def video_seconds(self) -> int:
        """Seconds of video watched, each second once.

        A stretch of seconds shorter than ``TRACKING_VIDEO_MIN_PLAY_SECONDS``
        that touches no other watched second (a play under the minimum)
        counts none.
        """
        minimum = settings.TRACKING_VIDEO_MIN_PLAY_SECONDS
        return sum(
            end - start
            for video in self.videos.values()
            for start, end in video["ranges"]
            if end - start >= minimum
        )

    @property
    def video_duration(self) -> int:
        return sum(video["duration"] for video in self.videos.values())


@dataclass(frozen=True)
class EventRow:
    kind: str
    key: str
    value: int
    data: Any
    received_at: datetime


def totals_from_events(events: Iterable[EventRow], *, lifetime_seconds: int) -> Totals:
    """Fold one page view's events into its totals.

    Values are cumulative, so each total is a maximum (engaged time, depth,
    per-section time) or a union (video seconds). Engaged time never exceeds
    the page view's lifetime as the server saw it, and no section more than
    the engaged time.
    """
    totals = Totals()
    engaged_ms = 0
    section_ms: dict[str, int] = {}
    videos: dict[str, dict[str, Any]] = {}
    for event in events:
        if event.kind == EventKind.ENGAGED:
            engaged_ms = max(engaged_ms, event.value)
        elif event.kind == EventKind.DEPTH:
            totals.max_depth = max(totals.max_depth, min(event.value, 100))
        elif event.kind == EventKind.END:
            totals.end_seen = True
        elif event.kind == EventKind.SECTION:
            section_ms[event.key] = max(section_ms.get(event.key, 0), event.value)
        elif event.kind == EventKind.VIDEO:
            video = videos.setdefault(event.key, {"duration": 0, "ranges": []})
            video["duration"] = max(video["duration"], event.value)
            video["ranges"].extend(event.data or [])
        elif event.kind == EventKind.COMPLETE:
            # The latest completion wins: its inputs are what the visitor settled on.
            totals.completion = {"id": event.key, "data": event.data or {}}

    totals.engaged_seconds = max(0, min(engaged_ms // 1000, lifetime_seconds))
    totals.section_seconds = {
        key: min(ms // 1000, totals.engaged_seconds)
        for key, ms in sorted(section_ms.items())
        if ms >= 1000
    }
    totals.videos = {
        key: {
            "duration": video["duration"],
            "ranges": merge_ranges(video["ranges"], upper=video["duration"]),
        }
        for key, video in sorted(videos.items())
    }
    return totals


def combine_totals(parts: Iterable[Totals]) -> Totals:
    """One visitor's page views of one page taken together.

    Engaged and section times add up; depth is the deepest; the end counts as
    seen once seen; video seconds are a union, so watching a second again in
    another page view does not count it twice. The completion is the latest
    part's that has one (parts come oldest first).
    """
    combined = Totals()
    sections: dict[str, int] = {}
    videos: dict[str, dict[str, Any]] = {}
    for part in parts:
        combined.engaged_seconds += part.engaged_seconds
        combined.max_depth = max(combined.max_depth, part.max_depth)
        combined.end_seen = combined.end_seen or part.end_seen
        for key, seconds in part.section_seconds.items():
            sections[key] = sections.get(key, 0) + seconds
        for key, video in part.videos.items():
            into = videos.setdefault(key, {"duration": 0, "ranges": []})
            into["duration"] = max(into["duration"], video["duration"])
            into["ranges"].extend(video["ranges"])
        if part.completion is not None:
            combined.completion = part.completion
    combined.section_seconds = dict(sorted(sections.items()))
    combined.videos = {
        key: {
            "duration": video["duration"],
            "ranges": merge_ranges(video["ranges"], upper=video["duration"]),
        }
        for key, video in sorted(videos.items())
    }
    return combined


@dataclass(frozen=True)
class FinishRule:
    """What finishing one page takes: its kind and how long it should take."""

    kind: str
    expected_seconds: int
    video_seconds: int = 0

    @classmethod
    def for_page(cls, page) -> "FinishRule":
        """Read the rule's inputs from a specific page.

        Pages that are not content pieces (no ``content_kind``) are read as
        articles with ``TRACKING_DEFAULT_EXPECTED_SECONDS``.
        """
        kind = str(getattr(page, "content_kind", "") or "guide")
        expected = getattr(page, "expected_reading_seconds", None)
        return cls(
            kind=kind,
            expected_seconds=int(
                expected or settings.TRACKING_DEFAULT_EXPECTED_SECONDS
            ),
            video_seconds=int(getattr(page, "video_seconds", 0) or 0),
        )


def decide_status(totals: Totals, rule: FinishRule) -> tuple[str, dict[str, Any]]:
    """The status the totals earn under the rule, with the evidence for it.

    - video: finished at ``TRACKING_VIDEO_FINISHED_RATIO`` of the duration
      watched, each second once (the page's ``video_seconds``, else the
      durations the tracker reported);
    - calculator, assessment: finished once a ``complete`` event arrived;
    - every other kind: finished when the end of the body was seen and engaged
      time reached ``TRACKING_FINISHED_RATIO`` x expected time; skimmed when the
      end was seen under ``TRACKING_SKIMMED_RATIO`` x expected time.

    Nothing counts as started without engagement, so a link scanner that loads
    the page and runs no script, or runs it without a reader, starts nothing.
    """
    evidence: dict[str, Any] = {
        "kind": rule.kind,
        "engaged_seconds": totals.engaged_seconds,
        "max_depth": totals.max_depth,
        "end_seen": totals.end_seen,
    }
    started = totals.engaged_seconds > 0 or totals.video_seconds > 0

    if rule.kind in VIDEO_KINDS:
        duration = rule.video_seconds or totals.video_duration
        share = totals.video_seconds / duration if duration else 0.0
        evidence |= {
            "video_seconds": totals.video_seconds,
            "video_duration": duration,
            "watched_share": round(share, 3),
            "rule": f"watched >= {settings.TRACKING_VIDEO_FINISHED_RATIO:.0%}",
        }
        if duration and share >= settings.TRACKING_VIDEO_FINISHED_RATIO:
            return Status.FINISHED, evidence
        return (Status.IN_PROGRESS if started else Status.NOT_STARTED), evidence

    if rule.kind in COMPLETION_KINDS:
        evidence |= {"completion": totals.completion, "rule": "completed"}
        if totals.completion is not None:
            return Status.FINISHED, evidence
        return (Status.IN_PROGRESS if started else Status.NOT_STARTED), evidence

    expected = max(rule.expected_seconds, 1)
    share = totals.engaged_seconds / expected
    evidence |= {
        "expected_seconds": rule.expected_seconds,
        "engaged_share": round(share, 3),
        "rule": (
            f"end seen and engaged >= {settings.TRACKING_FINISHED_RATIO:g} x expected"
        ),
    }
    if not started:
        return Status.NOT_STARTED, evidence
    if totals.end_seen and share >= settings.TRACKING_FINISHED_RATIO:
        return Status.FINISHED, evidence
    if totals.end_seen and share < settings.TRACKING_SKIMMED_RATIO:
        return Status.SKIMMED, evidence
    return Status.IN_PROGRESS, evidence
