"""Settings shared by every mode, read from environment variables.

The defaults give the embedded mode: SQLite, Celery tasks run eagerly and email
goes to the console, so a newcomer needs no other process. ``DATABASE_URL``,
``CELERY_BROKER_URL`` and ``CELERY_TASK_ALWAYS_EAGER=false`` switch to
PostgreSQL, Redis and a real worker.
"""

import os
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")


def local_secret_key(path: Path) -> str:
    """Return a key generated once for this checkout (never committed)."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = get_random_secret_key()
        path.write_text(key)
        path.chmod(0o600)
        return key


DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Read without django-environ: it treats a value starting with "$" as the name
# of another variable, and a random key may well start with one.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "") or local_secret_key(
    BASE_DIR / ".dev-secret-key"
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "insights",
    "sales",
    "tracking",
    "content",
    "portal",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_htmx",
    "template_partials",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.sessions.SessionIdleRenewalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "content.routing.RouteCacheMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.context_processors.site",
            ],
        },
    },
]

# Content Security Policy (django-csp) ---------------------------------------
# Scripts come from the portal itself or carry the response's nonce; nothing
# may frame the portal. Wagtail's and Django's admins send their own headers.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # htmx adds one <style> for its indicators, and charts use style attributes.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "media-src": [SELF],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Databases -----------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers fail with "database is locked" without WAL, IMMEDIATE
    # transactions and a busy timeout.
    # https://docs.djangoproject.com/en/5.2/ref/databases/#database-is-locked-errors
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Ingest is several times slower when each request opens a connection.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Routes the benchmark's reference view (bench/views.py); only
# portal/settings/bench.py turns it on.
BENCHMARK_NOOP = False


def redis_cache_backend(config: dict) -> dict:
    """Django's Redis cache keeping one client per pool (see portal/cache.py)."""
    if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        return {**config, "BACKEND": "portal.cache.RedisCache"}
    return config


CACHES = {
    "default": redis_cache_backend(
        env.cache("CACHE_URL", default="locmemcache://portal")
    )
}

# Auth ------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Signed-in sessions end after this long without use (portal/sessions.py renews
# an active session at most every SESSION_RENEW_SECONDS).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=8 * 60) * 60
SESSION_RENEW_SECONDS = 300
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Internationalisation ------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# Static and media files ----------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Email -----------------------------------------------------------------------

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
if env.str("EMAIL_URL", default=""):
    globals().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery ----------------------------------------------------------------------
# Names follow https://docs.celeryq.dev/en/stable/userguide/configuration.html
# with the CELERY_ prefix (see portal/celery.py).

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
# At-least-once delivery: a task is acknowledged only after it ran, and is
# redelivered when the worker process running it dies. Task bodies are
# idempotent so a second run changes nothing.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redis redelivers unacknowledged tasks after this many seconds; it must be
    # longer than any task's time limit and any countdown.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="portal")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Wagtail ---------------------------------------------------------------------

WAGTAIL_SITE_NAME = env.str("SITE_NAME", default="Blue Lagoon Pools")
WAGTAILADMIN_BASE_URL = env.str(
    "WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000"
)
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database"},
}
WAGTAILDOCS_EXTENSIONS = ["pdf", "csv", "xlsx", "docx", "mp4", "webm", "vtt", "txt"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 200 * 1024 * 1024
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Expected reading time of a piece (content.models.expected_reading_seconds):
# silent reading of non-fiction averages 238 words a minute (Brysbaert, 2019),
# plus a pause per image; videos count for their full duration.
CONTENT_WORDS_PER_MINUTE = env.int("CONTENT_WORDS_PER_MINUTE", default=238)
CONTENT_SECONDS_PER_IMAGE = env.int("CONTENT_SECONDS_PER_IMAGE", default=12)
# Rendered bodies of published pieces are cached this long (purged on publish).
CONTENT_BODY_CACHE_SECONDS = env.int("CONTENT_BODY_CACHE_SECONDS", default=86_400)

# Sales -----------------------------------------------------------------------

# Personal reading-list links expire after this many days unless extended.
SALES_LINK_EXPIRY_DAYS = env.int("SALES_LINK_EXPIRY_DAYS", default=30)
# The first-party cookie that replaces the link's token after first use.
SALES_READING_COOKIE = "portal_reading"
SALES_READING_COOKIE_DAYS = env.int("SALES_READING_COOKIE_DAYS", default=90)
# Remind the owner this many hours before a call whose prospect has not started.
SALES_REMINDER_HOURS = env.int("SALES_REMINDER_HOURS", default=24)
# A client asking for more unknown links than this in a minute is refused (429).
SALES_UNKNOWN_LINKS_PER_MINUTE = env.int("SALES_UNKNOWN_LINKS_PER_MINUTE", default=20)

# Insights --------------------------------------------------------------------

# CSV imports: largest file and most rows accepted in one upload.
INSIGHTS_IMPORT_MAX_BYTES = env.int(
    "INSIGHTS_IMPORT_MAX_BYTES", default=5 * 1024 * 1024
)
INSIGHTS_IMPORT_MAX_ROWS = env.int("INSIGHTS_IMPORT_MAX_ROWS", default=20_000)

# Logging ---------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        name: {
            "handlers": ["console"],
            "level": env.str("LOG_LEVEL", "INFO"),
            "propagate": False,
        }
        for name in ("portal", "content", "tracking", "sales", "insights", "celery")
    },
}

# Reading measurement (tracking) ----------------------------------------------
# Defaults follow the product's definitions; README "Reading measurement" lists
# them all.

# The persistent visitor cookie, set only for a visitor who agreed to be known.
TRACKING_VISITOR_COOKIE = "portal_visitor"
TRACKING_VISITOR_COOKIE_DAYS = env.int("TRACKING_VISITOR_COOKIE_DAYS", default=365)
# Ingest: largest beacon body, and beacons a minute per page view, per visitor
# and per client address (the address is hashed and only kept in the cache).
TRACKING_MAX_BODY_BYTES = env.int("TRACKING_MAX_BODY_BYTES", default=16_384)
TRACKING_RATE_PER_PAGE_VIEW = env.int("TRACKING_RATE_PER_PAGE_VIEW", default=30)
TRACKING_RATE_PER_VISITOR = env.int("TRACKING_RATE_PER_VISITOR", default=240)
TRACKING_RATE_PER_CLIENT = env.int("TRACKING_RATE_PER_CLIENT", default=600)
# A page view stops accepting beacons this long after it started.
TRACKING_PAGE_VIEW_MAX_SECONDS = env.int(
    "TRACKING_PAGE_VIEW_MAX_SECONDS", default=12 * 3600
)
# Tolerance between the tracker's clock and the server's.
TRACKING_CLOCK_SKEW_SECONDS = env.int("TRACKING_CLOCK_SKEW_SECONDS", default=5)
# A visit ends after this many minutes without activity.
TRACKING_VISIT_GAP_MINUTES = env.int("TRACKING_VISIT_GAP_MINUTES", default=30)
TRACKING_EVENT_RETENTION_DAYS = env.int("TRACKING_EVENT_RETENTION_DAYS", default=90)
# Finish rules: shares of the expected reading time, and of a video's duration.
TRACKING_FINISHED_RATIO = env.float("TRACKING_FINISHED_RATIO", default=0.5)
TRACKING_SKIMMED_RATIO = env.float("TRACKING_SKIMMED_RATIO", default=0.3)
TRACKING_VIDEO_FINISHED_RATIO = env.float("TRACKING_VIDEO_FINISHED_RATIO", default=0.9)
TRACKING_VIDEO_MIN_PLAY_SECONDS = env.int("TRACKING_VIDEO_MIN_PLAY_SECONDS", default=3)
# Expected reading time of a page that does not state one.
TRACKING_DEFAULT_EXPECTED_SECONDS = env.int(
    "TRACKING_DEFAULT_EXPECTED_SECONDS", default=240
)
# The sweeper re-enqueues roll-ups of events older than the delay and younger
# than the window.
# Batches of a page view whose roll-up is queued and not started yet queue no
# other. That needs a cache every web process and worker shares: None means
# "when the cache is Redis".
TRACKING_COALESCE_ROLL_UPS = env.bool("TRACKING_COALESCE_ROLL_UPS", default=None)
TRACKING_SWEEP_DELAY_SECONDS = env.int("TRACKING_SWEEP_DELAY_SECONDS", default=120)
TRACKING_SWEEP_WINDOW_HOURS = env.int("TRACKING_SWEEP_WINDOW_HOURS", default=48)
# The editor's Engagement figures cover this many days.
TRACKING_REPORT_DAYS = env.int("TRACKING_REPORT_DAYS", default=90)
