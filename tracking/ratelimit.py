"""Fixed-window request counters kept in the shared cache.

With Redis as the cache every web process counts into the same keys, so a
limit holds however many processes serve the endpoint.
"""

from datetime import datetime

from django.core.cache import cache

WINDOW_SECONDS = 60


def within_limit(scope: str, key: str, *, limit: int, now: datetime) -> bool:
    """Count one request for ``key`` in the current minute; false past ``limit``."""
    window = int(now.timestamp()) // WINDOW_SECONDS
    cache_key = f"tracking:rate:{scope}:{key}:{window}"
    cache.add(cache_key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The key expired between add() and incr(): this request opens a window.
        cache.set(cache_key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    return count <= limit
