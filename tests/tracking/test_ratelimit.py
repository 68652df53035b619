import os
from datetime import UTC, datetime

import pytest
from redis.client import Pipeline, Redis

from tracking import ratelimit

NOW = datetime(2026, 3, 2, 9, 30, 15, tzinfo=UTC)


def test_each_counter_has_its_own_limit():
    counters = [("client", "a", 3), ("page_view", "v", 1)]

    results = [ratelimit.within_limits(counters, now=NOW) for _ in range(2)]

    assert results == [True, False]


def test_every_counter_counts_even_when_another_is_over_its_limit():
    ratelimit.within_limits([("page_view", "v", 0), ("client", "a", 2)], now=NOW)
    ratelimit.within_limits([("page_view", "v", 0), ("client", "a", 2)], now=NOW)

    assert not ratelimit.within_limit("client", "a", limit=2, now=NOW)


def test_a_new_minute_opens_a_new_window():
    assert ratelimit.within_limit("client", "a", limit=1, now=NOW)
    assert not ratelimit.within_limit("client", "a", limit=1, now=NOW)

    later = NOW.replace(minute=31)

    assert ratelimit.within_limit("client", "a", limit=1, now=later)


@pytest.fixture
def redis_cache(settings):
    """The shared Redis cache production uses, on a database of its own."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/4",
            "KEY_PREFIX": f"ratelimit-test-{os.getpid()}",
        }
    }
    cache = caches["default"]
    yield cache
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=f"ratelimit-test-{os.getpid()}:*"):
        client.delete(key)


@pytest.mark.services
def test_redis_counts_every_limit_of_a_request_in_one_round_trip(
    redis_cache, monkeypatch
):
    commands, pipelines = [], []
    execute = Pipeline.execute
    counters = [("client", "a", 5), ("page_view", "v", 5), ("visitor", "h", 5)]

    with monkeypatch.context() as patch:
        patch.setattr(
            Redis, "execute_command", lambda self, *args, **kw: commands.append(args)
        )
        patch.setattr(
            Pipeline, "execute", lambda self: pipelines.append(1) or execute(self)
        )
        assert ratelimit.within_limits(counters, now=NOW)

    assert commands == []
    assert pipelines == [1]


@pytest.mark.services
def test_redis_counters_hold_the_limit_and_expire(redis_cache):
    results = [ratelimit.within_limits([("client", "b", 2)], now=NOW) for _ in range(3)]

    key = redis_cache.make_and_validate_key(
        f"tracking:rate:client:b:{int(NOW.timestamp()) // 60}"
    )
    client = redis_cache._cache.get_client(write=True)
    assert results == [True, True, False]
    assert redis_cache.get(f"tracking:rate:client:b:{int(NOW.timestamp()) // 60}") == 3
    assert 0 < client.ttl(key) <= ratelimit.KEY_TIMEOUT
