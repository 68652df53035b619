"""Rows as tracking's roll-ups and the CRM would leave them, built by hand."""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from insights.models import Deal, Outcome
from sales.models import Assignment, AssignmentItem, Consent, Viewer
from tests.sales.factories import ProspectFactory, VisitorFactory
from tracking.models import PageView, PageViewProgress, Status, Visit


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def read(
    page,
    when,
    *,
    engaged=0,
    depth=0,
    end=False,
    status=None,
    visitor=None,
    video_seconds=0,
    completion=None,
):
    """One page view's roll-up, as tracking writes it after the beacons."""
    view = PageView.objects.create(
        id=uuid.uuid4(), page=page, visitor=visitor, started_at=when
    )
    return PageViewProgress.objects.create(
        page_view=view,
        page=page,
        engaged_seconds=engaged,
        max_depth=depth,
        end_seen=end,
        video_seconds=video_seconds,
        completion=completion,
        first_seen=when,
        last_seen=when + timedelta(seconds=engaged),
        status=status or (Status.IN_PROGRESS if engaged else Status.NOT_STARTED),
        status_changed_at=when,
    )


def visit(visitor, when):
    return Visit.objects.create(visitor=visitor, started_at=when, last_activity_at=when)


def reading_prospect(*, owner, pages, created_at, required=True):
    """A prospect with one assignment of ``pages`` and a consenting browser.

    Returns the prospect, the assignment and the prospect's tracking visitor.
    """
    prospect = ProspectFactory(owner=owner)
    assignment = Assignment.objects.create(
        prospect=prospect,
        created_by=owner,
        token_hash=uuid.uuid4().hex,
        created_at=created_at,
    )
    for position, page in enumerate(pages):
        AssignmentItem.objects.create(
            assignment=assignment, page=page, required=required, position=position
        )
    visitor = VisitorFactory()
    Viewer.objects.create(
        assignment=assignment,
        role=Viewer.Role.PROSPECT,
        consent=Consent.YES,
        visitor=visitor,
    )
    return prospect, assignment, visitor


class DealFactory(DjangoModelFactory):
    prospect = factory.SubFactory(ProspectFactory)
    title = factory.Sequence(lambda n: f"Pool {n}")
    amount = Decimal("30000.00")
    currency = "GBP"
    outcome = Outcome.OPEN
    opened_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))

    class Meta:
        model = Deal


def closed(prospect, outcome, closed_on, *, days=30, **fields):
    """A deal with ``prospect`` closed ``days`` after its first touch."""
    return DealFactory(
        prospect=prospect,
        outcome=outcome,
        closed_on=closed_on,
        opened_on=closed_on - timedelta(days=days),
        **fields,
    )
