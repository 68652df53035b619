"""Six months of demo history: reading, calls and deals won and lost.

Past reading goes through tracking's own services with past clocks (beacons
recorded by ``record_batch`` and rolled up), never written into roll-up
tables. Prospects who finished their reading before the first call win more
often, sooner and bigger, so every chart and cohort has something plausible
to show. Keyed on CRM ids and page-view UUIDs: a second run adds nothing.
"""

import random
import uuid
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from insights.models import Deal, DealStage, Outcome
from insights.services import rebuild_snapshots
from portal.demo.sales import (
    COMPANIES,
    FIRST_NAMES,
    LAST_NAMES,
    consenting_visitor,
    library,
    read,
    use_calculator,
)
from sales.models import Assignment, Call, Consent, Prospect, Source, Stage, Viewer
from sales.services import create_assignment
from tracking.schema import Batch
from tracking.services import record_batch

WEEKS = 26
HISTORY_PROSPECTS = 72
ANONYMOUS_READS_PER_WEEK = 12
NAMESPACE = uuid.UUID("0f3c8f0e-5a53-4b8e-8a53-3c1f7d9b2e61")
SOURCES = [Source.ORGANIC, Source.REFERRAL, Source.PAID, Source.EVENT, Source.PARTNER]
LIFETIME_FACTOR = {
    Source.REFERRAL: 1.9,
    Source.PARTNER: 1.6,
    Source.ORGANIC: 1.5,
    Source.EVENT: 1.3,
    Source.PAID: 1.2,
}


def load_insights_demo() -> int:
    """Create the history; return how many historic prospects were created."""
    if Prospect.objects.filter(crm_id="hist-001").exists():
        return 0
    sellers = list(
        get_user_model().objects.filter(username__in=["sam", "riley"]).order_by("pk")
    )
    pieces = library()
    if not sellers or pieces.guide is None:
        raise RuntimeError("Load the demo users and content first.")

    rng = random.Random(6)
    now = timezone.now().replace(second=0, microsecond=0)
    today = timezone.localdate()
    for number in range(HISTORY_PROSPECTS):
        history_prospect(number, sellers, pieces, rng, now, today)
    anonymous_reading(pieces, rng, now)

    # Snapshots read roll-ups, which run when the demo's transaction commits.
    transaction.on_commit(
        lambda: rebuild_snapshots(start=today - timedelta(weeks=WEEKS), end=today)
    )
    return HISTORY_PROSPECTS


def history_prospect(number, sellers, pieces, rng, now, today) -> None:
    start = now - timedelta(days=rng.randint(7, WEEKS * 7))
    owner = sellers[number % len(sellers)]
    first, last = FIRST_NAMES[(number * 3) % 20], LAST_NAMES[(number * 11) % 20]
    educated = rng.random() < 0.5
    source = rng.choice(SOURCES)
    prospect = Prospect.objects.create(
        crm_id=f"hist-{number + 1:03d}",
        name=f"{first} {last}",
        email=f"{first}.{last}.{number}@example.org".lower(),
        company=COMPANIES[number % len(COMPANIES)],
        owner=owner,
        source=source,
        stage=Stage.MQL,
        became_mql_at=start,
        became_sql_at=(
            start + timedelta(days=rng.randint(3, 12))
            if rng.random() < (0.45 if educated else 0.2)
            else None
        ),
        created_at=start,
    )
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    call_at = midnight + timedelta(days=7, hours=rng.choice([9, 11, 14]))
    call = Call.objects.create(
        prospect=prospect, owner=owner, starts_at=call_at, notes="First call"
    )
    assignment, _ = create_assignment(
        prospect=prospect,
        created_by=owner,
        picks=pieces.picks(rng),
        note="Reading before our first call.",
        call=call,
    )
    Assignment.objects.filter(pk=assignment.pk).update(
        created_at=start + timedelta(hours=2), expires_at=start + timedelta(days=30)
    )
    opened_at = start + timedelta(hours=rng.randint(4, 30))
    reads_anything = educated or rng.random() < 0.4
    viewer = Viewer.objects.create(
        assignment=assignment,
        role=Viewer.Role.PROSPECT,
        consent=Consent.YES if reads_anything else Consent.UNANSWERED,
        consent_changed_at=opened_at if reads_anything else None,
        browser_family="Chrome",
        first_seen_at=opened_at,
        last_seen_at=opened_at,
    )
    if reads_anything:
        token = consenting_visitor(viewer)
        at = opened_at
        read(
            token,
            pieces.guide,
            at,
            share=rng.uniform(0.7, 1.1) if educated else 0.25,
            end=educated,
        )
        if educated:
            read(token, pieces.guide, at + timedelta(days=2), share=0.3)
            for item in assignment.items.select_related("page"):
                page = item.page.specific
                if page.pk == pieces.guide.pk or not item.required:
                    continue
                at += timedelta(hours=5)
                if page.content_kind == "calculator":
                    use_calculator(token, page, at, rng)
                else:
                    read(token, page, at, share=rng.uniform(0.6, 1.0))
            Assignment.objects.filter(pk=assignment.pk).update(
                completed_at=at + timedelta(minutes=10)
            )
    deal_for(prospect, start, educated, source, rng, today)


def deal_for(prospect, start, educated, source, rng, today) -> None:
    opened_on = timezone.localdate(start)
    cycle = rng.randint(20, 45) if educated else rng.randint(40, 95)
    closes_on = opened_on + timedelta(days=cycle)
    won = rng.random() < (0.68 if educated else 0.3)
    amount = Decimal(rng.randrange(28_000, 62_000 if educated else 48_000, 500))
    closed = closes_on <= today
    Deal.objects.create(
        prospect=prospect,
        crm_id=f"deal-{prospect.crm_id}",
        title=f"{prospect.company} pool",
        amount=amount,
        currency="GBP",
        stage=DealStage.CLOSED if closed else DealStage.PROPOSAL,
        outcome=(Outcome.WON if won else Outcome.LOST) if closed else Outcome.OPEN,
        opened_on=opened_on,
        closed_on=closes_on if closed else None,
        lifetime_value=(
            (amount * Decimal(str(LIFETIME_FACTOR[source]))).quantize(Decimal("1"))
            if closed and won
            else None
        ),
        source=source,
    )


def anonymous_reading(pieces, rng, now) -> None:
    """Cookieless readers over the weeks, reading deeper as the library grows."""
    pages = [pieces.guide, *pieces.articles]
    if pieces.video is not None:
        pages.append(pieces.video)
    for week in range(WEEKS):
        depth = 0.4 + 0.5 * (WEEKS - week) / WEEKS
        for number in range(ANONYMOUS_READS_PER_WEEK):
            at = now - timedelta(weeks=week, days=rng.randint(0, 6), hours=number)
            page = rng.choice(pages)
            share = max(0.05, rng.gauss(depth, 0.3))
            anonymous_read(page, at, share=share, seed=f"{week}:{number}")
        if pieces.calculator is not None:
            at = now - timedelta(weeks=week, days=2)
            anonymous_calculator(
                pieces.calculator, at, used=rng.random() < 0.6, seed=f"{week}"
            )


def send_anonymous(batch: dict, at) -> None:
    record_batch(
        batch=Batch.model_validate(batch),
        visitor_token=None,
        measure_anonymously=True,
        browser="firefox",
        now=at,
    )


def anonymous_read(page, at, *, share: float, seed: str) -> None:
    view = uuid.uuid5(NAMESPACE, f"anon:{seed}:{page.pk}").hex
    expected = max(page.expected_reading_seconds, 60)
    engaged_ms = int(expected * min(share, 1.5) * 1000)
    send_anonymous(
        {"v": view, "p": page.pk, "s": 0, "t": 1000, "e": [{"k": "view"}]}, at
    )
    depth = min(100, int(share * 110))
    events = [{"k": "engaged", "ms": engaged_ms}, {"k": "depth", "pct": depth}]
    if depth >= 100:
        events.append({"k": "end"})
    video_seconds = getattr(page, "duration_seconds", None)
    if video_seconds:
        watched = max(1, min(video_seconds, int(video_seconds * min(share, 1))))
        events.append(
            {"k": "video", "id": "main", "dur": video_seconds, "r": [(0, watched)]}
        )
    lifetime = engaged_ms + 20_000
    send_anonymous(
        {"v": view, "p": page.pk, "s": 1, "t": lifetime, "e": events},
        at + timedelta(milliseconds=lifetime),
    )


def anonymous_calculator(page, at, *, used: bool, seed: str) -> None:
    view = uuid.uuid5(NAMESPACE, f"calc:{seed}:{page.pk}").hex
    send_anonymous(
        {"v": view, "p": page.pk, "s": 0, "t": 1000, "e": [{"k": "view"}]}, at
    )
    events = [{"k": "engaged", "ms": 60_000}]
    if used:
        events.append({"k": "complete", "id": "calculator", "data": {"budget": 50000}})
    send_anonymous(
        {"v": view, "p": page.pk, "s": 1, "t": 80_000, "e": events},
        at + timedelta(seconds=80),
    )
