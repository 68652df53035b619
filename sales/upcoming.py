"""The desk's list of upcoming calls, rendered once per minute and data version.

The list is cached as rendered HTML under a key made of who is looking, their
filters, the current minute and the version stamps of the data it shows
(``portal.versions``): tracking bumps ``PROGRESS`` after each roll-up commits,
and every write to prospects, calls, assignments, their items and viewers bumps
``SALES`` after its commit (``sales.signals``). A change is therefore shown by
the next request. The minute is in the key because rows say how long ago a
prospect last read and group calls into today and this week; it also bounds
how long a change nobody announces (a page retitled in the CMS, a bulk import
of prospects) can go unseen.

The cached HTML holds no CSRF token and no CSP nonce: it is rendered without
the request, and both live in the page around the list.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.timesince import timesince

from portal import versions
from sales.models import Call
from sales.readiness import readiness_for

BUCKET_SECONDS = 60
MAX_ROWS = 200


@dataclass(frozen=True)
class CallFilters:
    """What the list was asked for; ``owner_id`` is the salesperson a manager
    picked (None for the whole team, and always for a salesperson, who sees only
    their own prospects)."""

    owner_id: int | None = None
    status: str = ""
    query: str = ""

    def url(self) -> str:
        """The list's own address, which its htmx poll requests."""
        params = {"q": self.query, "status": self.status, "owner": self.owner_id}
        query = urlencode({name: value for name, value in params.items() if value})
        path = reverse("sales:home")
        return f"{path}?{query}" if query else path


@dataclass(frozen=True)
class CallRow:
    """One upcoming call with every value the row prints already formatted."""

    starts_at: datetime
    starts_iso: str
    starts_label: str
    prospect_url: str
    name: str
    company: str
    owner_name: str
    status: str
    icon: str
    label: str
    reasons: str
    required_read: str
    engaged_minutes: int
    last_activity_iso: str
    last_activity_ago: str


def call_rows(calls, now: datetime, *, status: str, manager: bool) -> list[CallRow]:
    """Rows for ``calls`` with their prospect's readiness, keeping ``status`` only
    when it is set."""
    readiness = readiness_for({call.prospect_id for call in calls})
    rows = []
    for call in calls:
        state = readiness[call.prospect_id]
        if status and state.status != status:
            continue
        prospect = call.prospect
        starts = timezone.localtime(call.starts_at)
        last = None
        if state.last_activity is not None:
            last = timezone.localtime(state.last_activity)
        required = state.required
        rows.append(
            CallRow(
                starts_at=call.starts_at,
                starts_iso=starts.isoformat(),
                starts_label=dateformat.format(starts, "D j M, H:i"),
                prospect_url=prospect.get_absolute_url(),
                name=prospect.name,
                company=prospect.company,
                owner_name=(
                    prospect.owner.get_full_name() or prospect.owner.username
                    if manager
                    else ""
                ),
                status=state.status,
                icon=state.icon,
                label=state.label,
                reasons=capfirst(state.reason_line),
                required_read=(
                    f"{sum(1 for piece in required if piece.finished)} "
                    f"of {len(required)}"
                ),
                engaged_minutes=state.engaged_minutes,
                last_activity_iso=last.isoformat() if last else "",
                last_activity_ago=timesince(last, now) if last else "",
            )
        )
    return rows


def group_rows(rows: list[CallRow], now: datetime) -> dict[str, list[CallRow]]:
    """Split upcoming calls into today, this week and later."""
    today_end = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0)
    week_end = today_end + timedelta(days=7 - today_end.weekday() or 7)
    groups = {"Today": [], "This week": [], "Later": []}
    for row in rows:
        local = timezone.localtime(row.starts_at)
        if local < timezone.localtime(today_end):
            groups["Today"].append(row)
        elif local < timezone.localtime(week_end):
            groups["This week"].append(row)
        else:
            groups["Later"].append(row)
    return groups


def cache_key(*, user, manager: bool, filters: CallFilters, now: datetime) -> str:
    """The list's key: the user, what they see, the minute and the data versions.

    Read the versions before the data: a write committed in between then
    leaves a newer rendering under an older key, never the reverse.
    """
    parts = [
        "team" if manager else "own",
        str(filters.owner_id or ""),
        filters.status,
        filters.query,
        timezone.get_current_timezone_name(),
        str(int(now.timestamp()) // BUCKET_SECONDS),
        versions.current(versions.PROGRESS, versions.SALES),
    ]
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
    return f"sales:calls:{user.pk}:{digest}"


def render_calls(*, user, manager: bool, filters: CallFilters, now: datetime) -> str:
    calls = Call.objects.visible_to(user).upcoming(now).for_sales_view()
    if filters.owner_id is not None:
        calls = calls.filter(prospect__owner_id=filters.owner_id)
    if filters.query:
        calls = calls.filter(
            Q(prospect__name__icontains=filters.query)
            | Q(prospect__company__icontains=filters.query)
        )
    rows = call_rows(
        list(calls[:MAX_ROWS]), now, status=filters.status, manager=manager
    )
    context = {
        "groups": group_rows(rows, now),
        "call_count": len(rows),
        "is_manager": manager,
        "status": filters.status,
        "query": filters.query,
        "calls_url": filters.url(),
    }
    return render_to_string("sales/home.html#calls", context)


def calls_list(*, user, manager: bool, filters: CallFilters, now=None) -> str:
    """The rendered list of upcoming calls (the ``calls`` partial of
    ``sales/home.html``), from the cache when nothing it shows has changed."""
    now = now or timezone.now()
    key = cache_key(user=user, manager=manager, filters=filters, now=now)
    html = cache.get(key)
    if html is None:
        html = render_calls(user=user, manager=manager, filters=filters, now=now)
        cache.set(key, html, timeout=BUCKET_SECONDS)
    return html
