"""Writes of the tracking app: visitor identity, ingest, roll-ups, retention."""

import enum
import logging
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, connection, models, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from wagtail.models import Page

from portal import versions
from tracking.models import (
    Event,
    EventKind,
    PageView,
    PageViewProgress,
    Progress,
    Status,
    Visit,
    Visitor,
    VisitorPageProgress,
    hash_visitor_token,
)
from tracking.progress import (
    EventRow,
    FinishRule,
    Totals,
    combine_totals,
    decide_status,
    totals_from_events,
)
from tracking.schema import Batch
from tracking.signals import piece_finished

logger = logging.getLogger(__name__)

# A page view is created by its first beacon, normally sent as the page loads.
# When that one was lost, the next may claim up to this much earlier start.
FIRST_BEACON_GRACE = timedelta(seconds=60)
PURGE_CHUNK = 10_000
# A queued roll-up marks its page view for this long at most, so a lost task
# holds back the next batch's roll-up no longer than this (the sweeper covers
# a page view that gets no further batch).
ROLL_UP_PENDING_SECONDS = 60


# Identity --------------------------------------------------------------------


def visitor_token(request: HttpRequest) -> str | None:
    return request.COOKIES.get(settings.TRACKING_VISITOR_COOKIE) or None


def bind_visitor(*, request: HttpRequest, response: HttpResponse) -> Visitor:
    """Give a consenting browser a persistent visitor id, or refresh its own.

    The cookie holds 256 random bits, is first party, HttpOnly and SameSite=Lax;
    the database keeps only its hash. Call it only after the visitor said yes.
    """
    token = visitor_token(request)
    visitor = Visitor.objects.for_token(token).first() if token else None
    if visitor is None:
        token = secrets.token_urlsafe(32)
        visitor = Visitor.objects.create(token_hash=hash_visitor_token(token))
        logger.info("Visitor %s bound", visitor.pk)
    response.set_cookie(
        settings.TRACKING_VISITOR_COOKIE,
        token,
        max_age=settings.TRACKING_VISITOR_COOKIE_DAYS * 86_400,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return visitor


def forget_visitor(*, request: HttpRequest, response: HttpResponse) -> int | None:
    """Stop recognising this browser: later reading is measured anonymously.

    Returns the id of the visitor the browser was, whose recorded progress is
    kept until ``erase_visitor`` is called for it.
    """
    token = visitor_token(request)
    response.delete_cookie(settings.TRACKING_VISITOR_COOKIE, samesite="Lax")
    if not token:
        return None
    return Visitor.objects.for_token(token).values_list("pk", flat=True).first()


def end_visitors(*, visitor_ids, now: datetime | None = None) -> int:
    """Stop measuring these browsers: their open tabs' next beacons get 410.

    Their progress so far is kept; a browser that consents again later gets a
    new visitor id.
    """
    ended = Visitor.objects.filter(pk__in=list(visitor_ids), ended_at=None).update(
        ended_at=now or timezone.now()
    )
    if ended:
        logger.info("Stopped measuring %s visitors", ended)
    return ended


def erase_visitor(*, visitor_id: int) -> bool:
    """Delete a visitor with every visit, page view, event and roll-up of theirs."""
    deleted, _ = Visitor.objects.filter(pk=visitor_id).delete()
    if deleted:
        logger.info("Visitor %s erased", visitor_id)
    return bool(deleted)


# Ingest ----------------------------------------------------------------------


class Outcome(enum.Enum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    UNKNOWN_PAGE = "unknown_page"
    PAGE_MISMATCH = "page_mismatch"
    GONE = "gone"
    IMPOSSIBLE = "impossible"


def record_batch(
    *,
    batch: Batch,
    visitor_token: str | None,
    measure_anonymously: bool,
    browser: str,
    now: datetime,
) -> Outcome:
    """Store one validated batch and have its page view rolled up.

    Once a page view exists a batch costs one statement in autocommit: a
    multi-row INSERT that checks the page view is open as it inserts. When it
    inserts nothing, the page view is looked up to tell why; the first batch
    of a page view then checks the page and visitor, creates the page view
    and inserts its events in one transaction. A retried batch inserts
    nothing: ``(page view, batch number, position)`` is unique and conflicts
    are ignored.
    """
    page_view_id = uuid.UUID(batch.v)
    try:
        if _insert_events(batch, now=now, into_open_page_view=True):
            outcome = Outcome.ACCEPTED
        else:
            # No page view, a closed one, or a retried batch stored already.
            outcome = _record_the_long_way(
                batch=batch,
                visitor_token=visitor_token,
                measure_anonymously=measure_anonymously,
                browser=browser,
                now=now,
            )
    except IntegrityError:
        # The page view was erased between finding it and inserting.
        return Outcome.GONE
    if outcome is Outcome.ACCEPTED:
        transaction.on_commit(
            lambda: request_roll_up(page_view_id=str(page_view_id)), robust=True
        )
    return outcome


def _record_the_long_way(
    *,
    batch: Batch,
    visitor_token: str | None,
    measure_anonymously: bool,
    browser: str,
    now: datetime,
) -> Outcome:
    known = (
        PageView.objects.filter(pk=uuid.UUID(batch.v))
        .values_list("page_id", "started_at", "visitor__ended_at")
        .first()
    )
    if known is None:
        with transaction.atomic():
            return _open_page_view(
                batch=batch,
                visitor_token=visitor_token,
                measure_anonymously=measure_anonymously,
                browser=browser,
                now=now,
            )
    outcome = _check_batch(batch, known, now=now)
    if outcome is Outcome.ACCEPTED:
        # Usually a retry, whose events are stored; but the page view may
        # have been created since the first attempt, so insert (or ignore).
        _insert_events(batch, now=now)
    return outcome


def _open_page_view(
    *,
    batch: Batch,
    visitor_token: str | None,
    measure_anonymously: bool,
    browser: str,
    now: datetime,
) -> Outcome:
    if not Page.objects.filter(pk=batch.p, live=True).exists():
        return Outcome.UNKNOWN_PAGE
    visitor_id = None
    if visitor_token:
        visitor_id = (
            Visitor.objects.for_token(visitor_token)
            .values_list("pk", flat=True)
            .first()
        )
    if visitor_id is None and not measure_anonymously:
        return Outcome.DECLINED
    started_at = now - min(timedelta(milliseconds=batch.t), FIRST_BEACON_GRACE)
    PageView.objects.bulk_create(
        [
            PageView(
                id=uuid.UUID(batch.v),
                page_id=batch.p,
                visitor_id=visitor_id,
                started_at=started_at,
                browser=browser,
            )
        ],
        ignore_conflicts=True,
    )
    outcome = _check_batch(batch, (batch.p, started_at, None), now=now)
    if outcome is Outcome.ACCEPTED:
        _insert_events(batch, now=now)
    return outcome


def _check_batch(batch: Batch, known: tuple, *, now: datetime) -> Outcome:
    page_id, started_at, visitor_ended_at = known
    if page_id != batch.p:
        return Outcome.PAGE_MISMATCH
    if visitor_ended_at is not None:
        return Outcome.GONE
    age = now - started_at
    if age > timedelta(seconds=settings.TRACKING_PAGE_VIEW_MAX_SECONDS):
        return Outcome.GONE
    allowed = age + timedelta(seconds=settings.TRACKING_CLOCK_SKEW_SECONDS)
    if timedelta(milliseconds=batch.t) > allowed:
        return Outcome.IMPOSSIBLE
    return Outcome.ACCEPTED


EVENT_COLUMNS = (
    "page_view_id",
    "seq",
    "position",
    "kind",
    "key",
    "value",
    "data",
    "client_ms",
    "received_at",
)


def _insert_events(
    batch: Batch, *, now: datetime, into_open_page_view: bool = False
) -> int:
    """Insert a batch's events in one statement, ignoring ones already stored.

    A plain multi-row INSERT: no model instances, and no transaction of its
    own. Values go through each field's own preparation, as the ORM would
    send them. With ``into_open_page_view`` the statement inserts only when
    the page view exists, shows the batch's page, belongs to no ended visitor
    and accepts the batch's clock (the checks of ``_check_batch``, in SQL).
    Returns the number of rows inserted.
    """
    fields = [Event._meta.get_field(column) for column in EVENT_COLUMNS]
    page_view_id = uuid.UUID(batch.v)

    def prepared(column: str, value):
        return Event._meta.get_field(column).get_db_prep_save(value, connection)

    # Columns every row of the batch shares are prepared once; integers and
    # text go to the driver as they are.
    view = prepared("page_view_id", page_view_id)
    received = prepared("received_at", now)
    params = []
    for position, event in enumerate(batch.e):
        columns = _event_columns(event)
        data = columns.get("data")
        params += [
            view,
            batch.s,
            position,
            columns["kind"],
            columns.get("key", ""),
            columns.get("value", 0),
            None if data is None else prepared("data", data),
            batch.t,
            received,
        ]
    quote = connection.ops.quote_name
    into = (
        f"INSERT INTO {quote(Event._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in fields)})"
    )
    if connection.vendor == "postgresql":
        # VALUES rows in a SELECT need their types; a plain INSERT infers them.
        placeholders = [f"%s::{field.db_type(connection)}" for field in fields]
    else:
        placeholders = ["%s"] * len(fields)
    row = "(" + ", ".join(placeholders) + ")"
    rows = ", ".join([row] * len(batch.e))
    # Table and column names come from the models; every value is a parameter.
    if not into_open_page_view:
        sql = f"{into} VALUES {rows} ON CONFLICT DO NOTHING"
    else:
        started = PageView._meta.get_field("started_at")
        oldest = now - timedelta(seconds=settings.TRACKING_PAGE_VIEW_MAX_SECONDS)
        newest = (
            now
            + timedelta(seconds=settings.TRACKING_CLOCK_SKEW_SECONDS)
            - timedelta(milliseconds=batch.t)
        )
        columns = ", ".join(f"v.column{n}" for n in range(1, len(fields) + 1))
        sql = (
            f"{into} SELECT {columns} FROM (VALUES {rows}) AS v "  # noqa: S608
            f"INNER JOIN {quote(PageView._meta.db_table)} AS pv ON pv.id = %s "
            f"LEFT JOIN {quote(Visitor._meta.db_table)} AS vi "
            "ON vi.id = pv.visitor_id "
            "WHERE pv.page_id = %s AND vi.ended_at IS NULL "
            "AND pv.started_at >= %s AND pv.started_at <= %s "
            "ON CONFLICT DO NOTHING"
        )
        params += [
            PageView._meta.pk.get_db_prep_value(page_view_id, connection),
            batch.p,
            started.get_db_prep_value(oldest, connection),
            started.get_db_prep_value(newest, connection),
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _event_columns(event) -> dict[str, Any]:
    match event.k:
        case "engaged":
            return {"kind": event.k, "value": event.ms}
        case "depth":
            return {"kind": event.k, "value": event.pct}
        case "end":
            return {"kind": event.k, "value": 1}
        case "section":
            return {"kind": event.k, "key": event.id, "value": event.ms}
        case "video":
            return {
                "kind": event.k,
                "key": event.id,
                "value": event.dur,
                "data": [list(pair) for pair in event.r],
            }
        case "complete":
            return {"kind": event.k, "key": event.id, "data": dict(event.data)}
    return {"kind": event.k}


def _pending_key(page_view_id: str) -> str:
    return f"tracking:roll-up-pending:{page_view_id}"


def request_roll_up(*, page_view_id: str) -> None:
    """Queue a roll-up of a page view unless one is queued and not started yet.

    Call it after the events committed. The roll-up clears the mark before it
    reads events, so a batch that finds the mark set committed before that
    read and is included; one that finds it clear queues another roll-up.
    Batches arriving while a roll-up waits in the queue cost no message.
    """
    if not _coalescing():
        enqueue_roll_up(page_view_id=page_view_id)
        return
    key = _pending_key(page_view_id)
    queued_here = cache.add(key, 1, timeout=ROLL_UP_PENDING_SECONDS)
    if queued_here and not enqueue_roll_up(page_view_id=page_view_id):
        cache.delete(key)


def _coalescing() -> bool:
    setting = settings.TRACKING_COALESCE_ROLL_UPS
    if setting is None:
        return isinstance(caches["default"], RedisCache)
    return setting


def starting_roll_up(*, page_view_id: str) -> None:
    """Clear the queued mark: batches from now on queue a roll-up of their own."""
    if _coalescing():
        cache.delete(_pending_key(page_view_id))


def enqueue_roll_ups(*, page_view_ids: list[str]) -> bool:
    """Queue one set-based roll-up of many page views; false when the broker is down."""
    from tracking.tasks import roll_up_page_views

    try:
        roll_up_page_views.delay(page_view_ids)
    except BrokerError:
        logger.warning(
            "Roll-up of %s page views not queued: broker down", len(page_view_ids)
        )
        return False
    return True


def enqueue_roll_up(*, page_view_id: str) -> bool:
    """Queue a roll-up; when the broker is down the sweeper queues it later."""
    from tracking.tasks import roll_up_page_view

    try:
        roll_up_page_view.delay(page_view_id)
    except BrokerError:
        logger.warning("Roll-up of page view %s not queued: broker down", page_view_id)
        return False
    return True


# Roll-ups --------------------------------------------------------------------


def roll_up_page_view(*, page_view_id: str) -> str | None:
    """Recompute a page view's progress, and its visitor's, from raw events.

    Returns the page view's status, or None when there is nothing to roll up.
    """
    return roll_up_page_views([page_view_id]).get(str(uuid.UUID(str(page_view_id))))


# Event kinds whose rows a roll-up reads one by one: a video's watched ranges
# are a union and a completion's inputs are the latest; every other kind is a
# running maximum, which the database folds per page view, kind and key.
DETAILED_KINDS = (EventKind.VIDEO, EventKind.COMPLETE)
PROGRESS_FIELDS = (
    "page",
    "engaged_seconds",
    "max_depth",
    "end_seen",
    "section_seconds",
    "videos",
    "video_seconds",
    "completion",
    "first_seen",
    "last_seen",
    "status",
    "status_changed_at",
    "evidence",
    "events_through",
)


def roll_up_page_views(page_view_ids) -> dict[str, str]:
    """Recompute the progress of many page views, and their visitors', at once.

    Set-based: the page views are locked, their events folded by the database
    (a maximum per page view, kind and key; only video and completion events
    are read row by row), their pages' finish rules read once per page, and
    every progress row written by one INSERT ... ON CONFLICT UPDATE. Returns
    each rolled-up page view's status by its id; page views that are gone or
    have no events are left out.

    The page view rows stay locked until the transaction ends, so two workers
    rolling up the same page view run one after the other and the later one
    sees every event the earlier one saw: no update is lost, and running it
    again with the same events writes the same values.
    """
    ids = sorted({uuid.UUID(str(page_view_id)) for page_view_id in page_view_ids})
    if not ids:
        return {}
    with transaction.atomic():
        # FOR NO KEY UPDATE: roll-ups of a page view queue behind each other,
        # while ingest keeps inserting events that reference it.
        page_views = list(
            PageView.objects.select_for_update(no_key=True)
            .filter(pk__in=ids)
            .order_by("pk")
        )
        events = _folded_events([page_view.pk for page_view in page_views])
        rules = _finish_rules({page_view.page_id for page_view in page_views})
        previous = {
            page_view_id: (status, changed_at)
            for page_view_id, status, changed_at in PageViewProgress.objects.filter(
                page_view__in=page_views
            ).values_list("page_view_id", "status", "status_changed_at")
        }
        statuses: dict[str, str] = {}
        rows = []
        rolled_up = []
        for page_view in page_views:
            rows_of_view = events.get(page_view.pk)
            rule = rules.get(page_view.page_id)
            if not rows_of_view or rule is None:
                continue
            last_seen = max(row.received_at for row in rows_of_view)
            lifetime = int((last_seen - page_view.started_at).total_seconds())
            totals = totals_from_events(rows_of_view, lifetime_seconds=max(lifetime, 0))
            status, evidence = decide_status(totals, rule)
            before = previous.get(page_view.pk)
            rows.append(
                PageViewProgress(
                    page_view=page_view,
                    page_id=page_view.page_id,
                    engaged_seconds=totals.engaged_seconds,
                    max_depth=totals.max_depth,
                    end_seen=totals.end_seen,
                    section_seconds=totals.section_seconds,
                    videos=totals.videos,
                    video_seconds=totals.video_seconds,
                    completion=totals.completion,
                    first_seen=page_view.started_at,
                    last_seen=last_seen,
                    status=status,
                    # A status keeps the time it last changed: the newest
                    # event's time at the roll-up that changed it.
                    status_changed_at=(
                        before[1] if before and before[0] == status else last_seen
                    ),
                    evidence=evidence,
                    events_through=events.through[page_view.pk],
                )
            )
            statuses[str(page_view.pk)] = status
            rolled_up.append((page_view, last_seen))
        if rows:
            PageViewProgress.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["page_view"],
                update_fields=PROGRESS_FIELDS,
            )
        # A visitor's progress on a page combines all their page views of it.
        of_visitor_page: dict[tuple[int, int], list] = {}
        for page_view, last_seen in rolled_up:
            if page_view.visitor_id is not None:
                key = (page_view.visitor_id, page_view.page_id)
                of_visitor_page.setdefault(key, []).append((page_view, last_seen))
        for (visitor_id, page_id), views in sorted(of_visitor_page.items()):
            _roll_up_visitor_page(
                visitor_id=visitor_id, page_id=page_id, views=views, rule=rules[page_id]
            )
        if rows:
            transaction.on_commit(lambda: versions.bump(versions.PROGRESS))
    return statuses


class _Folded(dict):
    """Event rows per page view, with the highest event id of each."""

    def __init__(self):
        super().__init__()
        self.through: dict[uuid.UUID, int] = {}


def _folded_events(page_view_ids: list[uuid.UUID]) -> _Folded:
    """Each page view's events as the roll-up needs them, in two queries at most.

    Running maximums come back folded per kind and key (one row each, at the
    newest time of the group); video and completion events come row by row,
    oldest first, since their data is a union or the latest wins.
    """
    folded = _Folded()
    if not page_view_ids:
        return folded
    events = Event.objects.filter(page_view_id__in=page_view_ids)
    groups = (
        events.values_list("page_view_id", "kind", "key")
        .annotate(
            top=models.Max("value"),
            newest=models.Max("received_at"),
            through=models.Max("id"),
        )
        .order_by()
    )
    detailed = False
    for page_view_id, kind, key, top, newest, through in groups:
        folded.through[page_view_id] = max(folded.through.get(page_view_id, 0), through)
        if kind in DETAILED_KINDS:
            detailed = True
            continue
        folded.setdefault(page_view_id, []).append(
            EventRow(kind, key, top, None, newest)
        )
    if detailed:
        rows = (
            events.filter(kind__in=DETAILED_KINDS)
            .order_by("pk")
            .values_list("page_view_id", "kind", "key", "value", "data", "received_at")
        )
        for page_view_id, *row in rows:
            folded.setdefault(page_view_id, []).append(EventRow(*row))
    return folded


# The page fields a finish rule reads (see FinishRule.for_page), where a page
# model has them; other fields, the body above all, are never loaded.
RULE_FIELDS = ("kind", "expected_reading_seconds", "video_seconds")


def _finish_rules(page_ids) -> dict[int, FinishRule]:
    """The finish rule of each page, one query per page type among them."""
    of_type: dict[int, list[int]] = {}
    for pk, content_type_id in Page.objects.filter(pk__in=page_ids).values_list(
        "pk", "content_type_id"
    ):
        of_type.setdefault(content_type_id, []).append(pk)
    rules = {}
    for content_type_id, pks in of_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class() or Page
        names = {field.name for field in model._meta.concrete_fields}
        loaded = [name for name in RULE_FIELDS if name in names] or ["id"]
        for page in model.objects.filter(pk__in=pks).only(*loaded):
            rules[page.pk] = FinishRule.for_page(page)
    return rules


def _roll_up_visitor_page(
    *,
    visitor_id: int,
    page_id: int,
    views: list[tuple[PageView, datetime]],
    rule: FinishRule,
) -> None:
    """Recombine one visitor's progress on one page after ``views`` rolled up."""
    locked = Visitor.objects.select_for_update(no_key=True).filter(pk=visitor_id)
    if not list(locked.values_list("pk", flat=True)):
        return
    for page_view, last_seen in views:
        _assign_visit(page_view=page_view, last_seen=last_seen)

    parts = list(
        PageViewProgress.objects.filter(
            page_view__visitor_id=visitor_id, page_id=page_id
        ).order_by("last_seen", "pk")
    )
    totals = combine_totals(_totals_of(part) for part in parts)
    status, evidence = decide_status(totals, rule)
    visit_count = (
        PageView.objects.filter(
            visitor_id=visitor_id, page_id=page_id, visit__isnull=False
        )
        .values("visit")
        .distinct()
        .count()
    )
    previous = _save_progress(
        VisitorPageProgress,
        lookup={"visitor_id": visitor_id, "page_id": page_id},
        totals=totals,
        status=status,
        evidence=evidence,
        extra={
            "first_seen": min(part.first_seen for part in parts),
            "last_seen": max(part.last_seen for part in parts),
            "visit_count": visit_count,
        },
    )
    if status == Status.FINISHED and previous != Status.FINISHED:
        logger.info("Visitor %s finished page %s", visitor_id, page_id)
        transaction.on_commit(
            lambda: _announce_finished(
                visitor_id=visitor_id, page_id=page_id, evidence=evidence
            )
        )


def _assign_visit(*, page_view: PageView, last_seen: datetime) -> None:
    """Put the page view in the visitor's visit it continues, or open one."""
    gap = timedelta(minutes=settings.TRACKING_VISIT_GAP_MINUTES)
    if page_view.visit_id is None:
        visit = (
            Visit.objects.filter(
                visitor_id=page_view.visitor_id,
                last_activity_at__gte=page_view.started_at - gap,
                started_at__lte=page_view.started_at + gap,
            )
            .order_by("-last_activity_at")
            .first()
        )
        if visit is None:
            visit = Visit.objects.create(
                visitor_id=page_view.visitor_id,
                started_at=page_view.started_at,
                last_activity_at=last_seen,
            )
        PageView.objects.filter(pk=page_view.pk).update(visit=visit)
        page_view.visit = visit
    Visit.objects.filter(pk=page_view.visit_id, last_activity_at__lt=last_seen).update(
        last_activity_at=last_seen
    )


def _totals_of(progress: Progress) -> Totals:
    return Totals(
        engaged_seconds=progress.engaged_seconds,
        max_depth=progress.max_depth,
        end_seen=progress.end_seen,
        section_seconds=progress.section_seconds,
        videos=progress.videos,
        completion=progress.completion,
    )


def _save_progress(
    model: type[Progress],
    *,
    lookup: dict[str, Any],
    totals: Totals,
    status: str,
    evidence: dict[str, Any],
    extra: dict[str, Any],
) -> str | None:
    """Write a roll-up row; return the status it had before (None if new).

    The status keeps the time it last changed: the newest event's time at the
    roll-up that changed it, so recomputing leaves it alone.
    """
    previous = (
        model.objects.filter(**lookup)
        .values_list("status", "status_changed_at")
        .first()
    )
    if previous is not None and previous[0] == status:
        changed_at = previous[1]
    else:
        changed_at = extra["last_seen"]
    model.objects.update_or_create(
        **lookup,
        defaults={
            "engaged_seconds": totals.engaged_seconds,
            "max_depth": totals.max_depth,
            "end_seen": totals.end_seen,
            "section_seconds": totals.section_seconds,
            "videos": totals.videos,
            "video_seconds": totals.video_seconds,
            "completion": totals.completion,
            "status": status,
            "status_changed_at": changed_at,
            "evidence": evidence,
            **extra,
        },
    )
    return previous[0] if previous is not None else None


def _announce_finished(*, visitor_id: int, page_id: int, evidence: dict) -> None:
    for receiver, response in piece_finished.send_robust(
        sender=VisitorPageProgress,
        visitor_id=visitor_id,
        page_id=page_id,
        evidence=evidence,
    ):
        if isinstance(response, Exception):
            logger.warning(
                "Receiver %s of piece_finished failed for visitor %s page %s: %r",
                getattr(receiver, "__qualname__", receiver),
                visitor_id,
                page_id,
                response,
            )


# Retention -------------------------------------------------------------------


def purge_events(*, now: datetime) -> int:
    """Delete raw events past ``TRACKING_EVENT_RETENTION_DAYS``, in chunks."""
    cutoff = now - timedelta(days=settings.TRACKING_EVENT_RETENTION_DAYS)
    purged = 0
    while True:
        chunk = list(
            Event.objects.older_than(cutoff).values_list("pk", flat=True)[:PURGE_CHUNK]
        )
        if not chunk:
            break
        purged += Event.objects.filter(pk__in=chunk).delete()[0]
    if purged:
        logger.info("Purged %s raw events received before %s", purged, cutoff.date())
    return purged
