"""Outcomes and what the dashboard reads: deals, API tokens, imports, snapshots.

Deals carry the sales outcome the trust metrics need (won or lost, amount,
lifetime value, acquisition source). Weekly snapshots hold every metric's
figure per week, for the whole team and for each salesperson, so trend charts
read a fixed number of rows whatever the volume of reading behind them.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from sales.models import Source


class Outcome(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class DealStage(models.TextChoices):
    DISCOVERY = "discovery", "Discovery"
    PROPOSAL = "proposal", "Proposal"
    NEGOTIATION = "negotiation", "Negotiation"
    CLOSED = "closed", "Closed"


class DealQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Deals ``user`` may see: managers all, salespeople their prospects'."""
        from sales.roles import is_sales_manager

        if is_sales_manager(user):
            return self
        return self.filter(prospect__owner=user)


class Deal(models.Model):
    """One sale pursued with a prospect, and how it ended.

    ``opened_on`` is the first touch (the start of the sales cycle);
    ``closed_on`` is set once the outcome is won or lost. Amounts are in
    ``currency``; metrics only add up deals in the team's reporting currency.
    """

    prospect = models.ForeignKey(
        "sales.Prospect", on_delete=models.CASCADE, related_name="deals"
    )
    title = models.CharField(max_length=150, blank=True)
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(max_length=3, default="GBP")
    stage = models.CharField(
        max_length=20, choices=DealStage, default=DealStage.DISCOVERY
    )
    outcome = models.CharField(max_length=5, choices=Outcome, default=Outcome.OPEN)
    opened_on = models.DateField(
        "first touch", help_text="When the prospect first came in touch."
    )
    closed_on = models.DateField(null=True, blank=True)
    lifetime_value = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Revenue from this customer over the relationship, if known.",
    )
    source = models.CharField(
        "acquisition source", max_length=20, choices=Source, default=Source.OTHER
    )
    crm_id = models.CharField(
        "CRM id", max_length=64, null=True, blank=True, unique=True, default=None
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DealQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        indexes = [
            models.Index(fields=["outcome", "closed_on"]),
            models.Index(fields=["opened_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="open") | Q(closed_on__isnull=False),
                name="insights_deal_closed_has_date",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(closed_on__gte=models.F("opened_on")),
                name="insights_deal_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"Deal {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("insights:deal_edit", args=[self.pk])


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A key a CRM uses to push deals and prospects through the API.

    Only the SHA-256 of the token and its first characters (to recognise it in
    a list) are stored; the token is shown once, when created.
    """

    PREFIX_LENGTH = 8

    name = models.CharField(max_length=100, help_text="What uses this token.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    prefix = models.CharField(max_length=PREFIX_LENGTH, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, name: str, created_by) -> tuple["ApiToken", str]:
        """Create a token; return the row and the clear token (shown once)."""
        token = secrets.token_urlsafe(32)
        row = cls.objects.create(
            name=name,
            created_by=created_by,
            prefix=token[: cls.PREFIX_LENGTH],
            token_hash=hash_api_token(token),
        )
        return row, token


def import_upload_path(instance, filename: str) -> str:
    return f"imports/{timezone.now():%Y/%m}/{secrets.token_hex(8)}.csv"


class ImportJob(models.Model):
    """One uploaded CSV file on its way into prospects or deals.

    The file is kept in storage so the Celery task that imports it can run in
    another process; ``processed_rows`` moves while it runs so the page can
    show progress.
    """

    class Kind(models.TextChoices):
        PROSPECTS = "prospects", "Prospects"
        DEALS = "deals", "Deals"

    class State(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        INVALID = "invalid", "Has errors"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=10, choices=Kind)
    file = models.FileField(upload_to=import_upload_path)
    original_name = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    mapping = models.JSONField(
        default=dict, blank=True, help_text="Field name to CSV column header."
    )
    state = models.CharField(max_length=10, choices=State, default=State.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, blank=True, help_text="[{'line': n, 'message': text}, ...]"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("insights:import_job", args=[self.pk])

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.state == self.State.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def running(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)


class MetricSnapshot(models.Model):
    """One metric's figure for one week, for the team (no owner) or one seller.

    ``numerator`` and ``n`` are kept beside ``value`` so a period's figure for
    a share can be summed from its weeks, and so every figure shows its
    denominator.
    """

    week_start = models.DateField(help_text="The Monday the week starts on.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    metric = models.CharField(max_length=40)
    value = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(default=0)
    n = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["week_start", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["week_start", "metric"],
                condition=Q(owner__isnull=True),
                name="insights_snapshot_one_per_team_week",
            ),
            models.UniqueConstraint(
                fields=["week_start", "owner", "metric"],
                condition=Q(owner__isnull=False),
                name="insights_snapshot_one_per_owner_week",
            ),
        ]
        indexes = [models.Index(fields=["owner", "week_start"])]

    def __str__(self) -> str:
        return f"{self.metric} for week of {self.week_start}"


class DashboardSettings(models.Model):
    """The team's choices for the dashboard: one row, edited by managers."""

    headline_metrics = models.JSONField(
        default=list,
        blank=True,
        help_text="Three to five metric keys shown first, in order.",
    )
    min_n = models.PositiveSmallIntegerField(
        "smallest sample shown",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="Below this many cases a share reads “too few to tell”.",
    )
    currency = models.CharField(
        "reporting currency",
        max_length=3,
        default="GBP",
        help_text="Deal sizes and lifetime values add up deals in this currency.",
    )
    hours_per_call = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=1.5,
        validators=[MinValueValidator(0)],
        help_text="Preparation, call and follow-up time per call.",
    )
    loaded_cost_per_hour = models.DecimalField(
        "loaded cost per rep-hour",
        max_digits=8,
        decimal_places=2,
        default=60,
        validators=[MinValueValidator(0)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "dashboard settings"

    def __str__(self) -> str:
        return "Dashboard settings"

    @classmethod
    def load(cls) -> "DashboardSettings":
        """The saved settings, or unsaved defaults until a manager saves them."""
        found = cls.objects.order_by("pk").first()
        return found or cls(headline_metrics=list(DEFAULT_HEADLINES))


DEFAULT_HEADLINES = (
    "long_read_share",
    "assignment_completion",
    "close_rate",
    "mql_to_sql",
)
