"""Contacts, companies, custom fields, tags, consent, the interaction timeline, visitor identities
and import jobs. Definitions in docs/contacts.md."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from netmark.core.models import Member, WorkspaceOwned
from netmark.planning.models import Plan


class Company(WorkspaceOwned):
    name = models.CharField(_("name"), max_length=200)
    website = models.CharField(_("website"), max_length=300, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="company_name_once")]

    def __str__(self) -> str:
        return self.name


class Tag(WorkspaceOwned):
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="contact_tag_once")]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    SUBSCRIBER = "subscriber", _("Subscriber")
    LEAD = "lead", _("Lead")
    QUALIFIED = "qualified", _("Qualified lead")
    CUSTOMER = "customer", _("Customer")
    LOST = "lost", _("Lost")


class Contact(WorkspaceOwned):
    """A person. ``email`` and ``phone`` are stored normalised (``normalise.py``) and each is unique
    in the workspace when set: the dedupe rule lives in the database, not only in code."""

    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.CharField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    wechat_id = models.CharField(_("WeChat ID"), max_length=100, blank=True)
    company = models.ForeignKey(
        Company,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        verbose_name=_("company"),
    )
    title = models.CharField(_("title"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    source_plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("promotion")
    )
    owner = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("owner")
    )
    stage = models.CharField(_("lifecycle stage"), max_length=12, choices=Stage.choices, default=Stage.LEAD)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts", verbose_name=_("tags"))
    # jieba tokens of the text fields, space-separated and space-framed: " 云岭 茶业 zhang "
    search_text = models.TextField(blank=True, editable=False)
    last_activity_at = models.DateTimeField(null=True, blank=True, editable=False)
    score = models.IntegerField(_("lead score"), default=0, editable=False)  # scoring.py keeps it

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "stage"]),
            models.Index(fields=["workspace", "source_plan"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "email"], condition=~Q(email=""), name="contact_email_once"
            ),
            models.UniqueConstraint(
                fields=["workspace", "phone"], condition=~Q(phone=""), name="contact_phone_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.phone or f"#{self.pk}"


class CustomField(WorkspaceOwned):
    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        MULTI_CHOICE = "multi_choice", _("Multiple choice")
        BOOLEAN = "boolean", _("Yes / no")

    key = models.SlugField(_("key"), max_length=50)
    label = models.CharField(_("label"), max_length=100)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    is_required = models.BooleanField(_("required"), default=False)

    class Meta:
        ordering = ["label", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="custom_field_key_once")]

    def __str__(self) -> str:
        return self.label


class Consent(WorkspaceOwned):
    """One consent statement, append-only: the latest row per (contact, purpose) is the status."""

    class Status(models.TextChoices):
        GRANTED = "granted", _("Granted")
        DENIED = "denied", _("Denied")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Basis(models.TextChoices):
        CONSENT = "consent", _("Consent")
        CONTRACT = "contract", _("Contract")
        LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")
        LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consents")
    purpose = models.SlugField(_("purpose"), max_length=40)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    lawful_basis = models.CharField(_("lawful basis"), max_length=20, choices=Basis.choices)
    source = models.CharField(_("source"), max_length=100, blank=True)
    recorded_at = models.DateTimeField(_("time"))
    form_id = models.CharField(_("form"), max_length=60, blank=True)
    ip_hash = models.CharField(_("IP hash"), max_length=64, blank=True)
    text = models.TextField(_("consent text"), blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["contact", "purpose", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.purpose}: {self.status}"


class ConsentState(WorkspaceOwned):
    """The latest statement per (contact, purpose), kept by ``consent.record_consent`` and merges:
    the current status in one indexed row, so segments need not rank the history of every contact."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consent_states")
    purpose = models.SlugField(max_length=40)
    status = models.CharField(max_length=10, choices=Consent.Status.choices)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["purpose", "id"]
        indexes = [models.Index(fields=["workspace", "purpose", "status", "contact"])]
        constraints = [models.UniqueConstraint(fields=["contact", "purpose"], name="consent_state_once")]

    def __str__(self) -> str:
        return f"{self.purpose}: {self.status}"


class Interaction(WorkspaceOwned):
    """One timeline entry. ``kind`` is a registered type (``timeline.py``); ``source_ref``, when set,
    makes recording idempotent per (workspace, kind, source_ref)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(max_length=40)
    occurred_at = models.DateTimeField()
    payload = models.JSONField(default=dict, blank=True)
    source_ref = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "-occurred_at", "-id"]),
            models.Index(fields=["workspace", "kind", "-occurred_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "source_ref"],
                condition=~Q(source_ref=""),
                name="interaction_source_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%Y-%m-%d}"


class Identity(WorkspaceOwned):
    """An analytics visitor (per site) known to be this contact (``identity.identify``)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    site_id = models.BigIntegerField()  # analytics.Site; events live in the EventStore, not joined
    visitor_id = models.BigIntegerField()
    via = models.CharField(max_length=40)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "site_id", "visitor_id"], name="identity_once")
        ]

    def __str__(self) -> str:
        return f"{self.site_id}:{self.visitor_id}"


class ImportJob(WorkspaceOwned):
    """A CSV import: the file, its mapping, progress and the per-row error report."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    member = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=200, blank=True)
    data = models.BinaryField()
    digest = models.CharField(max_length=64)
    mapping = models.JSONField(default=dict)
    overwrite = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=500, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename or f"import #{self.pk}"


class Segment(WorkspaceOwned):
    """A saved group of contacts: ``dynamic`` (the filter tree, evaluated on every read,
    ``segment_filters.py``) or ``static`` (the contacts listed in ``SegmentMember``)."""

    class Kind(models.TextChoices):
        DYNAMIC = "dynamic", _("Dynamic")
        STATIC = "static", _("Static list")

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.DYNAMIC)
    filter = models.JSONField(_("filter"), default=dict, blank=True)
    members = models.ManyToManyField(Contact, through="SegmentMember", related_name="+", blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="segment_name_once")]

    def __str__(self) -> str:
        return self.name


class SegmentMember(WorkspaceOwned):
    """A contact on a static list (erasing the contact removes the row)."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="memberships")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="segment_memberships")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["segment", "contact"], name="segment_member_once"),
        ]


class ScoringRule(WorkspaceOwned):
    """One way a contact earns (or loses) points (docs/contacts.md, "Lead scoring"): each
    ``interaction`` of a timeline kind (counted at most ``max_times``, decayed by age), matching a
    segment-style ``condition`` (``field``), or visiting ``path`` ``times`` in ``days`` (``behaviour``)."""

    class Kind(models.TextChoices):
        INTERACTION = "interaction", _("Interaction")
        FIELD = "field", _("Field condition")
        BEHAVIOUR = "behaviour", _("Page visits")

    name = models.CharField(_("name"), max_length=200)
    points = models.IntegerField(_("points"))
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    interaction_kind = models.CharField(_("interaction type"), max_length=40, blank=True)
    max_times = models.PositiveIntegerField(_("counted at most"), null=True, blank=True)
    condition = models.JSONField(_("condition"), default=dict, blank=True)
    path = models.CharField(_("page path"), max_length=200, blank=True)
    times = models.PositiveIntegerField(_("visits"), default=1)
    days = models.PositiveIntegerField(_("within days"), default=30)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="scoring_rule_name_once")]

    def __str__(self) -> str:
        return self.name


class ScoringSettings(WorkspaceOwned):
    """The workspace's decay half-life (0 = none) and the scores at which stages move up."""

    half_life_days = models.PositiveIntegerField(_("half-life in days"), default=0)
    lead_at = models.IntegerField(_("lead from"), null=True, blank=True)
    qualified_at = models.IntegerField(_("qualified lead from"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="scoring_settings_once")]

    def __str__(self) -> str:
        return f"scoring settings {self.workspace_id}"


class ScoreHistory(WorkspaceOwned):
    """A contact's score from ``at`` on: one row each time a recompute changes it."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="score_history")
    score = models.IntegerField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["contact", "-at"])]

    def __str__(self) -> str:
        return f"{self.score} @ {self.at:%Y-%m-%d}"
