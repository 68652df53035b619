from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from portal.demo.calculators import load_calculators
from portal.demo.content import load_content
from portal.demo.insights import load_insights_demo
from portal.demo.sales import load_sales_demo
from portal.demo.site import load_home_page
from portal.demo.users import load_users

IN_MEMORY_EMAIL = "django.core.mail.backends.locmem.EmailBackend"


class Command(BaseCommand):
    help = (
        "Load demo users and content for the embedded mode. Safe to run again: "
        "existing demo rows are updated, never duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DEBUG is off (demo passwords are public).",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Demo data has public passwords; refusing to load it with DEBUG off. "
                "Pass --force on a throwaway database."
            )

        # Demo reading finishes assignments, which emails their owners: keep
        # those emails out of the console.
        with (
            override_settings(EMAIL_BACKEND=IN_MEMORY_EMAIL),
            transaction.atomic(),
        ):
            users = load_users()
            home = load_home_page()
            pages = load_content(home)
            tools = load_calculators(home, pages)
            prospects = load_sales_demo()
            history = load_insights_demo()

        self.stdout.write(self.style.SUCCESS(f"Demo data ready: home page '{home}'."))
        self.stdout.write(
            f"  {len(pages)} demo pieces, starting with {pages['guide'].url}"
        )
        self.stdout.write(f"  {len(tools)} calculators and self-checks")
        if prospects:
            self.stdout.write(f"  {prospects} demo prospects with calls and reading")
        if history:
            self.stdout.write(f"  {history} past prospects with six months of deals")
        self.stdout.write("Sign in at /admin/ (editors) or /accounts/login/ (sales):")
        for user in users:
            self.stdout.write(
                f"  {user.role:<15} {user.username:<10} password: {user.password}"
            )
