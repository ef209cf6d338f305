"""SMTP servers, DKIM keys and the suppression list of a workspace (the sending core)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from netmark.core.models import WorkspaceOwned


class SmtpServer(WorkspaceOwned):
    """An SMTP relay a workspace sends through. The password is stored sealed (``sealing``) and never
    shown back. ``per_second`` / ``per_hour`` bound this server's pace (0: no hourly bound);
    ``domain_limits`` maps recipient domains to ``{"per_second": n, "per_hour": n}``."""

    class Security(models.TextChoices):
        STARTTLS = "starttls", _("STARTTLS (port 587)")
        TLS = "tls", _("TLS from the start (port 465)")
        NONE = "none", _("None (local relays only)")

    name = models.CharField(_("name"), max_length=100)
    host = models.CharField(_("host"), max_length=253)
    port = models.PositiveIntegerField(_("port"), default=587)
    security = models.CharField(_("security"), max_length=10, choices=Security.choices, default="starttls")
    username = models.CharField(_("user name"), max_length=200, blank=True)
    password_sealed = models.TextField(blank=True)
    from_email = models.EmailField(_("sender address"), max_length=254)
    from_name = models.CharField(_("sender name"), max_length=100, blank=True)
    unsubscribe_mailbox = models.EmailField(_("unsubscribe mailbox"), max_length=254, blank=True)
    per_second = models.PositiveIntegerField(_("messages per second"), default=10)
    per_hour = models.PositiveIntegerField(_("messages per hour"), default=0)
    domain_limits = models.JSONField(_("limits per recipient domain"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="smtp_server_name_once")]

    def __str__(self) -> str:
        return self.name

    @property
    def has_password(self) -> bool:
        return bool(self.password_sealed)


class DkimKey(WorkspaceOwned):
    """A DKIM signing key for one domain and selector; its public half goes into DNS."""

    class Algorithm(models.TextChoices):
        RSA = "rsa-sha256", _("RSA-2048 (every receiver)")
        ED25519 = "ed25519-sha256", _("Ed25519 (RFC 8463; add an RSA key too)")

    domain = models.CharField(_("domain"), max_length=253)
    selector = models.CharField(_("selector"), max_length=63)
    algorithm = models.CharField(
        _("algorithm"), max_length=20, choices=Algorithm.choices, default="rsa-sha256"
    )
    private_key_sealed = models.TextField()
    public_key = models.TextField()
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["domain", "selector", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "domain", "selector"], name="dkim_key_once")
        ]

    def __str__(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"


class Suppression(WorkspaceOwned):
    """An address this workspace never sends to again, and why. Addresses are stored lower-case."""

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", _("hard bounce")
        COMPLAINT = "complaint", _("complaint")
        UNSUBSCRIBE = "unsubscribe", _("unsubscribed")
        MANUAL = "manual", _("added by hand")

    email = models.CharField(_("email"), max_length=254)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "email"], name="suppression_once")]

    def __str__(self) -> str:
        return self.email


from netmark.mailing.campaign_models import (  # noqa: E402, F401 - lists and campaigns, in their own module
    Campaign,
    MailingList,
    Recipient,
    Subscription,
    Variant,
)
from netmark.mailing.drip_models import (  # noqa: E402, F401 - drip sequences, in their own module
    DripMessage,
    Enrollment,
    Sequence,
    SequenceStep,
)
from netmark.mailing.feedback_models import FeedbackHook, MailEvent  # noqa: E402, F401 - registered here
from netmark.mailing.inbox_models import BounceMailbox  # noqa: E402, F401 - IMAP bounce mailboxes
