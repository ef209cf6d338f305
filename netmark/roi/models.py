"""Costs (ad spend, affiliate commissions, manual costs, people time), their imports and mappings,
currency rates, and the evaluation records where owners write their lessons.

One ``Cost`` table holds every kind of cost, so a promotion's or a channel's cost is one query;
the columns that only some kinds use (ad metrics, affiliate order, people time) are optional.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from netmark.core.models import Member, WorkspaceOwned
from netmark.core.money import CURRENCY_CHOICES, currency_field, money_field
from netmark.planning.models import ChannelAccount, Occurrence, Plan


class CurrencyRate(WorkspaceOwned):
    """``rate`` units of the workspace currency buy one unit of ``currency``, from ``effective_on``
    until the next rate of that currency."""

    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    rate = models.DecimalField(_("rate"), max_digits=18, decimal_places=8)
    effective_on = models.DateField(_("effective from"))
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Where the rate comes from.")
    )

    class Meta:
        ordering = ["currency", "-effective_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "currency", "effective_on"], name="currency_rate_once_a_day"
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="currency_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} ({self.effective_on})"


class CostImport(WorkspaceOwned):
    """One uploaded file: previewed (the file is kept until applied) or applied, with its report."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        APPLIED = "applied", _("Applied")

    member = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    file_format = models.CharField(_("format"), max_length=20)
    encoding = models.CharField(_("encoding"), max_length=20)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    data = models.BinaryField(null=True, blank=True)  # the file, kept between preview and apply

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_format} {self.filename}"


class CostMapping(WorkspaceOwned):
    """An ad platform's or affiliate's campaign (empty account: any account) that belongs to a
    promotion, and optionally a channel. Saved once; imports and re-mapping read it."""

    platform = models.CharField(_("platform"), max_length=20)
    account = models.CharField(_("account"), max_length=200, blank=True)
    campaign = models.CharField(_("campaign"), max_length=300)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+", verbose_name=_("promotion"))
    channel_account = models.ForeignKey(
        ChannelAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["platform", "campaign", "account", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "platform", "account", "campaign"], name="cost_mapping_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform}: {self.campaign}"


class Cost(WorkspaceOwned):
    class Kind(models.TextChoices):
        AD_SPEND = "ad_spend", _("Ad spend")
        AFFILIATE = "affiliate", _("Affiliate commission")
        AGENCY = "agency", _("Agency fee")
        OFFLINE_EVENT = "offline_event", _("Offline event")
        CONTENT = "content", _("Content production")
        PEOPLE_TIME = "people_time", _("People time")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    spent_on = models.DateField(_("date"))
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("promotion")
    )
    channel_account = models.ForeignKey(
        ChannelAccount,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("channel"),
    )
    amount = money_field(_("cost"))
    currency = currency_field()
    description = models.CharField(_("description"), max_length=300, blank=True)
    # Ad spend lines
    platform = models.CharField(_("platform"), max_length=20, blank=True)
    account = models.CharField(_("account"), max_length=200, blank=True)
    campaign = models.CharField(_("campaign"), max_length=300, blank=True)
    ad_group = models.CharField(_("ad group"), max_length=300, blank=True)
    impressions = models.BigIntegerField(_("impressions"), null=True, blank=True)
    clicks = models.BigIntegerField(_("clicks"), null=True, blank=True)
    conversions = models.DecimalField(
        _("conversions"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    utm_campaign = models.CharField("utm_campaign", max_length=100, blank=True)
    # Affiliate commissions
    order_id = models.CharField(_("order id"), max_length=40, blank=True)
    order_amount = money_field(_("order amount"), null=True, blank=True)
    order_status = models.CharField(_("order status"), max_length=40, blank=True)
    # People time: amount = hours x hourly rate
    role = models.CharField(_("role"), max_length=100, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=8, decimal_places=2, null=True, blank=True)
    hourly_rate = money_field(_("hourly rate"), null=True, blank=True)
    cost_import = models.ForeignKey(
        CostImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The natural key of an imported row (empty for manual costs): re-imports update, never double.
    fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-spent_on", "-id"]
        indexes = [
            models.Index(fields=["workspace", "plan", "spent_on"]),
            models.Index(fields=["workspace", "spent_on"]),
            models.Index(fields=["workspace", "channel_account", "spent_on"]),
            # Imports look lines up by fingerprint; SQLite does not use the partial unique index for IN.
            models.Index(fields=["workspace", "fingerprint"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "fingerprint"],
                condition=~models.Q(fingerprint=""),
                name="cost_fingerprint_once",
            )
        ]

    def __str__(self) -> str:
        return self.description or self.campaign or self.get_kind_display()


class Evaluation(WorkspaceOwned):
    """The evaluation of one occurrence of a promotion, created for its owner when it ends."""

    class Status(models.TextChoices):
        OPEN = "open", _("To write")
        DONE = "done", _("Written")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    numbers = models.JSONField(default=dict, blank=True)
    worked = models.TextField(_("what worked"), blank=True)
    did_not_work = models.TextField(_("what did not work"), blank=True)
    to_change = models.TextField(_("what to change"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "occurrence"], name="evaluation_once_per_occurrence")
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.period_start}–{self.period_end}"
