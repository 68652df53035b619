"""What the tracker measured: visitors, visits, page views, raw events, progress.

Raw events are append-only and purged after ``TRACKING_EVENT_RETENTION_DAYS``;
the progress tables are the roll-ups every report reads, and they keep the
evidence behind each status.
"""

import hashlib

from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone


def hash_visitor_token(token: str) -> str:
    """The form a visitor cookie is stored in: a leaked table names no browser."""
    return hashlib.sha256(token.encode()).hexdigest()


class Browser(models.TextChoices):
    CHROME = "chrome", "Chrome"
    EDGE = "edge", "Edge"
    FIREFOX = "firefox", "Firefox"
    OPERA = "opera", "Opera"
    SAFARI = "safari", "Safari"
    OTHER = "other", "Other"


class EventKind(models.TextChoices):
    VIEW = "view", "page view started"
    ENGAGED = "engaged", "engaged milliseconds so far"
    DEPTH = "depth", "deepest scroll into the body, per cent"
    END = "end", "end of the body seen"
    SECTION = "section", "engaged milliseconds in one section so far"
    VIDEO = "video", "seconds of one video watched"
    COMPLETE = "complete", "an interactive piece completed"


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    SKIMMED = "skimmed", "Skimmed"
    FINISHED = "finished", "Finished"


class VisitorQuerySet(models.QuerySet):
    def for_token(self, token: str) -> "VisitorQuerySet":
        """The still-measured visitor whose cookie holds ``token``."""
        return self.filter(token_hash=hash_visitor_token(token), ended_at=None)


class Visitor(models.Model):
    """A browser whose owner agreed to have their reading attributed to them.

    Anonymous readers never get a row: they exist only as page views.
    """

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    consented_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When measuring this browser stopped (its link was revoked): "
        "tabs still open are refused from then on.",
    )

    objects = VisitorQuerySet.as_manager()

    def __str__(self) -> str:
        return f"visitor {self.pk}"


class Visit(models.Model):
    """Page views of one visitor with no gap longer than ``TRACKING_VISIT_GAP``."""

    visitor = models.ForeignKey(
        Visitor, on_delete=models.CASCADE, related_name="visits"
    )
    started_at = models.DateTimeField()
    last_activity_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["visitor", "-last_activity_at"])]

    def __str__(self) -> str:
        return f"visit {self.pk}"


class PageViewQuerySet(models.QuerySet):
    def needing_roll_up(self, *, since, until) -> "PageViewQuerySet":
        """Page views with events received in ``[since, until]`` that their
        progress does not include yet (no progress row, or an older one).

        Annotates ``latest_event``: the highest such event id.
        """
        return (
            self.filter(events__received_at__gte=since, events__received_at__lte=until)
            .annotate(latest_event=models.Max("events__id"))
            .filter(
                latest_event__gt=Coalesce(
                    models.F("progress__events_through"), models.Value(0)
                )
            )
        )


class PageView(models.Model):
    """One load of one page in one browser tab; its id comes from the tracker."""

    id = models.UUIDField(primary_key=True)
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+"
    )
    visitor = models.ForeignKey(
        Visitor,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="page_views",
    )
    visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField()
    browser = models.CharField(max_length=16, choices=Browser, default=Browser.OTHER)

    objects = PageViewQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["page", "started_at"])]

    def __str__(self) -> str:
        return f"page view {self.pk}"


class EventQuerySet(models.QuerySet):
    def older_than(self, cutoff) -> "EventQuerySet":
        return self.filter(received_at__lt=cutoff)


class Event(models.Model):
    """One measurement as the tracker sent it. Never updated.

    Values are cumulative for the page view (engaged milliseconds so far, the
    deepest scroll so far, every second of a video watched so far), so a lost
    batch loses nothing the next one does not repeat, and a roll-up is a
    maximum or a union, whatever order events arrive in. ``(page_view, seq,
    position)`` is the idempotency key: a retried batch inserts nothing.
    """

    page_view = models.ForeignKey(
        PageView, on_delete=models.CASCADE, related_name="events"
    )
    seq = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=EventKind)
    key = models.CharField(max_length=64, blank=True)
    value = models.BigIntegerField(default=0)
    data = models.JSONField(null=True, blank=True)
    client_ms = models.BigIntegerField()
    received_at = models.DateTimeField(db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["page_view", "seq", "position"],
                name="tracking_event_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} event {self.pk}"


class Progress(models.Model):
    """Roll-up fields shared by one page view and one visitor's reads of a page.

    ``section_seconds`` maps section block ids to engaged seconds;
    ``videos`` maps video ids to ``{"duration": s, "ranges": [[from, to], ...]}``
    (half-open second ranges actually watched); ``video_seconds`` is the
    number of those seconds counted (plays under the minimum are ignored).
    """

    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+"
    )
    engaged_seconds = models.PositiveIntegerField(default=0)
    max_depth = models.PositiveSmallIntegerField(default=0)
    end_seen = models.BooleanField(default=False)
    section_seconds = models.JSONField(default=dict, blank=True)
    videos = models.JSONField(default=dict, blank=True)
    video_seconds = models.PositiveIntegerField(default=0)
    completion = models.JSONField(null=True, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status, default=Status.NOT_STARTED)
    status_changed_at = models.DateTimeField()
    evidence = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


class PageViewProgressQuerySet(models.QuerySet):
    def reads_of(self, page_id: int, *, since) -> "PageViewProgressQuerySet":
        """Page views of the page since ``since`` that showed any engagement."""
        return self.filter(
            page_id=page_id, first_seen__gte=since, engaged_seconds__gt=0
        )


class PageViewProgress(Progress):
    page_view = models.OneToOneField(
        PageView, on_delete=models.CASCADE, primary_key=True, related_name="progress"
    )
    events_through = models.BigIntegerField(
        default=0, help_text="The highest event id this roll-up includes."
    )

    objects = PageViewProgressQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["page", "first_seen"])]

    def __str__(self) -> str:
        return f"progress of {self.page_view_id}"


class VisitorPageProgress(Progress):
    visitor = models.ForeignKey(
        Visitor, on_delete=models.CASCADE, related_name="progress"
    )
    visit_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["visitor", "page"], name="tracking_progress_one_per_page"
            )
        ]

    def __str__(self) -> str:
        return f"progress of visitor {self.visitor_id} on page {self.page_id}"
