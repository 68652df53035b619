"""Known people and the reading assigned to them.

A prospect is a person a salesperson talks to; an assignment is the reading
they were asked to do before a call, reached through a personal link. Each
browser that opens the link is a viewer: the first one that uses it is the
prospect, later ones are forwarded viewers, kept apart so a colleague's reading
never counts as the prospect's.
"""

import hashlib
import secrets
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from portal import versions

TOKEN_BYTES = 24  # 192 bits of entropy, above the 128 the link needs.


def hash_token(token: str) -> str:
    """The stored form of a link token: its SHA-256, hex encoded."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def mark_changed(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Bump the sales version stamp once the current transaction commits (at
    once outside one), so renderings cached under it are read afresh.

    Saves and deletes of the models below do it through ``sales.signals``;
    queryset updates call it themselves. A failed bump is logged and never
    fails the write, which has already committed.
    """
    transaction.on_commit(
        partial(versions.bump, versions.SALES), using=using, robust=True
    )


class CommitteeRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", "Decision maker"
    CHAMPION = "champion", "Champion"
    FINANCE = "finance", "Finance"
    TECHNICAL = "technical", "Technical evaluator"
    USER = "user", "User"
    INFLUENCER = "influencer", "Influencer"
    OTHER = "other", "Other"


class Source(models.TextChoices):
    ORGANIC = "organic", "Organic search"
    REFERRAL = "referral", "Referral"
    PAID = "paid", "Paid advertising"
    EVENT = "event", "Event or show"
    OUTBOUND = "outbound", "Outbound"
    PARTNER = "partner", "Partner"
    FORWARDED = "forwarded", "Forwarded by a colleague"
    OTHER = "other", "Other"


class Stage(models.TextChoices):
    LEAD = "lead", "Lead"
    MQL = "mql", "Marketing qualified"
    SQL = "sql", "Sales qualified"
    OPPORTUNITY = "opportunity", "Opportunity"
    CUSTOMER = "customer", "Customer"
    DISQUALIFIED = "disqualified", "Disqualified"


class ProspectQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Prospects ``user`` may see: managers all, salespeople their own."""
        from sales.roles import is_sales_manager

        if is_sales_manager(user):
            return self
        return self.filter(owner=user)


class Prospect(models.Model):
    name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    company = models.CharField(max_length=150, blank=True)
    committee_role = models.CharField(
        "role in the buying committee",
        max_length=20,
        choices=CommitteeRole,
        default=CommitteeRole.DECISION_MAKER,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="prospects",
        help_text="The salesperson who looks after this prospect.",
    )
    source = models.CharField(
        "acquisition source", max_length=20, choices=Source, default=Source.OTHER
    )
    stage = models.CharField(
        "lifecycle stage", max_length=20, choices=Stage, default=Stage.LEAD
    )
    became_mql_at = models.DateTimeField("became MQL", null=True, blank=True)
    became_sql_at = models.DateTimeField("became SQL", null=True, blank=True)
    referred_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stakeholders",
        help_text="The prospect whose reading list this person was forwarded.",
    )
    crm_id = models.CharField(
        "CRM id", max_length=64, null=True, blank=True, unique=True, default=None
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProspectQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["owner", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.company})" if self.company else self.name

    def get_absolute_url(self) -> str:
        return reverse("sales:prospect", args=[self.pk])


class CallQuerySet(models.QuerySet):
    def visible_to(self, user):
        from sales.roles import is_sales_manager

        if is_sales_manager(user):
            return self
        return self.filter(prospect__owner=user)

    def upcoming(self, now=None):
        return self.filter(starts_at__gte=now or timezone.now()).order_by("starts_at")

    def for_sales_view(self):
        """Only what the desk's list of calls shows: the time, the prospect's
        name and company, and the owner's names (``call.prospect.owner``)."""
        return self.select_related("prospect__owner").only(
            "starts_at",
            "prospect",
            "prospect__name",
            "prospect__company",
            "prospect__owner",
            "prospect__owner__username",
            "prospect__owner__first_name",
            "prospect__owner__last_name",
        )


class Call(models.Model):
    prospect = models.ForeignKey(
        Prospect, on_delete=models.CASCADE, related_name="calls"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calls"
    )
    starts_at = models.DateTimeField("time")
    notes = models.TextField(blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return f"Call with {self.prospect.name} at {self.starts_at:%Y-%m-%d %H:%M}"


def default_expiry():
    return timezone.now() + timedelta(days=settings.SALES_LINK_EXPIRY_DAYS)


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        from sales.roles import is_sales_manager

        if is_sales_manager(user):
            return self
        return self.filter(prospect__owner=user)

    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)

    def for_token(self, token: str):
        return self.filter(token_hash=hash_token(token))


class Assignment(models.Model):
    """Reading assigned to a prospect, reached through one personal link.

    Only the SHA-256 of the link's token is stored; the token itself exists in
    the salesperson's copy of the link and the email, never in the database.
    """

    prospect = models.ForeignKey(
        Prospect, on_delete=models.CASCADE, related_name="assignments"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(
        "personal note",
        blank=True,
        help_text="Shown at the top of the reading list, in your words.",
    )
    call = models.ForeignKey(
        Call,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
        help_text="The call this reading should be done before.",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(default=default_expiry)
    revoked_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the prospect first finished every required piece.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Reading for {self.prospect.name}"

    def get_absolute_url(self) -> str:
        return reverse("sales:assignment", args=[self.pk])

    def is_usable(self, now=None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"


class LinkEmail(models.Model):
    """One request to email an assignment's link, sent at most once."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="link_emails"
    )
    key = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Link email {self.key} for {self.assignment}"


class AssignmentItem(models.Model):
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="items"
    )
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+"
    )
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "page"], name="one_item_per_page_per_assignment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.page} ({'required' if self.required else 'optional'})"


class Consent(models.TextChoices):
    UNANSWERED = "", "Not asked yet"
    YES = "yes", "Shares progress"
    NO = "no", "Does not share progress"


class Viewer(models.Model):
    """A browser that used an assignment link.

    The first browser to use the link is the prospect; any other is a forwarded
    viewer. ``visitor_id`` links to tracking's persistent visitor only while the
    viewer consents to share progress.
    """

    class Role(models.TextChoices):
        PROSPECT = "prospect", "Prospect"
        FORWARDED = "forwarded", "Forwarded viewer"

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="viewers"
    )
    role = models.CharField(max_length=10, choices=Role)
    consent = models.CharField(max_length=3, choices=Consent, blank=True, default="")
    consent_changed_at = models.DateTimeField(null=True, blank=True)
    visitor = models.ForeignKey(
        "tracking.Visitor",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Tracking's visitor while consent is given.",
    )
    browser_family = models.CharField(max_length=40, blank=True)
    stakeholder = models.ForeignKey(
        Prospect,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The prospect this forwarded viewer became by asking for a link.",
    )
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["first_seen_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(role="prospect"),
                name="one_prospect_viewer_per_assignment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} of {self.assignment}"

    @property
    def shares_progress(self) -> bool:
        return self.consent == Consent.YES and self.visitor_id is not None


class Notification(models.Model):
    """An in-app notice to a salesperson; one per event, whatever retries happen."""

    class Kind(models.TextChoices):
        ASSIGNMENT_COMPLETE = "assignment_complete", "Finished the required reading"
        NOT_STARTED = "not_started", "Has not started before a call"
        LINK_REQUESTED = "link_requested", "A forwarded viewer asked for a link"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind)
    prospect = models.ForeignKey(
        Prospect, on_delete=models.CASCADE, related_name="notifications"
    )
    event_key = models.CharField(
        max_length=100,
        unique=True,
        help_text="Identifies the event, so a task that runs twice notifies once.",
    )
    message = models.CharField(max_length=300)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.message
