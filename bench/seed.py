"""A deterministic data set for the benchmark, on its own PostgreSQL database.

Content, users and six months of deal history come from the demo builders
(reading recorded through ``record_batch`` and rolled up). The bulk comes from
SQL: prospects, calls, assignments and viewers with ``bulk_create``, page views
and raw events with ``generate_series``. The prospects' reading is then rolled
up by tracking's own ``roll_up_page_views``, the code a Celery worker runs.
Everything derives from row numbers, so two seeds with the same sizes hold
the same rows (timestamps are relative to the seed's clock).
"""

import hashlib
import multiprocessing
import time
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, connections
from django.test.utils import override_settings
from django.utils import timezone

BENCH_SELLERS = 20
SALES_ROWS = 50
PIECES_PER_ASSIGNMENT = 3
SHARING_SHARE = 0.8
EVENTS_PER_PAGE_VIEW = 40
SELLER = "bench-01"
IN_MEMORY_EMAIL = "django.core.mail.backends.locmem.EmailBackend"


@dataclass(frozen=True)
class Sizes:
    prospects: int
    pages: int
    events: int

    @property
    def first_stage_events(self) -> int:
        """Events present for the first sales-view measurement (a fifth)."""
        return self.events // 5


def log(message: str, *args) -> None:
    print("  seed: " + message % args, flush=True)


def seed_base(sizes: Sizes, *, history: bool = True) -> dict:
    """Everything but the second stage of raw events; returns what was made.

    ``history`` adds the demo's six months of deals (about a minute).
    """
    from insights.models import DashboardSettings  # noqa: F401 (app registry)
    from portal.demo.calculators import load_calculators
    from portal.demo.content import load_content
    from portal.demo.insights import load_insights_demo
    from portal.demo.site import load_home_page
    from portal.demo.users import load_users

    started = time.monotonic()
    with override_settings(EMAIL_BACKEND=IN_MEMORY_EMAIL):
        load_users()
        home = load_home_page()
        pages = load_content(home)
        load_calculators(home, pages)
        log("demo content in %.0f s", time.monotonic() - started)
        extra_pages(sizes.pages)
        log("%s pages in %.0f s", sizes.pages, time.monotonic() - started)
        if history:
            load_insights_demo()
        log("six months of deal history in %.0f s", time.monotonic() - started)
    prospects(sizes)
    log("%s prospects in %.0f s", sizes.prospects, time.monotonic() - started)
    page_views = reading(sizes, stage_events=sizes.first_stage_events, stage=1)
    log("%s raw events in %.0f s", sizes.first_stage_events, time.monotonic() - started)
    rolled = roll_up_prospects()
    log("%s page views rolled up in %.0f s", rolled, time.monotonic() - started)
    analyse()
    return {"page_views": page_views, "rolled_up": rolled}


def content_page_ids() -> list[int]:
    from content.models import content_pages

    return list(content_pages().order_by("pk").values_list("pk", flat=True))


def extra_pages(total: int) -> None:
    """Publish copies of a demo article until the library has ``total`` pieces."""
    from content.models import ArticlePage, ContentIndexPage

    missing = total - len(content_page_ids())
    if missing <= 0:
        return
    model = ArticlePage.objects.live().order_by("pk").first()
    parent = ContentIndexPage.objects.get(slug="articles")
    for number in range(missing):
        page = ArticlePage(
            title=f"{model.title} (edition {number + 1})",
            slug=f"{model.slug}-edition-{number + 1}",
            summary=model.summary,
            kind=model.kind,
            body=model.body.raw_data,
        )
        parent.add_child(instance=page)
        page.save_revision().publish()


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def visitor_token(number: int) -> str:
    """The cookie value of prospect ``number``'s browser (its hash is stored)."""
    return f"bench-visitor-{number:06d}"


def prospects(sizes: Sizes) -> None:
    """Prospects spread over salespeople, each with a call, a list and a viewer.

    ``bench-01`` has exactly ``SALES_ROWS`` upcoming calls; everyone else's
    calls are in the past. Most prospects opened their link and share their
    progress, from one browser each.
    """
    from sales.models import (
        Assignment,
        AssignmentItem,
        Call,
        Consent,
        Prospect,
        Source,
        Stage,
        Viewer,
    )
    from sales.roles import SALESPERSON
    from tracking.models import Visitor, hash_visitor_token

    User = get_user_model()
    group = Group.objects.get(name=SALESPERSON)
    sellers = []
    for number in range(1, BENCH_SELLERS + 1):
        user, _ = User.objects.get_or_create(
            username=f"bench-{number:02d}",
            defaults={"first_name": "Bench", "last_name": f"Seller {number}"},
        )
        user.groups.add(group)
        sellers.append(user)

    now = timezone.now().replace(second=0, microsecond=0)
    page_ids = content_page_ids()
    sources = [source for source in Source if source != Source.FORWARDED]
    batch = 2_000
    for start in range(0, sizes.prospects, batch):
        numbers = range(start, min(start + batch, sizes.prospects))
        made = Prospect.objects.bulk_create(
            Prospect(
                name=f"Bench Prospect {n:06d}",
                email=f"prospect{n:06d}@example.org",
                company=f"Company {n % 997}",
                owner=sellers[n % BENCH_SELLERS],
                source=sources[n % len(sources)],
                stage=Stage.SQL,
                became_mql_at=now - timedelta(days=30 + n % 60),
                crm_id=f"bench-{n:06d}",
                created_at=now - timedelta(days=30 + n % 60),
            )
            for n in numbers
        )
        calls = Call.objects.bulk_create(
            Call(
                prospect=prospect,
                owner=prospect.owner,
                starts_at=call_time(n, now),
                notes="Bench call",
            )
            for n, prospect in zip(numbers, made, strict=True)
        )
        assignments = Assignment.objects.bulk_create(
            Assignment(
                prospect=prospect,
                created_by=prospect.owner,
                call=call,
                note="Bench reading list",
                token_hash=digest(f"bench-link-{n}"),
                expires_at=now + timedelta(days=30),
                created_at=now - timedelta(days=5),
            )
            for n, prospect, call in zip(numbers, made, calls, strict=True)
        )
        AssignmentItem.objects.bulk_create(
            AssignmentItem(
                assignment=assignment,
                page_id=page_ids[(n + offset * 7) % len(page_ids)],
                position=offset,
                required=offset < 2,
            )
            for n, assignment in zip(numbers, assignments, strict=True)
            for offset in range(PIECES_PER_ASSIGNMENT)
        )
        sharing = [n for n in numbers if shares(n)]
        visitors = Visitor.objects.bulk_create(
            Visitor(token_hash=hash_visitor_token(visitor_token(n))) for n in sharing
        )
        by_number = dict(zip(numbers, assignments, strict=True))
        Viewer.objects.bulk_create(
            Viewer(
                assignment=by_number[n],
                role=Viewer.Role.PROSPECT,
                consent=Consent.YES,
                consent_changed_at=now - timedelta(days=4),
                visitor=visitor,
                browser_family="Chrome",
                first_seen_at=now - timedelta(days=4),
                last_seen_at=now - timedelta(days=1),
            )
            for n, visitor in zip(sharing, visitors, strict=True)
        )


def shares(number: int) -> bool:
    """Whether prospect ``number`` opened the link and shares progress."""
    return number % 10 < SHARING_SHARE * 10


def call_time(number: int, now):
    seller_rank = number // BENCH_SELLERS
    if seller_rank < SALES_ROWS:
        return now + timedelta(hours=2 + seller_rank * 5)
    return now - timedelta(days=1 + number % 90)


def reading(sizes: Sizes, *, stage_events: int, stage: int) -> int:
    """Page views and raw events, by SQL; returns the page views inserted.

    Stage 1 gives each sharing prospect one page view per assigned piece
    (read by ``roll_up_prospects``), then anonymous page views for the rest;
    stage 2 adds anonymous page views only. Each page view has
    ``EVENTS_PER_PAGE_VIEW`` events, in triples of engaged time, depth and
    section time, as the tracker sends them; a third of them reach the end.
    """
    page_views = max(1, stage_events // EVENTS_PER_PAGE_VIEW)
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM tracking_event")
        if stage == 1:
            cursor.execute(
                """
                INSERT INTO tracking_pageview
                    (id, page_id, visitor_id, visit_id, started_at, browser)
                SELECT md5('bench-pv-' || w.visitor_id || '-' || i.position)::uuid,
                       i.page_id, w.visitor_id, NULL,
                       now() - interval '1 hour'
                           * (30 + (w.visitor_id + i.position) %% 500),
                       'chrome'
                FROM sales_viewer w
                JOIN sales_assignment a ON a.id = w.assignment_id
                JOIN sales_prospect p ON p.id = a.prospect_id
                JOIN sales_assignmentitem i ON i.assignment_id = a.id
                WHERE w.visitor_id IS NOT NULL AND p.crm_id LIKE 'bench-%%'
                ORDER BY w.visitor_id, i.position
                LIMIT %s
                """,
                [page_views],
            )
            prospect_views = cursor.rowcount
        else:
            prospect_views = 0
        anonymous = max(0, page_views - prospect_views)
        page_ids = content_page_ids()
        cursor.execute(
            """
            INSERT INTO tracking_pageview
                (id, page_id, visitor_id, visit_id, started_at, browser)
            SELECT md5('bench-anon-' || %s || '-' || g)::uuid,
                   (%s::int[])[1 + g %% %s], NULL, NULL,
                   now() - (30 + g %% 4000) * interval '1 hour', 'firefox'
            FROM generate_series(0, %s - 1) g
            """,
            [stage, page_ids, len(page_ids), anonymous],
        )
        cursor.execute(
            """
            INSERT INTO tracking_event
                (page_view_id, seq, position, kind, key, value, data,
                 client_ms, received_at)
            SELECT pv.id, i / 3, i %% 3,
                   (ARRAY['engaged', 'depth', 'section'])[1 + i %% 3],
                   CASE WHEN i %% 3 = 2 THEN 's' || (i / 3) %% 6 ELSE '' END,
                   CASE i %% 3
                       WHEN 0 THEN (i / 3 + 1) * 12000
                       WHEN 1 THEN least(100, (i / 3 + 1) * 4)
                       ELSE 12000 END,
                   NULL, (i / 3 + 1) * 12000,
                   pv.started_at + (i / 3 + 1) * interval '12 seconds'
            FROM tracking_pageview pv
            CROSS JOIN generate_series(0, %s - 1) i
            WHERE pv.id IN (
                SELECT id FROM tracking_pageview pv2
                WHERE NOT EXISTS (
                    SELECT 1 FROM tracking_event e WHERE e.page_view_id = pv2.id))
            """,
            [EVENTS_PER_PAGE_VIEW],
        )
        cursor.execute(
            """
            INSERT INTO tracking_event
                (page_view_id, seq, position, kind, key, value, data,
                 client_ms, received_at)
            SELECT pv.id, 1000, 0, 'end', '', 1, NULL, 1200000,
                   pv.started_at + interval '20 minutes'
            FROM tracking_pageview pv
            WHERE get_byte(decode(md5(pv.id::text), 'hex'), 0) % 3 = 0
              AND NOT EXISTS (SELECT 1 FROM tracking_event e
                              WHERE e.page_view_id = pv.id AND e.kind = 'end')
            """
        )
    return prospect_views + anonymous


def seed_second_stage(sizes: Sizes) -> int:
    """Add the remaining raw events (anonymous reading nobody rolled up yet)."""
    started = time.monotonic()
    remaining = sizes.events - sizes.first_stage_events
    added = reading(sizes, stage_events=remaining, stage=2)
    analyse()
    log("%s more raw events in %.0f s", remaining, time.monotonic() - started)
    return added


def _roll_up_chunk(page_view_ids: list[str]) -> int:
    from tracking.services import roll_up_page_views
    from tracking.tasks import SWEEP_CHUNK

    connections.close_all()
    with override_settings(EMAIL_BACKEND=IN_MEMORY_EMAIL):
        # In the sweeper's chunks, as its roll-up task receives them.
        for start in range(0, len(page_view_ids), SWEEP_CHUNK):
            roll_up_page_views(page_view_ids[start : start + SWEEP_CHUNK])
    connections.close_all()
    return len(page_view_ids)


def roll_up_prospects(processes: int = 2) -> int:
    """Roll up every page view with a visitor, through the real service."""
    from tracking.models import PageView

    visitor_of = {
        str(pk): visitor_id
        for pk, visitor_id in PageView.objects.filter(
            visitor__isnull=False, progress__isnull=True
        ).values_list("pk", "visitor_id")
    }
    if not visitor_of:
        return 0
    # A visitor's roll-up locks the visitor row: keep each visitor in one chunk.
    chunks: list[list[str]] = [[] for _ in range(processes)]
    for page_view_id in sorted(visitor_of):
        chunks[visitor_of[page_view_id] % processes].append(page_view_id)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    pool = context.Pool(processes)
    try:
        done = sum(pool.map(_roll_up_chunk, chunks))
    finally:
        pool.close()
        pool.join()
    return done


def analyse() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
