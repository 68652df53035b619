"""Reactions to what tracking measured."""

from django.dispatch import receiver

from sales.tasks import check_assignments_complete
from tracking.signals import piece_finished


@receiver(piece_finished, dispatch_uid="sales.piece_finished")
def on_piece_finished(sender, *, visitor_id=None, **kwargs):
    if visitor_id is not None:
        check_assignments_complete.delay_on_commit(visitor_id)
