"""Eight writers on the same progress rows lose no update.

Eight threads read the same page as the same visitor, each in its own page
view, all at once: every batch is inserted and rolled up (eagerly, in the
request) while the others write the same visitor's progress row. The result
must equal a serial recomputation from the raw events. The test runs in both
passes of CI: on PostgreSQL in `make test-services`, and on the embedded
file-based SQLite with the project's settings, where it also shows that no
writer meets "database is locked".
"""

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from tests.reliability.recompute import mismatches
from tests.tracking.conftest import SAME_ORIGIN, make_guide
from tracking.models import (
    Event,
    PageViewProgress,
    Visitor,
    VisitorPageProgress,
    hash_visitor_token,
)

WRITERS = 8
BATCHES = 10

pytestmark = pytest.mark.django_db(transaction=True)


def test_eight_concurrent_writers_lose_no_update(site, settings):
    settings.TRACKING_RATE_PER_CLIENT = 10**6
    settings.TRACKING_RATE_PER_PAGE_VIEW = 10**6
    settings.TRACKING_RATE_PER_VISITOR = 10**6
    guide = make_guide(site.root_page, expected_seconds=60)
    token = f"concurrent-{uuid.uuid4().hex}"
    Visitor.objects.create(token_hash=hash_visitor_token(token))
    start = threading.Barrier(WRITERS)

    def write(n: int) -> list[tuple[int, bytes]]:
        client = Client(raise_request_exception=False, **SAME_ORIGIN)
        client.cookies[settings.TRACKING_VISITOR_COOKIE] = token
        page_view = uuid.uuid4().hex
        answers = []
        start.wait()
        try:
            for seq in range(BATCHES):
                body = {
                    "v": page_view,
                    "p": guide.pk,
                    "s": seq,
                    "t": 60_000,
                    "e": [
                        {"k": "engaged", "ms": 1_000 * (seq + 1) + 100 * n},
                        {"k": "depth", "pct": 10 * seq},
                        {"k": "section", "id": f"part-{n % 3 + 1}", "ms": 900 * seq},
                    ],
                }
                response = client.post(
                    "/t/e", json.dumps(body), content_type="application/json"
                )
                answers.append((response.status_code, response.content))
        finally:
            connection.close()
        return answers

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        answers = [a for result in pool.map(write, range(WRITERS)) for a in result]

    failures = [answer for answer in answers if answer[0] != 202]
    assert failures == []
    assert Event.objects.count() == WRITERS * BATCHES * 3
    assert PageViewProgress.objects.count() == WRITERS
    shared = VisitorPageProgress.objects.get()
    assert shared.engaged_seconds == sum(
        (1_000 * BATCHES + 100 * n) // 1000 for n in range(WRITERS)
    )
    assert mismatches() == []
