"""Channel catalogue, channel accounts, promotion plans, KPI targets and occurrences."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from netmark.core.models import Member, WorkspaceOwned
from netmark.core.money import currency_field, money_field
from netmark.positioning.models import Audience, Message, Product


class ChannelType(models.Model):
    """The installation-wide catalogue (Baidu search ads, WeChat official account, ...), seeded by a
    migration. Not workspace-owned: every workspace reads the same catalogue."""

    class Kind(models.TextChoices):
        PAID = "paid", _("Paid")
        OWNED = "owned", _("Owned")
        EARNED = "earned", _("Earned")

    code = models.SlugField(max_length=40, unique=True)
    name_en = models.CharField(max_length=100)
    name_zh = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description_en = models.TextField(blank=True)
    description_zh = models.TextField(blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name_en

    def display_name(self, language: str | None) -> str:
        return self.name_zh if (language or "").startswith("zh") else self.name_en


class ChannelAccount(WorkspaceOwned):
    """A channel the workspace really runs, with what it can give it each month."""

    channel_type = models.ForeignKey(
        ChannelType, on_delete=models.PROTECT, related_name="+", verbose_name=_("channel type")
    )
    name = models.CharField(_("name"), max_length=200)
    handle = models.CharField(_("account or URL"), max_length=300, blank=True)
    monthly_budget = money_field(_("monthly budget"), default=0)
    currency = currency_field()
    monthly_hours = models.DecimalField(
        _("people-hours per month"), max_digits=7, decimal_places=1, default=0
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="channel_account_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Plan(WorkspaceOwned):
    """A promotion: objective, positioning, channels with budgets, expected results and schedule."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        EVALUATING = "evaluating", _("Evaluating")
        DONE = "done", _("Done")

    name = models.CharField(_("name"), max_length=200)
    objective = models.TextField(_("objective"))
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("product")
    )
    audience = models.ForeignKey(
        Audience,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("audience"),
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("message")
    )
    owner = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("owner")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    currency = currency_field()
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    # RFC 5545 recurrence rule without DTSTART, e.g. "FREQ=WEEKLY;BYDAY=MO;COUNT=8"; empty = one-off.
    recurrence = models.CharField(_("recurrence rule"), max_length=300, blank=True)
    utm_campaign = models.CharField(_("UTM campaign"), max_length=100, blank=True)
    lessons_learned = models.TextField(_("lessons learned"), blank=True)
    status_locked = models.BooleanField(default=False, help_text=_("Set by hand: dates no longer move it."))

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(fields=["workspace", "status"]),
            models.Index(fields=["workspace", "starts_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="plan_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PlanChannel(WorkspaceOwned):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="channels")
    channel_account = models.ForeignKey(ChannelAccount, on_delete=models.PROTECT, related_name="+")
    budget = money_field(_("budget"), default=0)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["plan", "channel_account"], name="plan_channel_once")]


class KpiTarget(WorkspaceOwned):
    """An expected result: a numeric target for one registered KPI."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    kpi = models.CharField(_("KPI"), max_length=40)
    target = models.DecimalField(_("expected value"), max_digits=16, decimal_places=4)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["plan", "kpi"], name="kpi_target_once")]


class Occurrence(WorkspaceOwned):
    """One dated run of a plan (one per RRULE instance; a single one for one-off plans)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="occurrences")
    starts_on = models.DateField()
    ends_on = models.DateField()
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "sequence"], name="occurrence_sequence_once"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="occurrence_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "starts_on"])]
