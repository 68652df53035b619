"""The benchmark's own PostgreSQL database, Redis databases and environment."""

import os
import secrets
from urllib.parse import urlsplit, urlunsplit

POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
# Redis databases used by nothing else: the cache (rate limits, sessions'
# neighbours) and the Celery broker.
CACHE_DB = 12
BROKER_DB = 13
QUEUE = "bench"


def database_url(name: str) -> str:
    parts = urlsplit(POSTGRES_URL)
    return urlunsplit(parts._replace(path="/" + name))


def configure(args) -> None:
    """Environment for this process (seeding) and the servers it starts."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.bench",
            "DATABASE_URL": database_url(args.database),
            "CACHE_URL": f"{REDIS_URL}/{CACHE_DB}",
            "CELERY_BROKER_URL": f"{REDIS_URL}/{BROKER_DB}",
            "CELERY_RESULT_BACKEND": "",
            "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
            # Seeding rolls up in this process; servers get "false".
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "WAGTAILADMIN_BASE_URL": f"http://127.0.0.1:{args.port}",
            "LOG_LEVEL": "WARNING",
        }
    )


def server_environment() -> dict[str, str]:
    return {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "false"}


def recreate_database(name: str) -> None:
    """Drop and create the benchmark's database (and only that one)."""
    import psycopg

    if not name.startswith("portal_bench"):
        raise ValueError("the benchmark only manages databases named portal_bench*")
    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def flush_redis() -> None:
    import redis

    for number in (CACHE_DB, BROKER_DB):
        redis.Redis.from_url(f"{REDIS_URL}/{number}").flushdb()


def drop_queued_tasks() -> int:
    """Forget roll-ups queued by the load runs (their page views are synthetic)."""
    import redis

    return redis.Redis.from_url(f"{REDIS_URL}/{BROKER_DB}").delete(QUEUE)
