from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from insights.models import ApiToken


class Command(BaseCommand):
    help = (
        "Create an API token for a CRM integration. The token is printed once; "
        "only its hash is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="What uses the token, e.g. 'CRM sync'.")
        parser.add_argument(
            "--user", required=True, help="Username the token acts for (a manager)."
        )

    def handle(self, *args, name: str, user: str, **options):
        from sales.roles import is_sales_manager

        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"No user named {user!r}.")
        if not is_sales_manager(owner):
            raise CommandError("API tokens act for a sales manager or superuser.")
        row, token = ApiToken.issue(name=name, created_by=owner)
        self.stdout.write(self.style.SUCCESS(f"Created token {row}."))
        self.stdout.write(token)
