"""The JSON API a CRM uses to sync prospects and deals, and read the metrics.

Every call needs ``Authorization: Bearer <token>``; tokens are created by a
sales manager (``/sales/api-tokens/`` or ``manage.py create_api_token``) and
act with that manager's view of the data. Writes are upserts on the CRM id,
so a CRM can send the same record again safely. The OpenAPI schema is served
at ``/api/openapi.json``.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Literal

from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.security import HttpBearer
from pydantic import StringConstraints, model_validator

from insights.metrics import METRICS, period_figures
from insights.models import (
    ApiToken,
    DashboardSettings,
    Deal,
    DealStage,
    Outcome,
    hash_api_token,
)
from insights.periods import Period
from insights.services import outcomes_changed, prospects_changed
from sales.models import Prospect, Source, Stage

CrmId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
]
Money = Annotated[
    Decimal, Field(ge=0, lt=Decimal("1e12"), max_digits=14, decimal_places=2)
]
Day = Annotated[date, Field(ge=date(1990, 1, 1), le=date(2100, 12, 31))]
# Text without NUL characters, which PostgreSQL cannot store.
NO_NUL = r"^[^\x00]*$"


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        if not token or len(token) > 200:
            return None
        row = (
            ApiToken.objects.active()
            .filter(token_hash=hash_api_token(token), created_by__is_active=True)
            .select_related("created_by")
            .first()
        )
        if row is None:
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        return row.created_by


api = NinjaAPI(
    title="Assignment portal API",
    version="1.0",
    description=__doc__,
    auth=TokenAuth(),
    urls_namespace="api",
)


class Message(Schema):
    detail: str


class ProspectIn(Schema):
    name: Annotated[
        str, StringConstraints(min_length=1, max_length=150, pattern=NO_NUL)
    ]
    email: Annotated[str, StringConstraints(max_length=254, pattern=NO_NUL)] = ""
    company: Annotated[str, StringConstraints(max_length=150, pattern=NO_NUL)] = ""
    source: Literal[tuple(Source.values)] = Source.OTHER.value  # type: ignore[valid-type]
    stage: Literal[tuple(Stage.values)] = Stage.LEAD.value  # type: ignore[valid-type]
    became_mql_at: (
        Annotated[date, Field(ge=date(1990, 1, 1), le=date(2100, 1, 1))] | None
    ) = None
    became_sql_at: (
        Annotated[date, Field(ge=date(1990, 1, 1), le=date(2100, 1, 1))] | None
    ) = None


class ProspectOut(Schema):
    crm_id: str | None
    name: str
    email: str
    company: str
    owner: str
    source: str
    stage: str


class DealIn(Schema):
    prospect_crm_id: CrmId
    title: Annotated[str, StringConstraints(max_length=150, pattern=NO_NUL)] = ""
    amount: Money
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")] = "GBP"
    stage: Literal[tuple(DealStage.values)] = DealStage.DISCOVERY.value  # type: ignore[valid-type]
    outcome: Literal[tuple(Outcome.values)] = Outcome.OPEN.value  # type: ignore[valid-type]
    opened_on: Day
    closed_on: Day | None = None
    lifetime_value: Money | None = None
    source: Literal[tuple(Source.values)] = Source.OTHER.value  # type: ignore[valid-type]

    @model_validator(mode="after")
    def closing_is_consistent(self):
        if self.outcome != Outcome.OPEN and self.closed_on is None:
            raise ValueError("a won or lost deal needs closed_on")
        if self.outcome == Outcome.OPEN and self.closed_on is not None:
            raise ValueError("an open deal has no closed_on")
        if self.closed_on is not None and self.closed_on < self.opened_on:
            raise ValueError("closed_on is before opened_on")
        return self


class DealOut(Schema):
    crm_id: str | None
    prospect_crm_id: str | None
    title: str
    amount: Decimal
    currency: str
    stage: str
    outcome: str
    opened_on: date
    closed_on: date | None
    lifetime_value: Decimal | None
    source: str


class FigureOut(Schema):
    key: str
    label: str
    unit: str
    value: float | None
    numerator: float
    n: int


class MetricsOut(Schema):
    start: date
    end: date
    figures: list[FigureOut]


class MetricsParams(Schema):
    weeks: int = Field(12, ge=1, le=104)


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


def prospect_out(prospect: Prospect) -> dict:
    return {
        "crm_id": prospect.crm_id,
        "name": prospect.name,
        "email": prospect.email,
        "company": prospect.company,
        "owner": prospect.owner.username,
        "source": prospect.source,
        "stage": prospect.stage,
    }


def deal_out(deal: Deal) -> dict:
    return {
        "crm_id": deal.crm_id,
        "prospect_crm_id": deal.prospect.crm_id,
        "title": deal.title,
        "amount": deal.amount,
        "currency": deal.currency,
        "stage": deal.stage,
        "outcome": deal.outcome,
        "opened_on": deal.opened_on,
        "closed_on": deal.closed_on,
        "lifetime_value": deal.lifetime_value,
        "source": deal.source,
    }


def start_of(day: date | None):
    if day is None:
        return None
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day))


@api.get("/prospects/{crm_id}", response={200: ProspectOut, 404: Message})
def get_prospect(request, crm_id: CrmId):
    prospect = get_object_or_404(
        Prospect.objects.visible_to(request.auth).select_related("owner"),
        crm_id=crm_id,
    )
    return prospect_out(prospect)


@api.put(
    "/prospects/{crm_id}",
    response={200: ProspectOut, 201: ProspectOut, 409: Message},
)
def put_prospect(request, crm_id: CrmId, payload: ProspectIn):
    """Create or update the prospect with this CRM id (owned by the token's user
    when new)."""
    values = {
        "name": payload.name,
        "email": payload.email,
        "company": payload.company,
        "source": payload.source,
        "stage": payload.stage,
        "became_mql_at": start_of(payload.became_mql_at),
        "became_sql_at": start_of(payload.became_sql_at),
    }
    existing = Prospect.objects.filter(crm_id=crm_id).first()
    if existing is not None:
        if (
            not Prospect.objects.visible_to(request.auth)
            .filter(pk=existing.pk)
            .exists()
        ):
            return Status(
                409, {"detail": "This CRM id belongs to another salesperson."}
            )
        for field, value in values.items():
            setattr(existing, field, value)
        existing.save()
        prospects_changed()
        return Status(200, prospect_out(existing))
    try:
        with transaction.atomic():
            prospect = Prospect.objects.create(
                crm_id=crm_id, owner=request.auth, **values
            )
    except IntegrityError:
        return Status(
            409, {"detail": "Another request created this prospect; send it again."}
        )
    prospects_changed()
    return Status(201, prospect_out(prospect))


@api.get("/deals", response=list[DealOut])
def list_deals(request, page: Query[PageParams]):
    deals = (
        Deal.objects.visible_to(request.auth)
        .select_related("prospect")
        .order_by("pk")[page.offset : page.offset + page.limit]
    )
    return [deal_out(deal) for deal in deals]


@api.get("/deals/{crm_id}", response={200: DealOut, 404: Message})
def get_deal(request, crm_id: CrmId):
    deal = get_object_or_404(
        Deal.objects.visible_to(request.auth).select_related("prospect"), crm_id=crm_id
    )
    return deal_out(deal)


@api.put(
    "/deals/{crm_id}",
    response={200: DealOut, 201: DealOut, 409: Message, 422: Message},
)
def put_deal(request, crm_id: CrmId, payload: DealIn):
    """Create or update the deal with this CRM id, on a prospect the token's
    user can see."""
    prospect = (
        Prospect.objects.visible_to(request.auth)
        .filter(crm_id=payload.prospect_crm_id)
        .first()
    )
    if prospect is None:
        return Status(
            422, {"detail": "No prospect you can see has that prospect_crm_id."}
        )
    values = payload.dict(exclude={"prospect_crm_id"})
    values["currency"] = values["currency"].upper()
    existing = Deal.objects.filter(crm_id=crm_id).first()
    if existing is not None:
        if not Deal.objects.visible_to(request.auth).filter(pk=existing.pk).exists():
            return Status(
                409, {"detail": "This CRM id belongs to another salesperson's deal."}
            )
        for field, value in values.items():
            setattr(existing, field, value)
        existing.prospect = prospect
        existing.save()
        outcomes_changed()
        return Status(200, deal_out(existing))
    try:
        with transaction.atomic():
            deal = Deal.objects.create(crm_id=crm_id, prospect=prospect, **values)
    except IntegrityError:
        return Status(
            409, {"detail": "Another request created this deal; send it again."}
        )
    outcomes_changed()
    return Status(201, deal_out(deal))


@api.get("/metrics", response=MetricsOut)
def get_metrics(request, params: Query[MetricsParams]):
    """Every trust metric over the last ``weeks`` weeks, with its n."""
    from sales.roles import is_sales_manager

    period = Period.last_weeks(params.weeks)
    owner = None if is_sales_manager(request.auth) else request.auth
    currency = DashboardSettings.load().currency
    computed = period_figures(period, owner, currency=currency)
    figures = []
    for metric in METRICS:
        figure = computed[metric.key]
        figures.append(
            {
                "key": metric.key,
                "label": metric.label,
                "unit": metric.unit,
                "value": figure.value,
                "numerator": figure.numerator,
                "n": figure.n,
            }
        )
    return {"start": period.start, "end": period.last_day, "figures": figures}
