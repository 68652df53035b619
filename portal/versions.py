"""Version stamps: values in the shared cache that change whenever some data does.

A rendering cached under the current stamp of everything it shows is never
older than the last change of that data: the writer calls ``bump`` after its
transaction commits, and the next reader misses the cache and renders again.

A stamp is a nanosecond clock reading, not a counter, so a stamp evicted from
the cache comes back as a new value and never repeats an old one: a fragment
cached under an evicted stamp can no longer be found.
"""

import time

from django.core.cache import cache

PREFIX = "version:"
# Each stamp is the reading roll-ups and reports are keyed by; they never expire
# on their own.
PROGRESS = "progress"  # reading roll-ups (tracking)
SALES = "sales"  # prospects, calls, assignments, viewers (sales)
OUTCOMES = "outcomes"  # deals and dashboard settings (insights)


def current(*names: str) -> str:
    """The stamps of ``names``, joined into one cache-key fragment."""
    keys = [PREFIX + name for name in names]
    found = cache.get_many(keys)
    missing = {key: time.time_ns() for key in keys if key not in found}
    if missing:
        # add() keeps a stamp another process set meanwhile.
        for key, value in missing.items():
            if not cache.add(key, value, timeout=None):
                value = cache.get(key, value)
            found[key] = value
    return "-".join(str(found[key]) for key in keys)


def bump(*names: str) -> None:
    """Mark the data behind ``names`` changed; call it after the write commits."""
    now = time.time_ns()
    cache.set_many({PREFIX + name: now for name in names}, timeout=None)
