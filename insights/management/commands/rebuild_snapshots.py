from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from insights.services import rebuild_snapshots


class Command(BaseCommand):
    help = (
        "Recompute the weekly trust-metric snapshots of a past period, e.g. after "
        "importing deals or changing a finish rule."
    )

    def add_arguments(self, parser):
        parser.add_argument("--start", type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--end", type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument(
            "--weeks",
            type=int,
            default=26,
            help="Without --start: this many weeks up to --end (default 26).",
        )

    def handle(self, *args, start=None, end=None, weeks=26, **options):
        end = end or timezone.localdate()
        start = start or end - timedelta(weeks=weeks - 1)
        if start > end:
            raise CommandError("--start must not be after --end.")
        written = rebuild_snapshots(start=start, end=end)
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt {written} snapshot rows from {start} to {end}."
            )
        )
