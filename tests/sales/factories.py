from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from sales.models import Call, Prospect
from sales.roles import SALES_MANAGER, SALESPERSON
from tracking.models import Status, Visitor, VisitorPageProgress


class UserFactory(DjangoModelFactory):
    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Seller{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("pw-for-tests")

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))


def salesperson(**kwargs):
    return UserFactory(groups=[SALESPERSON], **kwargs)


def manager(**kwargs):
    return UserFactory(groups=[SALES_MANAGER], **kwargs)


class ProspectFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Prospect {n}")
    email = factory.Sequence(lambda n: f"prospect{n}@example.org")
    company = factory.Sequence(lambda n: f"Company {n}")
    owner = factory.LazyFunction(salesperson)

    class Meta:
        model = Prospect


class CallFactory(DjangoModelFactory):
    prospect = factory.SubFactory(ProspectFactory)
    owner = factory.LazyAttribute(lambda call: call.prospect.owner)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))

    class Meta:
        model = Call


class VisitorFactory(DjangoModelFactory):
    token_hash = factory.Sequence(lambda n: f"{n:064x}")

    class Meta:
        model = Visitor


def progress(visitor, page, status=Status.FINISHED, engaged=300, **fields):
    """A roll-up row as tracking would leave it for one visitor and page."""
    now = timezone.now()
    return VisitorPageProgress.objects.create(
        visitor=visitor,
        page=page,
        status=status,
        engaged_seconds=engaged,
        max_depth=100 if status in (Status.FINISHED, Status.SKIMMED) else 40,
        end_seen=status in (Status.FINISHED, Status.SKIMMED),
        first_seen=now - timedelta(hours=1),
        last_seen=fields.pop("last_seen", now),
        status_changed_at=now,
        visit_count=fields.pop("visit_count", 1),
        **fields,
    )
