"""Demo prospects, calls and assignments in every state, with real reading.

Reading is generated through tracking's own services (a consenting visitor is
bound, beacons are recorded and rolled up), never written into roll-up tables,
so the demo exercises the same path as a real prospect. Everything is keyed on
stable ids (the prospect's CRM id, the page view's UUID), so a second run adds
nothing.
"""

import random
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from wagtail.models import Page

from content.models import ContentKind, content_pages, kind_filter
from sales.models import (
    Assignment,
    Call,
    CommitteeRole,
    Consent,
    Prospect,
    Source,
    Stage,
    Viewer,
)
from sales.services import Pick, create_assignment
from tracking.schema import Batch
from tracking.services import bind_visitor, record_batch

PROSPECT_COUNT = 40
NAMESPACE = uuid.UUID("8a6f4f4e-6d1c-4b8e-9d0e-2f6b5c3a1d70")

FIRST_NAMES = [
    "Dana",
    "Lee",
    "Priya",
    "Tom",
    "Amara",
    "Jonas",
    "Grace",
    "Mateo",
    "Hannah",
    "Omar",
    "Chloe",
    "Felix",
    "Ines",
    "Kwame",
    "Lucy",
    "Ravi",
    "Sofia",
    "Ben",
    "Yuki",
    "Erin",
]
LAST_NAMES = [
    "Whitfield",
    "Carter",
    "Nair",
    "Brennan",
    "Okoye",
    "Berg",
    "Holloway",
    "Silva",
    "Fischer",
    "Haddad",
    "Moreau",
    "Quinn",
    "Duarte",
    "Mensah",
    "Ashby",
    "Kapoor",
    "Romano",
    "Lister",
    "Tanaka",
    "Doyle",
]
COMPANIES = [
    "Whitfield Homes",
    "Carter Family",
    "Lakeside Holiday Lets",
    "Brennan Builds",
    "Okoye Residence",
    "Berg & Daughters",
    "Holloway Leisure Club",
    "Silva Garden Design",
    "Fischer Household",
    "Haddad Villas",
]

# The state each prospect's reading is left in, in order; cycled over 40.
PLAN = (
    ["ready"] * 8
    + ["in_progress"] * 8
    + ["skimmed"] * 4
    + ["not_shared"] * 6
    + ["not_started"] * 6
    + ["nothing"] * 4
    + ["revoked"] * 2
    + ["expired"] * 2
)


@dataclass(frozen=True)
class Library:
    guide: Page | None
    articles: list[Page]
    video: Page | None
    calculator: Page | None

    def picks(self, rng: random.Random) -> list[Pick]:
        chosen = []
        if self.guide is not None:
            chosen.append(Pick(self.guide, required=True))
        chosen += [Pick(page, required=True) for page in rng.sample(self.articles, 1)]
        if self.calculator is not None:
            chosen.append(Pick(self.calculator, required=True))
        if self.video is not None:
            chosen.append(Pick(self.video, required=False))
        return chosen


def first_of(kind: str) -> Page | None:
    page = content_pages().filter(kind_filter(kind)).first()
    return page.specific if page else None


def pool_cost_estimator() -> Page | None:
    page = content_pages().filter(slug="pool-cost-estimator").first()
    return page.specific if page else None


def library() -> Library:
    articles = [
        page.specific
        for kind in (ContentKind.COST, ContentKind.PROBLEM, ContentKind.COMPARISON)
        for page in content_pages().filter(kind_filter(kind))[:2]
    ]
    return Library(
        guide=first_of(ContentKind.GUIDE),
        articles=articles,
        video=first_of(ContentKind.VIDEO),
        calculator=pool_cost_estimator() or first_of(ContentKind.CALCULATOR),
    )


def load_sales_demo() -> int:
    """Create the demo book of prospects; return how many were created."""
    User = get_user_model()
    sellers = list(User.objects.filter(username__in=["sam", "riley"]).order_by("pk"))
    if not sellers:
        raise RuntimeError("Load the demo users first.")
    pieces = library()
    if pieces.guide is None or not pieces.articles:
        raise RuntimeError("Load the demo content first.")

    rng = random.Random(2026)
    now = timezone.now().replace(second=0, microsecond=0)
    created = 0
    for number in range(PROSPECT_COUNT):
        crm_id = f"demo-{number + 1:03d}"
        state = PLAN[number % len(PLAN)]
        owner = sellers[number % len(sellers)]
        first, last = FIRST_NAMES[number % 20], LAST_NAMES[(number * 7) % 20]
        prospect, was_created = Prospect.objects.get_or_create(
            crm_id=crm_id,
            defaults={
                "name": f"{first} {last}",
                "email": f"{first}.{last}@example.org".lower(),
                "company": COMPANIES[number % len(COMPANIES)],
                "committee_role": rng.choice(list(CommitteeRole)),
                "owner": owner,
                "source": rng.choice([s for s in Source if s != Source.FORWARDED]),
                "stage": rng.choice([Stage.MQL, Stage.SQL, Stage.OPPORTUNITY]),
                "became_mql_at": now - timedelta(days=rng.randint(10, 60)),
                "created_at": now - timedelta(days=rng.randint(10, 60)),
            },
        )
        if not was_created:
            continue
        created += 1
        call = Call.objects.create(
            prospect=prospect,
            owner=owner,
            starts_at=call_time(now, rng),
            notes=rng.choice(
                ["Site survey", "Quote walkthrough", "Design options", "First call"]
            ),
        )
        if state == "nothing":
            continue
        assignment, _ = create_assignment(
            prospect=prospect,
            created_by=owner,
            picks=pieces.picks(rng),
            note=(
                f"Hi {first}, here is what I would read before we talk. The guide "
                "answers most first questions; the calculator gives you a "
                "realistic budget for your garden."
            ),
            call=call,
        )
        assignment.created_at = now - timedelta(days=rng.randint(2, 9))
        assignment.save(update_fields=["created_at"])
        act_out(state, assignment, pieces, rng, now)
    return created


def call_time(now, rng: random.Random):
    day = now + timedelta(days=rng.randint(0, 13))
    hour = rng.choice([9, 10, 11, 13, 14, 15, 16])
    when = day.replace(hour=hour, minute=rng.choice([0, 30]))
    return when if when > now else when + timedelta(days=1)


def act_out(state, assignment: Assignment, pieces: Library, rng, now) -> None:
    """Leave the assignment in ``state`` by doing what a prospect would do."""
    if state == "revoked":
        assignment.revoked_at = now - timedelta(days=1)
        assignment.save(update_fields=["revoked_at"])
        return
    if state == "expired":
        assignment.expires_at = now - timedelta(days=1)
        assignment.save(update_fields=["expires_at"])
        return
    if state == "not_started":
        return

    opened_at = assignment.created_at + timedelta(hours=rng.randint(2, 30))
    consent = {"not_shared": rng.choice([Consent.NO, Consent.UNANSWERED])}.get(
        state, Consent.YES
    )
    viewer = Viewer.objects.create(
        assignment=assignment,
        role=Viewer.Role.PROSPECT,
        consent=consent,
        consent_changed_at=opened_at if consent else None,
        browser_family=rng.choice(["Chrome", "Safari", "Edge", "Firefox"]),
        first_seen_at=opened_at,
        last_seen_at=opened_at,
    )
    if rng.random() < 0.3:
        forwarded = Viewer.objects.create(
            assignment=assignment,
            role=Viewer.Role.FORWARDED,
            consent=Consent.YES,
            browser_family="Chrome",
            first_seen_at=opened_at + timedelta(days=1),
            last_seen_at=opened_at + timedelta(days=1),
        )
        token = consenting_visitor(forwarded)
        read(token, pieces.articles[0], opened_at + timedelta(days=1), share=0.8)
    if consent != Consent.YES:
        return

    token = consenting_visitor(viewer)
    at = opened_at
    guide = pieces.guide
    if state == "ready":
        read(token, guide, at, share=rng.uniform(0.6, 1.1))
        if rng.random() < 0.5:
            read(token, guide, at + timedelta(days=1), share=0.3)
        for item in assignment.items.select_related("page"):
            page = item.page.specific
            if page.pk == guide.pk:
                continue
            at += timedelta(hours=3)
            if page.content_kind == ContentKind.CALCULATOR:
                use_calculator(token, page, at, rng)
            elif item.required:
                read(token, page, at, share=rng.uniform(0.6, 1.0))
    elif state == "in_progress":
        read(token, guide, at, share=rng.uniform(0.1, 0.4), end=False)
    elif state == "skimmed":
        for item in assignment.items.filter(required=True).select_related("page"):
            page = item.page.specific
            if page.content_kind != ContentKind.CALCULATOR:
                read(token, page, at, share=0.1)
                at += timedelta(minutes=20)


def consenting_visitor(viewer: Viewer) -> str:
    """Bind a visitor to the viewer as the consent answer does; return its token."""
    request = RequestFactory().get("/a/")
    response = HttpResponse()
    visitor = bind_visitor(request=request, response=response)
    viewer.visitor = visitor
    viewer.save(update_fields=["visitor"])
    return response.cookies[settings.TRACKING_VISITOR_COOKIE].value


def page_view_id(token: str, page: Page, at) -> str:
    return uuid.uuid5(NAMESPACE, f"{token}:{page.pk}:{at.isoformat()}").hex


def send(token: str, batch: dict, now) -> None:
    record_batch(
        batch=Batch.model_validate(batch),
        visitor_token=token,
        measure_anonymously=False,
        browser="chrome",
        now=now,
    )


def read(token: str, page: Page, at, *, share: float, end: bool = True) -> None:
    """Read ``share`` of the page's expected time, scrolling to the end or not."""
    expected = max(page.expected_reading_seconds, 60)
    engaged_ms = int(expected * share * 1000)
    lifetime_ms = engaged_ms + 30_000
    view = page_view_id(token, page, at)
    send(token, {"v": view, "p": page.pk, "s": 0, "t": 1000, "e": [{"k": "view"}]}, at)

    events = [
        {"k": "engaged", "ms": engaged_ms},
        {"k": "depth", "pct": 100 if end else max(10, int(share * 100))},
    ]
    if end:
        events.append({"k": "end"})
    sections = getattr(page, "sections", None) or []
    for position, section in enumerate(sections[:20]):
        weight = 1.6 if position in (1, 3) else 1.0
        share_ms = int(engaged_ms / max(len(sections), 1) * weight)
        events.append({"k": "section", "id": str(section.id)[:64], "ms": share_ms})
    video_seconds = getattr(page, "duration_seconds", None)
    if video_seconds:
        watched = max(1, min(video_seconds, int(video_seconds * min(share, 1))))
        events.append(
            {"k": "video", "id": "main", "dur": video_seconds, "r": [[0, watched]]}
        )
    later = at + timedelta(milliseconds=lifetime_ms)
    send(token, {"v": view, "p": page.pk, "s": 1, "t": lifetime_ms, "e": events}, later)


def use_calculator(token: str, page: Page, at, rng: random.Random) -> None:
    view = page_view_id(token, page, at)
    send(token, {"v": view, "p": page.pk, "s": 0, "t": 1000, "e": [{"k": "view"}]}, at)
    # What the pool cost estimator reports: the visitor's inputs and its result.
    size, total = rng.choice(
        [
            ("small", "£31,500 to £34,700"),
            ("family", "£38,900 to £42,800"),
            ("large", "£49,600 to £54,600"),
        ]
    )
    inputs = {
        "size": size,
        "shape": rng.choice(["1", "1.04", "1.08"]),
        "heating": rng.random() < 0.7,
        "cover": rng.choice(["none", "safety", "auto"]),
        "total": total,
    }
    events = [
        {"k": "engaged", "ms": 90_000},
        {"k": "complete", "id": "calculator", "data": inputs},
    ]
    later = at + timedelta(seconds=120)
    send(token, {"v": view, "p": page.pk, "s": 1, "t": 120_000, "e": events}, later)
