import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from sales.models import Prospect
from sales.privacy import export_prospect


class Command(BaseCommand):
    help = (
        "Print everything held about one prospect as JSON (a subject access request)."
    )

    def add_arguments(self, parser):
        parser.add_argument("prospect_id", type=int)

    def handle(self, *args, prospect_id: int, **options):
        prospect = Prospect.objects.filter(pk=prospect_id).first()
        if prospect is None:
            raise CommandError(f"No prospect has id {prospect_id}.")
        self.stdout.write(
            json.dumps(export_prospect(prospect), cls=DjangoJSONEncoder, indent=2)
        )
