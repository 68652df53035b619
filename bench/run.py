"""One benchmark run: seed, serve, measure in pairs, report."""

import gzip
import json
import platform
import re
import statistics
import time
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import django

from bench import environment, processes
from bench.load import Driver, Target

ROOT = Path(__file__).resolve().parent.parent
TRACKER = ROOT / "tracking" / "static" / "tracking" / "tracker.js"
TRACKER_BUDGET = 2_601
NOISE_LIMIT = 0.10
# The beacon script's batches: 8 per page view holding 25 events.
EVENTS_PER_BATCH = 25 / 8
FRESHNESS_TIMEOUT = 30.0


@dataclass
class Row:
    metric: str
    target: str
    reference: str
    ratio: float | None
    goal: str
    met: bool | None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.met is None:
            return "not measured"
        return "met" if self.met else "MISSED"


def log(message: str, *args) -> None:
    print(message % args, flush=True)


def run(args) -> int:
    django.setup()
    from bench import seed

    sizes = seed.Sizes(prospects=args.prospects, pages=args.pages, events=args.events)
    started = time.monotonic()
    log("Seeding %s (%s)", args.database, sizes)
    environment.recreate_database(args.database)
    environment.flush_redis()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    seeded = seed.seed_base(sizes, history=args.history)

    rows: list[Row] = []
    results: dict = {"sizes": sizes.__dict__, "seeded": seeded}
    driver = Driver(port=args.port, connections=args.connections, seconds=args.seconds)
    context = targets()
    errors = 0
    with processes.gunicorn(args.port) as server:
        preflight(args.port, context)
        noop_get = Target("no-op GET", "get.lua", "/bench/noop")
        calibration = driver.pairs(noop_get, noop_get, args.pairs)
        noisy = abs(calibration.ratio() - 1) > NOISE_LIMIT
        results["calibration"] = calibration.as_dict() | {
            "ratio": calibration.ratio(),
            "too_noisy": noisy,
        }
        log(
            "Calibration: no-op/no-op %.3f%s",
            calibration.ratio(),
            " -- too noisy: ratios below are unreliable" if noisy else "",
        )
        errors += calibration.errors()

        sales_ref = Target("no-op GET", "get.lua", "/bench/noop", context["seller"])
        sales = Target("sales view", "get.lua", "/sales/", context["seller"])
        sales_first = driver.pairs(sales_ref, sales, args.pairs)
        errors += sales_first.errors()
        log(
            "Sales view at %s events: %.3f of no-op",
            sizes.first_stage_events,
            sales_first.ratio(),
        )

        seed.seed_second_stage(sizes)

        beacon_env = {"BENCH_PAGE": str(context["guide_id"])}
        ingest = driver.pairs(
            Target("no-op POST", "beacon.lua", "/bench/noop", beacon_env),
            Target("ingest", "beacon.lua", "/t/e", beacon_env),
            args.pairs,
        )
        errors += ingest.errors()
        log("Ingest: %.3f of no-op", ingest.ratio())
        sales_full = driver.pairs(sales_ref, sales, args.pairs)
        errors += sales_full.errors()
        log("Sales view at %s events: %.3f of no-op", sizes.events, sales_full.ratio())
        dashboard = driver.pairs(
            Target("no-op GET", "get.lua", "/bench/noop", context["manager"]),
            Target("dashboard", "get.lua", "/sales/metrics/", context["manager"]),
            args.pairs,
        )
        errors += dashboard.errors()
        log("Dashboard: %.3f of no-op", dashboard.ratio())
        guide = driver.pairs(
            noop_get, Target("guide", "get.lua", context["guide_path"]), args.pairs
        )
        errors += guide.errors()
        log("Guide page: %.3f of no-op", guide.ratio())
        errors += server_errors(server.log_text())
    environment.drop_queued_tasks()

    for name, pairs in (
        ("ingest", ingest),
        ("sales_first_stage", sales_first),
        ("sales", sales_full),
        ("dashboard", dashboard),
        ("guide", guide),
    ):
        results[name] = pairs.as_dict() | {"ratio": pairs.ratio()}

    rows += [
        ratio_row(
            f"ingest req/s / no-op (PostgreSQL, c={args.connections})",
            ingest,
            ">= 0.40",
            lambda r: r >= 0.40,
        ),
        p99_row("ingest p99 / no-op p99", ingest, "<= 2.5", 2.5),
        Row(
            "events/s in the tracker's batches / no-op req/s",
            f"{ingest.rps('target') * EVENTS_PER_BATCH:,.0f} ev/s",
            f"{ingest.rps('reference'):,.0f} req/s",
            ingest.ratio() * EVENTS_PER_BATCH,
            ">= 3.0",
            ingest.ratio() * EVENTS_PER_BATCH >= 3.0,
            f"{EVENTS_PER_BATCH:.2f} events a batch",
        ),
        ratio_row(
            "sales view (50 rows, signed in) / no-op",
            sales_full,
            ">= 0.10",
            lambda r: r >= 0.10,
        ),
        p99_row("sales view p99 / no-op p99", sales_full, "<= 3", 3.0),
    ]
    growth = sales_first.ratio() / sales_full.ratio()
    rows.append(
        Row(
            f"sales view latency at {compact(sizes.events)} / at "
            f"{compact(sizes.first_stage_events)} events",
            f"{1000 / sales_full.rps('target') * args.connections:.1f} ms",
            f"{1000 / sales_first.rps('target') * args.connections:.1f} ms",
            growth,
            "<= 1.1",
            growth <= 1.1,
            "latency relative to the no-op in the same pairs",
        )
    )
    rows += [
        ratio_row(
            "trust dashboard (6 months) / no-op",
            dashboard,
            ">= 0.05",
            lambda r: r >= 0.05,
        ),
        ratio_row(
            f"guide page ({context['guide_words']:,} words) / no-op",
            guide,
            ">= 0.15",
            lambda r: r >= 0.15,
        ),
    ]

    rollup = measure_roll_up(quick=args.quick)
    results["roll_up"] = rollup
    rows.append(
        Row(
            "roll-up: incremental ev/s / one-statement rebuild",
            f"{rollup['incremental_events_per_second']:,.0f} ev/s",
            f"{rollup['rebuild_events_per_second']:,.0f} ev/s",
            rollup["ratio"],
            ">= 0.2",
            rollup["ratio"] >= 0.2,
            f"set-based, {rollup['chunk']} page views a call; one at a time: "
            f"{rollup['one_at_a_time_events_per_second']:,.0f} ev/s",
        )
    )

    environment.drop_queued_tasks()
    with (
        processes.gunicorn(args.port) as server,
        processes.celery_worker() as worker,
    ):
        freshness = measure_freshness(args.port, context, args.freshness_samples)
        errors += server_errors(server.log_text()) + server_errors(worker.log_text())
    results["freshness"] = freshness
    rows.append(
        Row(
            "freshness: beacon to sales view, p95",
            f"{freshness['p95_seconds']:.2f} s",
            "",
            None,
            "<= 10 s",
            freshness["p95_seconds"] <= 10 and not freshness["timeouts"],
            f"{len(freshness['seconds'])} samples, real worker",
        )
    )
    tracker_bytes = len(gzip.compress(TRACKER.read_bytes(), compresslevel=9))
    rows.append(
        Row(
            "tracker script, gzip -9",
            f"{tracker_bytes:,} B",
            "",
            None,
            f"<= {TRACKER_BUDGET:,} B",
            tracker_bytes <= TRACKER_BUDGET,
        )
    )
    errors += freshness["timeouts"]
    rows.append(Row("errors in every run", str(errors), "", None, "0", errors == 0))

    results |= {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "quick": args.quick,
        "pairs": args.pairs,
        "seconds_per_slice": args.seconds,
        "connections": args.connections,
        "too_noisy": noisy,
        "errors": errors,
        "minutes": round((time.monotonic() - started) / 60, 1),
        "table": [
            {
                "metric": row.metric,
                "target": row.target,
                "reference": row.reference,
                "ratio": row.ratio,
                "goal": row.goal,
                "verdict": row.verdict,
                "note": row.note,
            }
            for row in rows
        ],
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, default=str))
    print_table(rows, noisy)
    log("JSON: %s (%.1f min)", args.output, results["minutes"])
    if errors:
        log("FAILED: %s errors (non-2xx, socket errors or server tracebacks)", errors)
        return 1
    return 0


def compact(number: int) -> str:
    if number >= 1_000_000:
        return f"{number / 1_000_000:g}M"
    if number >= 1_000:
        return f"{number / 1_000:g}k"
    return str(number)


def ratio_row(metric, pairs, goal, check) -> Row:
    ratio = pairs.ratio()
    return Row(
        metric,
        f"{pairs.rps('target'):,.0f} req/s",
        f"{pairs.rps('reference'):,.0f} req/s",
        ratio,
        goal,
        check(ratio),
    )


def p99_row(metric, pairs, goal, limit) -> Row:
    ratio = pairs.p99_ratio()
    return Row(
        metric,
        f"{pairs.p99('target'):.1f} ms",
        f"{pairs.p99('reference'):.1f} ms",
        ratio,
        goal,
        ratio <= limit,
    )


def print_table(rows: list[Row], noisy: bool) -> None:
    headers = ("metric", "target", "reference", "ratio", "goal", "verdict")
    lines = [
        (
            row.metric,
            row.target,
            row.reference,
            "" if row.ratio is None else f"{row.ratio:.3f}",
            row.goal,
            row.verdict,
        )
        for row in rows
    ]
    widths = [
        max(len(str(x)) for x in column) for column in zip(headers, *lines, strict=True)
    ]
    print()
    for line in (headers, tuple("-" * w for w in widths), *lines):
        print(
            "  ".join(str(cell).ljust(w) for cell, w in zip(line, widths, strict=True))
        )
    if noisy:
        print("\nCalibration was off by more than 10%: too noisy, run again.")
    print()


def machine() -> dict:
    import os

    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(
            os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        ),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def server_errors(log_text: str) -> int:
    return log_text.count("Traceback") + log_text.count("database is locked")


# What the load needs from the data set ------------------------------------


def session_cookie(username: str) -> str:
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def targets() -> dict:
    from bench.seed import SELLER
    from content.models import GuidePage

    guide = GuidePage.objects.live().order_by("pk").first()
    words = getattr(guide, "word_count", 0) or 0
    return {
        "seller": {"BENCH_COOKIE": session_cookie(SELLER)},
        "seller_cookie": session_cookie(SELLER),
        "manager": {"BENCH_COOKIE": session_cookie("morgan")},
        "guide_id": guide.pk,
        "guide_path": guide.url,
        "guide_words": words,
    }


def fetch(port, path, cookie="", headers=None, data=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=data,
        headers={
            "Cookie": cookie,
            "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0",
            **(headers or {}),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read().decode()


def preflight(port: int, context: dict) -> None:
    """Every target answers as a browser would see it, before any load."""
    from bench.seed import SALES_ROWS

    status, body = fetch(port, "/sales/", context["seller_cookie"])
    rows = body.count('data-label="Readiness"')
    if status != 200 or rows != SALES_ROWS:
        raise RuntimeError(f"sales view: {status}, {rows} rows, not {SALES_ROWS}")
    status, body = fetch(port, "/sales/metrics/", context["manager"]["BENCH_COOKIE"])
    if status != 200:
        raise RuntimeError(f"dashboard: {status}")
    status, body = fetch(port, context["guide_path"])
    if status != 200:
        raise RuntimeError(f"guide: {status}")


# Roll-up and freshness ----------------------------------------------------


def measure_roll_up(*, quick: bool) -> dict:
    """Events a second through the real roll-up, against one GROUP BY statement.

    The incremental path is ``roll_up_page_views`` over page views nobody
    rolled up yet, in the chunks the sweeper's task receives; the reference
    aggregates every raw event per page view in one statement. The same
    function given one page view at a time (what the task queued by a beacon
    runs) is timed too, over a tenth of the sample, for the record.
    """
    from django.db import connection

    from tracking.models import Event, PageView
    from tracking.services import roll_up_page_views
    from tracking.tasks import SWEEP_CHUNK

    sample = [
        str(pk)
        for pk in PageView.objects.filter(progress__isnull=True, visitor__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[: 110 if quick else 2_200]
    ]
    singles, sample = sample[: len(sample) // 11], sample[len(sample) // 11 :]
    events = Event.objects.filter(page_view_id__in=sample).count()
    single_events = Event.objects.filter(page_view_id__in=singles).count()
    started = time.perf_counter()
    for start in range(0, len(sample), SWEEP_CHUNK):
        roll_up_page_views(sample[start : start + SWEEP_CHUNK])
    incremental = time.perf_counter() - started
    started = time.perf_counter()
    for page_view_id in singles:
        roll_up_page_views([page_view_id])
    one_by_one = time.perf_counter() - started

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tracking_event")
        total = cursor.fetchone()[0]
        started = time.perf_counter()
        cursor.execute(
            """
            CREATE TEMP TABLE bench_rebuild AS
            SELECT page_view_id,
                   max(value) FILTER (WHERE kind = 'engaged') AS engaged_ms,
                   max(value) FILTER (WHERE kind = 'depth') AS max_depth,
                   bool_or(kind = 'end') AS end_seen,
                   max(id) AS events_through
            FROM tracking_event GROUP BY page_view_id
            """
        )
        rebuild = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_rebuild")
    incremental_rate = events / incremental
    rebuild_rate = total / rebuild
    return {
        "page_views": len(sample),
        "chunk": SWEEP_CHUNK,
        "events": events,
        "incremental_seconds": incremental,
        "incremental_events_per_second": incremental_rate,
        "one_at_a_time_page_views": len(singles),
        "one_at_a_time_events_per_second": single_events / one_by_one,
        "rebuild_events": total,
        "rebuild_seconds": rebuild,
        "rebuild_events_per_second": rebuild_rate,
        "ratio": incremental_rate / rebuild_rate,
        "set_based": True,
    }


def engaged_minutes(port, cookie, name) -> int | None:
    status, body = fetch(
        port, f"/sales/?q={name.replace(' ', '+')}", cookie, {"HX-Request": "true"}
    )
    match = re.search(r'data-label="Engaged">(\d+) min', body)
    return int(match.group(1)) if match else None


def measure_freshness(port: int, context: dict, samples: int) -> dict:
    """Seconds from an accepted beacon to its reading showing in the sales view.

    Each sample is a prospect of the measured salesperson: their browser sends
    a minute of engaged reading on a piece assigned to them, and the sales
    view (its htmx fragment, searched by name) is polled every 100 ms until
    the prospect's engaged minutes go up.
    """
    from django.conf import settings

    from bench.seed import BENCH_SELLERS, visitor_token
    from sales.models import Prospect

    cookie = context["seller_cookie"]
    seconds, timeouts = [], 0
    for sample in range(samples):
        number = sample * BENCH_SELLERS
        prospect = Prospect.objects.get(crm_id=f"bench-{number:06d}")
        page_id = (
            prospect.assignments.first().items.order_by("position").first().page_id
        )
        before = engaged_minutes(port, cookie, prospect.name)
        batch = {
            "v": uuid.uuid4().hex,
            "p": page_id,
            "s": 0,
            "t": 60_000,
            "e": [{"k": "view"}, {"k": "engaged", "ms": 60_000}],
        }
        started = time.monotonic()
        status, _ = fetch(
            port,
            "/t/e",
            f"{settings.TRACKING_VISITOR_COOKIE}={visitor_token(number)}",
            {"Content-Type": "text/plain", "Origin": f"http://127.0.0.1:{port}"},
            json.dumps(batch).encode(),
        )
        if status != 202:
            raise RuntimeError(f"freshness beacon refused: {status}")
        while True:
            elapsed = time.monotonic() - started
            if engaged_minutes(port, cookie, prospect.name) != before:
                seconds.append(elapsed)
                break
            if elapsed > FRESHNESS_TIMEOUT:
                timeouts += 1
                seconds.append(elapsed)
                break
            time.sleep(0.1)
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "seconds": seconds,
        "median_seconds": statistics.median(seconds),
        "p95_seconds": p95,
        "timeouts": timeouts,
    }
