"""Lists with double opt-in, campaigns, their A/B variants and one row per recipient's message.

Imported by ``models.py`` so Django finds them; kept apart from the sending core's models.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from netmark.contacts.models import Contact
from netmark.core.models import WorkspaceOwned
from netmark.mailing.models import SmtpServer
from netmark.planning.models import Plan

LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]


class MailingList(WorkspaceOwned):
    """A list people subscribe to (double opt-in: a subscription counts once confirmed)."""

    name = models.CharField(_("name"), max_length=100)
    language = models.CharField(_("language"), max_length=10, choices=LANGUAGES, default="zh-hans")
    server = models.ForeignKey(
        SmtpServer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sender"),
    )
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("promotion")
    )
    description = models.CharField(_("description"), max_length=500, blank=True)
    is_public = models.BooleanField(
        _("shown in the preference centre"),
        default=False,
        help_text=_("Subscribers may join or leave this list themselves on the preference page."),
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="mailing_list_name_once")]

    def __str__(self) -> str:
        return self.name


class Subscription(WorkspaceOwned):
    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("unconfirmed")
        CONFIRMED = "confirmed", _("confirmed")
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed")

    mailing_list = models.ForeignKey(MailingList, on_delete=models.CASCADE, related_name="subscriptions")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UNCONFIRMED)
    source = models.CharField(_("source"), max_length=100, blank=True)
    subscribed_at = models.DateTimeField(_("subscribed"))
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        ordering = ["-subscribed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["mailing_list", "contact"], name="subscription_once"),
        ]
        indexes = [models.Index(fields=["mailing_list", "status"])]


class Campaign(WorkspaceOwned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SCHEDULED = "scheduled", _("scheduled")
        SENDING = "sending", _("sending")
        WAITING = "waiting", _("waiting for the A/B result")
        PAUSED = "paused", _("paused")
        CANCELLED = "cancelled", _("cancelled")
        DONE = "done", _("done")

    class Metric(models.TextChoices):
        OPENS = "opens", _("human open rate")
        CLICKS = "clicks", _("click rate")

    name = models.CharField(_("name"), max_length=200)
    mailing_list = models.ForeignKey(
        MailingList, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("list")
    )
    segment_id = models.BigIntegerField(_("segment"), null=True, blank=True)
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("promotion")
    )
    server = models.ForeignKey(
        SmtpServer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("SMTP server"),
    )
    from_name = models.CharField(_("sender name"), max_length=100, blank=True)
    from_email = models.CharField(_("sender address"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=500)
    html = models.TextField(_("HTML body"))
    text = models.TextField(_("plain-text body"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A/B test: share of the audience (percent) that gets the variants first, then the winner.
    test_percent = models.PositiveSmallIntegerField(_("test share (%)"), default=0)
    test_wait_minutes = models.PositiveIntegerField(_("wait (minutes)"), default=240)
    test_metric = models.CharField(_("winner by"), max_length=6, choices=Metric.choices, default="opens")
    test_alpha = models.FloatField(_("significance level"), default=0.05)
    fallback_variant = models.CharField(_("without a significant winner send"), max_length=20, blank=True)
    test_ends_at = models.DateTimeField(null=True, blank=True)
    winner = models.CharField(max_length=20, blank=True)
    decision = models.JSONField(default=dict, blank=True)
    problem = models.TextField(blank=True)  # why a scheduled start was refused

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "scheduled_at"])]

    def __str__(self) -> str:
        return self.name


class Variant(WorkspaceOwned):
    """An A/B variant: its own subject and optionally its own HTML (blank: the campaign's)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="variants")
    key = models.CharField(_("key"), max_length=20)
    subject = models.CharField(_("subject"), max_length=500)
    html = models.TextField(_("HTML body"), blank=True)

    class Meta:
        ordering = ["key", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="variant_key_once")]


class Recipient(WorkspaceOwned):
    """One recipient's message: pending -> sending -> sent | failed | uncertain (| skipped).

    ``claimed`` rows are leased to a worker but not yet handed to SMTP; ``sending`` is set right
    before the hand-over, so after a crash only ``sending`` rows can have gone out (they become
    ``uncertain`` and are sent again with the same Message-ID; ``was_uncertain`` keeps the mark).
    """

    class State(models.TextChoices):
        HELD = "held", _("held for the A/B winner")
        PENDING = "pending", _("pending")
        CLAIMED = "claimed", _("claimed")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        UNCERTAIN = "uncertain", _("uncertain")
        SKIPPED = "skipped", _("skipped")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    contact = models.ForeignKey(Contact, null=True, on_delete=models.SET_NULL, related_name="+")
    email = models.CharField(max_length=254)
    variant = models.CharField(max_length=20, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    was_uncertain = models.BooleanField(default=False)
    message_id = models.CharField(max_length=200, blank=True)
    worker = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_code = models.PositiveSmallIntegerField(default=0)
    last_detail = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "email"], name="recipient_once")]
        indexes = [models.Index(fields=["campaign", "state", "next_attempt_at"])]
