"""Ten thousand malformed beacons: never a server error, never a stored row.

The generators are the ingest property tests' own (tests/tracking), run here
at CI scale on the real database, plus bodies over the size limit, which must
be refused before the parser sees them.
"""

import json
import os
import uuid

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.tracking.conftest import SAME_ORIGIN
from tests.tracking.test_properties import (
    batch_like,
    content_types,
    headers,
    json_values,
    post,
    stored,
)
from tracking import views

EXAMPLES = int(os.environ.get("RELIABILITY_EXAMPLES", 10_000))

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _generous_limits(settings):
    settings.TRACKING_RATE_PER_CLIENT = 10**9
    settings.TRACKING_RATE_PER_PAGE_VIEW = 10**9
    settings.TRACKING_RATE_PER_VISITOR = 10**9


@pytest.fixture
def parsed(monkeypatch):
    """Sizes of the bodies that reached the parser."""
    sizes = []
    parse = views.parse_batch

    def spy(body):
        sizes.append(len(body))
        return parse(body)

    monkeypatch.setattr(views, "parse_batch", spy)
    return sizes


def malformed_bodies(page_id):
    return st.one_of(
        st.binary(max_size=300),
        batch_like(page_id).map(lambda b: json.dumps(b, allow_nan=True).encode()),
        batch_like(page_id).map(lambda b: json.dumps(b).encode()[:-3]),
        json_values.map(lambda v: json.dumps(v, allow_nan=True).encode()),
        st.binary(min_size=1, max_size=40).map(lambda b: b'{"v": "' + b + b'"}'),
        st.integers(1, 3).map(lambda n: b"[" * (20_000 * n)),
        completions(page_id),
    )


def completions(page_id):
    """Well-formed batches whose answers are any text, NUL and lone surrogates too."""
    answers = st.dictionaries(
        st.from_regex(r"[a-z]{1,8}", fullmatch=True), st.text(max_size=30), max_size=4
    )
    return answers.map(
        lambda data: json.dumps(
            {
                "v": uuid.uuid4().hex,
                "p": page_id,
                "s": 0,
                "t": 0,
                "e": [{"k": "complete", "id": "calc", "data": data}],
            }
        ).encode()
    )


@pytest.mark.services
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data(), content_type=content_types, extra=headers)
def test_ten_thousand_malformed_beacons_give_no_server_error_and_store_nothing(
    client, article, parsed, data, content_type, extra
):
    body = data.draw(malformed_bodies(article.pk))
    before = stored()

    response = post(client, body, content_type, {**SAME_ORIGIN, **extra})

    assert response.status_code in {202, 400, 403, 409, 410, 413, 415, 422, 429}
    if response.status_code != 202 or response.json() != {"ok": True}:
        assert stored() == before
    assert all(size <= django_settings.TRACKING_MAX_BODY_BYTES for size in parsed)


@pytest.mark.parametrize("answer", ["a\u0000b", "\u0000"])
def test_an_answer_with_nul_is_refused_not_a_server_error(client, article, answer):
    body = {
        "v": uuid.uuid4().hex,
        "p": article.pk,
        "s": 0,
        "t": 0,
        "e": [{"k": "complete", "id": "calc", "data": {"a": answer}}],
    }

    response = post(client, json.dumps(body), "application/json", SAME_ORIGIN)

    assert response.status_code == 422
    assert stored() == (0, 0)
