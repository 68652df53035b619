"""Reactions to what tracking measured, and to every write of sales data."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sales.models import (
    Assignment,
    AssignmentItem,
    Call,
    Prospect,
    Viewer,
    mark_changed,
)
from sales.tasks import check_assignments_complete
from tracking.signals import piece_finished


@receiver(piece_finished, dispatch_uid="sales.piece_finished")
def on_piece_finished(sender, *, visitor_id=None, **kwargs):
    if visitor_id is not None:
        check_assignments_complete.delay_on_commit(visitor_id)


# NOTE: model signals rather than calls in sales/services.py, because these rows
# are also written by the desk's forms, the insights API, the reading list and
# the demo loader: a save or delete anywhere marks sales data changed. Bulk
# writes send no signal; sales' own queryset updates call ``mark_changed``.
VERSIONED = (Prospect, Call, Assignment, AssignmentItem, Viewer)


def on_sales_data_changed(sender, *, using, **kwargs):
    mark_changed(using=using)


for model in VERSIONED:
    for event, signal in (("saved", post_save), ("deleted", post_delete)):
        signal.connect(
            on_sales_data_changed,
            sender=model,
            dispatch_uid=f"sales.{model.__name__}.{event}",
        )
