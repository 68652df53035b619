from django.core.management.base import BaseCommand, CommandError

from sales.models import Prospect
from sales.privacy import erase_prospect


class Command(BaseCommand):
    help = "Erase one prospect with all their reading, calls, deals and notices."

    def add_arguments(self, parser):
        parser.add_argument("prospect_id", type=int)
        parser.add_argument(
            "--yes", action="store_true", help="Confirm: this cannot be undone."
        )

    def handle(self, *args, prospect_id: int, yes: bool = False, **options):
        prospect = Prospect.objects.filter(pk=prospect_id).first()
        if prospect is None:
            raise CommandError(f"No prospect has id {prospect_id}.")
        if not yes:
            raise CommandError("Erasing cannot be undone: add --yes to go ahead.")
        visitors = erase_prospect(prospect=prospect)
        self.stdout.write(
            self.style.SUCCESS(f"Prospect {prospect_id} erased ({visitors} browsers).")
        )
