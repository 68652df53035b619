"""Fixed-window request counters kept in the shared cache.

With Redis as the cache every web process counts into the same keys, so a
limit holds however many processes serve the endpoint, and all the counters
of one request are counted in a single round trip.
"""

from collections.abc import Iterable
from datetime import datetime

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

WINDOW_SECONDS = 60
# A window's counter outlives the window, so a late request cannot reopen it.
KEY_TIMEOUT = WINDOW_SECONDS * 2


def within_limit(scope: str, key: str, *, limit: int, now: datetime) -> bool:
    """Count one request for ``key`` in the current minute; false past ``limit``."""
    return within_limits([(scope, key, limit)], now=now)


def within_limits(counters: Iterable[tuple[str, str, int]], *, now: datetime) -> bool:
    """Count one request against each ``(scope, key, limit)``.

    Every counter is counted, even when an earlier one is already past its
    limit, so each limit sees every request; false when any is past its limit.
    """
    window = int(now.timestamp()) // WINDOW_SECONDS
    limits = {
        f"tracking:rate:{scope}:{key}:{window}": limit for scope, key, limit in counters
    }
    counts = _count(list(limits))
    return all(counts[key] <= limit for key, limit in limits.items())


def _count(keys: list[str]) -> dict[str, int]:
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        # INCR creates a missing key at 1, so a pipeline of INCR and EXPIRE
        # counts every key at once. Django stores integers unpickled, so
        # cache.get() still reads these counters.
        client = cache._cache.get_client(write=True)
        pipeline = client.pipeline(transaction=False)
        for key in keys:
            full_key = cache.make_and_validate_key(key)
            pipeline.incr(full_key)
            pipeline.expire(full_key, KEY_TIMEOUT)
        results = pipeline.execute()
        return dict(zip(keys, results[::2], strict=True))
    counts = {}
    for key in keys:
        cache.add(key, 0, timeout=KEY_TIMEOUT)
        try:
            counts[key] = cache.incr(key)
        except ValueError:
            # The key expired between add() and incr(): this request opens a window.
            cache.set(key, 1, timeout=KEY_TIMEOUT)
            counts[key] = 1
    return counts
