"""Drip sequences: a sequence of steps, one enrollment per contact walking them, and one send row
per (enrollment, email step). Imported by ``models.py`` so Django finds them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from netmark.contacts.models import Contact
from netmark.core.models import WorkspaceOwned
from netmark.mailing.campaign_models import MailingList
from netmark.mailing.models import SmtpServer
from netmark.planning.models import Plan


class Sequence(WorkspaceOwned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        PAUSED = "paused", _("paused")

    class Trigger(models.TextChoices):
        SUBSCRIBED = "subscribed", _("subscribed to a list")
        FORM = "form", _("form submitted")
        TAG = "tag", _("tag added")
        DATE = "date", _("date field")

    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    trigger = models.CharField(_("trigger"), max_length=12, choices=Trigger.choices)
    # The form id, the tag name or the custom date field key, by trigger.
    trigger_value = models.CharField(_("trigger value"), max_length=100, blank=True)
    offset_days = models.IntegerField(_("days after the date (negative: before)"), default=0)
    yearly = models.BooleanField(_("every year"), default=False)
    allow_reentry = models.BooleanField(_("may enter again"), default=False)
    mailing_list = models.ForeignKey(
        MailingList, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("list")
    )
    server = models.ForeignKey(
        SmtpServer, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("SMTP server"),
    )  # fmt: skip
    from_name = models.CharField(_("sender name"), max_length=100, blank=True)
    from_email = models.CharField(_("sender address"), max_length=254, blank=True)
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("promotion")
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class SequenceStep(WorkspaceOwned):
    """One step; ``config`` by kind (docs/mailing.md, "Drip sequences")."""

    class Kind(models.TextChoices):
        WAIT = "wait", _("wait")
        CONDITION = "condition", _("condition")
        EMAIL = "email", _("send email")
        TAG = "tag", _("add tag")
        STAGE = "stage", _("change stage")
        NOTIFY = "notify", _("notify owner")

    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    config = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sequence", "position"], name="drip_step_position_once")
        ]


class Enrollment(WorkspaceOwned):
    class State(models.TextChoices):
        ACTIVE = "active", _("active")
        DONE = "done", _("done")
        EXITED = "exited", _("exited")

    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="enrollments")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    round = models.PositiveIntegerField(default=1)
    state = models.CharField(max_length=8, choices=State.choices, default=State.ACTIVE)
    position = models.PositiveIntegerField(default=0)
    next_run_at = models.DateTimeField(null=True, blank=True)
    # A step's wait is over when ``next_run_at`` passes; ``waited`` says the current wait began.
    waited = models.BooleanField(default=False)
    worker = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    history = models.JSONField(default=list, blank=True)
    exit_reason = models.CharField(max_length=100, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["sequence", "contact", "round"], name="drip_enrollment_once")
        ]
        indexes = [models.Index(fields=["state", "next_run_at"])]


class DripMessage(WorkspaceOwned):
    """One email step's message to one enrollment: pending -> sending -> sent | failed | skipped.
    A row found ``sending`` after a crash is sent again with the same Message-ID."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="messages")
    step = models.ForeignKey(SequenceStep, on_delete=models.CASCADE, related_name="+")
    email = models.CharField(max_length=254)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    was_uncertain = models.BooleanField(default=False)
    message_id = models.CharField(max_length=200, blank=True)
    message_tag = models.CharField(max_length=32, blank=True)
    last_detail = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["enrollment", "step"], name="drip_message_once")]
