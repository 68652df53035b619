import json
import os
import subprocess
import sys

from django.core.management.utils import get_random_secret_key

from tests.conftest import ROOT

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"],
    "options": {k: str(v) for k, v in db.get("OPTIONS", {}).items()},
    "conn_max_age": db.get("CONN_MAX_AGE"),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "email": settings.EMAIL_BACKEND,
    "debug": settings.DEBUG,
}))
"""


def run_python(code, settings_module, **env):
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "EMAIL_", "CACHE_"))
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": settings_module, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(**overrides):
    return {
        "DJANGO_SECRET_KEY": get_random_secret_key(),
        "DJANGO_ALLOWED_HOSTS": "portal.example.com",
        "WAGTAILADMIN_BASE_URL": "https://portal.example.com",
        **overrides,
    }


def test_defaults_give_the_embedded_mode():
    result = run_python(PRINT_SETTINGS, "portal.settings.dev")

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in values["options"]["init_command"]
    assert int(values["options"]["timeout"]) >= 5
    assert values["eager"] is True
    assert values["email"] == "django.core.mail.backends.console.EmailBackend"


def test_environment_switches_to_postgresql_and_a_real_broker():
    result = run_python(
        PRINT_SETTINGS,
        "portal.settings.dev",
        DATABASE_URL="postgres://portal@db.internal:5432/portal",
        CELERY_BROKER_URL="redis://redis.internal:6379/0",
        CELERY_TASK_ALWAYS_EAGER="false",
    )

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["conn_max_age"] > 0
    assert values["eager"] is False
    assert values["broker"] == "redis://redis.internal:6379/0"


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]

    result = run_python(PRINT_SETTINGS, "portal.settings.production", **env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_with_an_empty_secret_key():
    result = run_python(
        PRINT_SETTINGS,
        "portal.settings.production",
        **production_env(DJANGO_SECRET_KEY=""),
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    env = production_env()
    del env["DJANGO_ALLOWED_HOSTS"]

    result = run_python(PRINT_SETTINGS, "portal.settings.production", **env)

    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_passes_the_deploy_check():
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage.py', 'check', '--deploy',"
        " '--fail-level', 'WARNING'])",
        "portal.settings.production",
        **production_env(),
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_turns_debug_off_even_when_asked():
    result = run_python(
        PRINT_SETTINGS,
        "portal.settings.production",
        **production_env(DJANGO_DEBUG="true"),
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["debug"] is False


def test_a_secret_key_starting_with_a_dollar_works_and_is_never_echoed():
    key = "$" + get_random_secret_key()
    env = production_env(DJANGO_SECRET_KEY=key)
    del env["DJANGO_ALLOWED_HOSTS"]

    started = run_python(
        PRINT_SETTINGS,
        "portal.settings.production",
        **production_env(DJANGO_SECRET_KEY=key),
    )
    refused = run_python(PRINT_SETTINGS, "portal.settings.production", **env)

    assert started.returncode == 0, started.stderr
    assert "DJANGO_ALLOWED_HOSTS" in refused.stderr
    assert key[1:] not in refused.stderr
