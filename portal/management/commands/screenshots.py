"""Regenerate the README's screenshots from the demo data in Chromium."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.test.testcases import LiveServerThread

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


def shots(paths: dict[str, str]) -> list[tuple[str, str, dict]]:
    """(file name, path, viewport) for every screenshot the README shows."""
    return [
        ("home.png", "/", DESKTOP),
        ("guide.png", paths["guide"], DESKTOP),
        ("guide-phone.png", paths["guide"], PHONE),
        ("calculator.png", paths["calculator"], DESKTOP),
        ("reading-list.png", paths["reading_list"], DESKTOP),
        ("sales-view.png", "/sales/", DESKTOP),
        ("sales-view-phone.png", "/sales/", PHONE),
        ("brief.png", paths["brief"], DESKTOP),
        ("dashboard.png", "/sales/metrics/", DESKTOP),
    ]


def demo_paths() -> dict[str, str]:
    from django.utils import timezone

    from content.models import CalculatorPage, GuidePage
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
    if assignment is None:
        raise CommandError("No demo assignment: load the demo data first.")
    return {
        "guide": GuidePage.objects.live().first().url,
        "calculator": CalculatorPage.objects.live().order_by("pk").first().url,
        "reading_list": f"/a/{rotate_token(assignment=assignment)}/",
        "brief": f"/sales/prospects/{assignment.prospect_id}/",
    }


class Command(BaseCommand):
    help = (
        "Load the demo data, serve it on a local port and save the README's "
        "screenshots (viewport-sized PNGs) with Chromium. Makes a new link for "
        "one demo reading list."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(settings.BASE_DIR / "docs" / "screenshots"),
            help="Folder for the PNG files (default: docs/screenshots).",
        )
        parser.add_argument(
            "--chromium",
            default="/usr/bin/chromium",
            help="Chromium executable (Debian's package by default).",
        )
        parser.add_argument(
            "--skip-demo-data",
            action="store_true",
            help="Use the database as it is instead of loading the demo first.",
        )

    def handle(self, *args, output: str, chromium: str, skip_demo_data: bool, **_):
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as error:
            raise CommandError(
                "Playwright is needed: pip install -e '.[test]'"
            ) from error

        if not skip_demo_data:
            call_command("load_demo_data", force=True, stdout=self.stdout)
        paths = demo_paths()
        session = self.manager_session()
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)

        server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise CommandError(f"Could not start a server: {server.error}")
        base = f"http://127.0.0.1:{server.port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium, args=CHROMIUM_ARGS
                )
                for name, path, viewport in shots(paths):
                    self.capture(browser, base, session, folder / name, path, viewport)
                browser.close()
        finally:
            server.terminate()
            server.join()

    def manager_session(self) -> str:
        client = Client()
        client.force_login(get_user_model().objects.get(username="morgan"))
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    def capture(self, browser, base, session, target: Path, path, viewport) -> None:
        context = browser.new_context(
            viewport=viewport, device_scale_factor=1, color_scheme="light"
        )
        if path.startswith("/sales/"):
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}]
            )
        page = context.new_page()
        response = page.goto(base + path, wait_until="networkidle")
        if not response.ok:
            raise CommandError(f"{path} answered {response.status}")
        page.screenshot(path=str(target), animations="disabled", caret="hide")
        context.close()
        size = target.stat().st_size
        shown = "/a/<new link>/" if path.startswith("/a/") else path
        self.stdout.write(f"  {target.name:<22} {shown:<45} {size // 1024} KiB")
