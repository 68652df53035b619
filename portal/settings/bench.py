"""The benchmark: production settings served over plain HTTP on 127.0.0.1.

Only what a local load test needs differs from production: no TLS redirect
or secure-only cookies (there is no proxy), the reference no-op view is
routed, rate limits sit above the load the benchmark sends (they are still
counted, so their cost is measured), and the cache and broker use their own
Redis databases. ``bench/`` sets the required environment variables.
"""

from portal.settings.production import *  # noqa: F403
from portal.settings.production import env, redis_cache_backend

BENCHMARK_NOOP = True

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Pages render without collectstatic: static files come from the source folders.
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True

TRACKING_RATE_PER_PAGE_VIEW = 10**9
TRACKING_RATE_PER_VISITOR = 10**9
TRACKING_RATE_PER_CLIENT = 10**9

CACHES = {
    "default": redis_cache_backend(
        env.cache("CACHE_URL", default="redis://127.0.0.1:6379/12")
    )
}
LOGGING["loggers"]["celery"]["level"] = "WARNING"  # noqa: F405
LOGGING["loggers"]["sales"]["level"] = "WARNING"  # noqa: F405
LOGGING["loggers"]["tracking"]["level"] = "WARNING"  # noqa: F405
