"""The demo site in a real browser: loaded once for every check in this folder.

pytest-django's ``live_server`` makes each test transactional, which empties
the database after every test, and loading the demo takes many seconds. These
checks only read, so the folder loads the demo once into the test database,
serves it from a live server of its own and empties the database when the
folder is done, as a transactional test would.
"""

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from pytest_django.live_server_helper import LiveServer

ROOT = Path(__file__).resolve().parents[3]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (375, 1280)


@dataclass(frozen=True)
class Demo:
    url: str
    paths: dict[str, str]
    manager_session: str

    def __getitem__(self, name: str) -> str:
        return self.url + self.paths[name]


def ensure_migrated_rows() -> None:
    """Rows that migrations make (root page, home page, root collection, sales
    roles); an earlier transactional test's flush may have removed them."""
    from django.contrib.auth.models import Group
    from wagtail.models import Collection, Locale, Page

    from content.models import HomePage
    from sales.roles import SALES_MANAGER, SALESPERSON

    for role in (SALESPERSON, SALES_MANAGER):
        Group.objects.get_or_create(name=role)

    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    if HomePage.objects.exists():
        return
    locale, _ = Locale.objects.get_or_create(language_code="en")
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=locale)
    )
    root.add_child(instance=HomePage(title="Home", slug="home"))


def demo_paths() -> dict[str, str]:
    from django.utils import timezone

    from content.models import (
        ArticlePage,
        AssessmentPage,
        CalculatorPage,
        ContentIndexPage,
        GuidePage,
        VideoPage,
    )
    from sales.models import Assignment
    from sales.services import rotate_token

    assignment = (
        Assignment.objects.filter(
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            call__isnull=False,
            viewers__isnull=False,
        )
        .exclude(note="")
        .order_by("pk")
        .first()
    )
    prospect = assignment.prospect_id
    return {
        "home": "/",
        "index": ContentIndexPage.objects.live().first().url,
        "guide": GuidePage.objects.live().first().url,
        "article": ArticlePage.objects.live().order_by("pk").first().url,
        "video": VideoPage.objects.live().first().url,
        "calculator": CalculatorPage.objects.live().order_by("pk").first().url,
        "assessment": AssessmentPage.objects.live().first().url,
        "search": "/search/?q=cost",
        "reading list": f"/a/{rotate_token(assignment=assignment)}/",
        "login": "/accounts/login/",
        "sales view": "/sales/",
        "brief": f"/sales/prospects/{prospect}/",
        "assign": f"/sales/prospects/{prospect}/assign/",
        "dashboard": "/sales/metrics/",
        "import": "/sales/import/",
    }


def manager_session() -> str:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="morgan"))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def asks_for_a_database(item: pytest.Item) -> bool:
    return bool(
        item.get_closest_marker("django_db")
        or {"db", "transactional_db", "live_server"} & set(item.fixturenames)
    )


@pytest.fixture(scope="package")
def test_database(request, django_db_setup, django_db_blocker):
    """The test database, even when only this folder's tests were collected.

    pytest-django creates it only when some collected test asks for ``db``;
    these tests do not (they share data across tests), so create it here when
    nothing else did.
    """
    from django.db import DEFAULT_DB_ALIAS, connection
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        created = None
        if not any(asks_for_a_database(item) for item in request.session.items):
            created = setup_databases(
                verbosity=0, interactive=False, aliases={DEFAULT_DB_ALIAS}
            )
        name = str(connection.settings_dict["NAME"])
        if "test" not in name:
            pytest.fail(f"Refusing to load the demo into {name}: not a test database")
        yield
        if created is not None:
            teardown_databases(created, verbosity=0)


@pytest.fixture(scope="package")
def demo(test_database, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_migrated_rows()
        call_command("load_demo_data", force=True, stdout=io.StringIO())
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield Demo(
                url=server.url, paths=demo_paths(), manager_session=manager_session()
            )
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


def signed_in(page, demo: Demo):
    """The page's browser holds the demo sales manager's session."""
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": demo.manager_session,
                "url": demo.url,
            }
        ]
    )
    return page


@pytest.fixture
def open_page(page, demo):
    """Open a demo page by name, signed in when it is a sales page."""

    def open_(name: str, *, width: int = 1280, scheme: str = "light"):
        page.set_viewport_size({"width": width, "height": 900})
        page.emulate_media(color_scheme=scheme)
        path = demo.paths[name]
        if path.startswith("/sales/"):
            signed_in(page, demo)
        response = page.goto(demo.url + path)
        assert response.ok, f"{name} answered {response.status}"
        return page

    return open_
