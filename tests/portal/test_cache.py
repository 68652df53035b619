import os

import pytest
from django.core.cache import caches

from portal.cache import RedisCache
from portal.settings.base import redis_cache_backend


def test_every_redis_cache_url_gets_the_shared_client_backend():
    redis = redis_cache_backend(
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/2",
        }
    )
    local = redis_cache_backend(
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )

    assert redis["BACKEND"] == "portal.cache.RedisCache"
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/2"
    assert local["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.fixture
def redis_cache(settings):
    prefix = f"cache-test-{os.getpid()}"
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/4",
            "KEY_PREFIX": prefix,
        }
    }
    cache = caches["default"]
    yield cache
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def test_one_client_is_kept_per_connection_pool():
    cache = RedisCache("redis://127.0.0.1:6379/4", {})

    first = cache._cache.get_client(write=True)
    again = cache._cache.get_client(write=True)

    assert first is again
    assert first.connection_pool is cache._cache._get_connection_pool(True)


@pytest.mark.services
def test_the_shared_client_reads_and_writes_like_django_s(redis_cache):
    redis_cache.set("answer", {"n": 42}, 30)
    redis_cache.add("answer", "ignored", 30)

    redis_cache.add("counter", 0, 30)
    redis_cache.incr("counter")
    redis_cache.incr("counter")

    assert redis_cache.get("answer") == {"n": 42}
    assert redis_cache.get("counter") == 2
    assert redis_cache.get_many(["answer", "missing"]) == {"answer": {"n": 42}}
