"""Nothing lost, nothing counted twice, while workers and the broker die.

Over 20,000 events go through the real ingest view (Django's test client,
realistic batches of five events) into PostgreSQL, and their roll-ups through
Redis to a real Celery worker with four prefork processes. Meanwhile pool
processes are killed with SIGKILL, the whole worker is killed and restarted,
and Redis is killed (losing every queued message) and restarted on the same
port. Redis dies during the last round of batches, so the roll-ups it loses
are not re-queued by any later batch: at the end the sweeper, sent to the
worker as beat would send it, must find them. Then every roll-up row must equal
a recomputation from the raw events.
"""

import json
import random
import re
import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.reliability.conftest import wait_for
from tests.reliability.recompute import mismatches
from tests.tracking.conftest import SAME_ORIGIN, make_guide
from tracking import tasks
from tracking.models import Event, PageView, Visitor, hash_visitor_token

PAGE_VIEWS = 500
BATCHES = 8
VISITORS = 50
CHILD_KILL_EVERY = 300
WORKER_KILLS_AT = (1_000, 2_000, 3_000)
REDIS_KILL_AT = 3_900
REDIS_DOWN_REQUESTS = 10
ROLL_UP = "tracking.tasks.roll_up_page_view"
SWEEP_RESULT = re.compile(
    r"sweep_unrolled_page_views\[[0-9a-f-]+\] succeeded in [0-9.]+s: (\d+)"
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def batch(page_view: str, page_id: int, seq: int, rng: random.Random) -> dict:
    """Batch ``seq`` of a reader: cumulative values, five events, as the tracker."""
    t_ms = 60_000 + seq * 500
    engaged = min(t_ms, seq * 7_000 + rng.randrange(1_000, 6_000))
    watched = min(90, 10 + seq * 10)
    events = [
        {"k": "engaged", "ms": engaged},
        {"k": "depth", "pct": min(100, 15 * (seq + 1))},
        {"k": "section", "id": f"part-{seq % 3 + 1}", "ms": engaged // 3},
        {"k": "video", "id": "tour", "dur": 90, "r": [[0, watched]]},
        {"k": "end"} if seq == BATCHES - 1 else {"k": "view"},
    ]
    return {"v": page_view, "p": page_id, "s": seq, "t": t_ms, "e": events}


@pytest.fixture
def readers(site, settings):
    settings.TRACKING_RATE_PER_CLIENT = 10**9
    settings.TRACKING_RATE_PER_PAGE_VIEW = 10**9
    settings.TRACKING_RATE_PER_VISITOR = 10**9
    guides = [
        make_guide(site.root_page, slug=f"guide-{n}", expected_seconds=40 + 40 * n)
        for n in range(2)
    ]
    clients = []
    for n in range(VISITORS):
        token = f"reliability-visitor-{n}-{uuid.uuid4().hex}"
        Visitor.objects.create(token_hash=hash_visitor_token(token))
        client = Client(**SAME_ORIGIN)
        client.cookies[settings.TRACKING_VISITOR_COOKIE] = token
        clients.append(client)
    anonymous = Client(**SAME_ORIGIN)
    return [
        (
            uuid.uuid4().hex,
            guides[n % 2].pk,
            anonymous if n % 5 == 0 else clients[n % VISITORS],
        )
        for n in range(PAGE_VIEWS)
    ]


def test_kills_of_workers_and_broker_lose_and_double_count_nothing(
    readers, own_redis, worker_factory, capsys
):
    rng = random.Random(9)
    worker = worker_factory(concurrency=4)
    sent_events = retried_batches = requests = 0
    accepted: set[tuple[str, int, int]] = set()
    redis_down_requests = 0
    started = time.monotonic()

    for seq in range(BATCHES):
        for page_view, page_id, client in readers:
            body = batch(page_view, page_id, seq, rng)
            deliveries = 2 if rng.random() < 0.05 else 1
            for _ in range(deliveries):
                response = client.post(
                    "/t/e", json.dumps(body), content_type="text/plain;charset=UTF-8"
                )
                assert response.status_code == 202, response.content
                assert response.json() == {"ok": True}
                sent_events += len(body["e"])
                requests += 1
                if requests % CHILD_KILL_EVERY == CHILD_KILL_EVERY // 2:
                    worker.kill_child(requests)
                if requests in WORKER_KILLS_AT:
                    worker.kill_and_restart()
                if requests == REDIS_KILL_AT:
                    own_redis.kill()
                if REDIS_KILL_AT < requests <= REDIS_KILL_AT + REDIS_DOWN_REQUESTS:
                    redis_down_requests += 1
                    if requests == REDIS_KILL_AT + REDIS_DOWN_REQUESTS:
                        own_redis.restart()
            retried_batches += deliveries - 1
            accepted.update((page_view, seq, n) for n in range(len(body["e"])))
    ingest_seconds = time.monotonic() - started
    connection.close()

    assert worker.child_kills >= 10
    assert worker.worker_kills == 3
    assert own_redis.restarts == 1

    broker = own_redis.client()
    sweeps = []

    state = {}

    def settled() -> bool:
        now = timezone.now()
        state.update(
            queued=broker.llen(worker.queue),
            unacked=broker.hlen("unacked"),
            behind=PageView.objects.needing_roll_up(
                since=now - timedelta(days=1), until=now
            ).count(),
        )
        if state["queued"] or state["unacked"]:
            return False
        if not state["behind"]:
            return True
        # Beat's sweep, sent to the worker as beat would send it.
        if not sweeps or time.monotonic() - sweeps[-1][0] > 15:
            sweeps.append((time.monotonic(), tasks.sweep_unrolled_page_views.delay()))
        return False

    try:
        wait_for(settled, timeout=300, interval=1, message="roll-ups did not settle")
    except TimeoutError:
        log = worker.log.read_text()[-3000:]
        pytest.fail(f"Roll-ups did not settle: {state}\n{log}")
    settle_seconds = time.monotonic() - started - ingest_seconds
    re_enqueued = sum(
        int(count) for count in SWEEP_RESULT.findall(worker.log.read_text())
    )

    stored = {
        (page_view.hex, seq, position)
        for page_view, seq, position in Event.objects.values_list(
            "page_view_id", "seq", "position"
        )
    }
    lost = len(accepted - stored)
    receipts = worker.task_receipts(ROLL_UP)
    re_ran = sum(1 for count in receipts.values() if count > 1)
    problems = mismatches()
    with capsys.disabled():
        print(  # noqa: T201 - the run's figures belong in the CI log
            f"\nFault injection: {sent_events} events sent in {requests} requests "
            f"({retried_batches} batches sent twice), {len(stored)} stored, "
            f"{lost} lost; {worker.child_kills} pool processes and "
            f"{worker.worker_kills} whole workers killed, Redis killed "
            f"{own_redis.restarts} time(s) for {redis_down_requests} requests; "
            f"{len(receipts)} roll-up tasks run, {re_ran} of them more than once; "
            f"{len(sweeps)} sweep(s) re-enqueued {re_enqueued} roll-ups; "
            f"ingest {ingest_seconds:.0f} s, settling {settle_seconds:.0f} s; "
            f"{len(problems)} roll-up rows differing from a recomputation"
        )

    assert sent_events >= 20_000
    assert lost == 0
    assert len(stored) == len(accepted)
    assert problems == []
