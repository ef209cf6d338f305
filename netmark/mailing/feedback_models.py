"""What comes back from sent mail: engagement and delivery events, and the provider webhooks that
report them (tracking, bounces, complaints). Imported by ``models.py`` so Django registers them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from netmark.core.models import WorkspaceOwned


class MailEvent(WorkspaceOwned):
    """One thing that happened to one message: sent, delivered, opened, clicked, bounced, complained,
    unsubscribed. ``campaign_id`` is a plain integer (campaigns live elsewhere and may be deleted
    while their counts stay). ``message_tag`` is the keyed hash of the message key
    (``verp.message_tag``): bounces and provider events find their message by it. ``is_machine``
    marks opens by image proxies and clicks by link scanners, with ``machine_reason``.
    ``source_ref`` (a provider's delivery id, a Mailgun token) makes a redelivery a no-op."""

    class Kind(models.TextChoices):
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        OPEN = "open", _("opened")
        CLICK = "click", _("clicked")
        BOUNCE_HARD = "bounce_hard", _("hard bounce")
        BOUNCE_SOFT = "bounce_soft", _("soft bounce")
        COMPLAINT = "complaint", _("complaint")
        UNSUBSCRIBE = "unsubscribe", _("unsubscribed")

    campaign_id = models.BigIntegerField(null=True, blank=True)
    variant = models.CharField(max_length=20, blank=True)
    contact_id = models.BigIntegerField(null=True, blank=True)
    recipient = models.CharField(max_length=254)
    message_tag = models.CharField(max_length=32, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    is_machine = models.BooleanField(default=False)
    machine_reason = models.CharField(max_length=40, blank=True)
    url = models.CharField(max_length=2000, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    source_ref = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "campaign_id", "kind"], name="mail_event_campaign"),
            models.Index(fields=["workspace", "message_tag"], name="mail_event_message"),
            models.Index(fields=["workspace", "recipient", "kind", "at"], name="mail_event_recipient"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "source_ref"],
                condition=~models.Q(source_ref=""),
                name="mail_event_source_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.recipient}"


class FeedbackHook(WorkspaceOwned):
    """An inbound provider webhook of a workspace: ``/mail/hooks/<provider>/<key>/``. ``key`` is a
    random public path segment; ``secret_sealed`` holds what checks the signature (Mailgun's HMAC
    signing key, SendGrid's ECDSA public key, the SNS signing certificate in PEM), sealed at rest.
    ``topic_arn`` restricts SES notifications to one SNS topic."""

    class Provider(models.TextChoices):
        SES = "ses", _("Amazon SES (through SNS)")
        SENDGRID = "sendgrid", _("SendGrid event webhook")
        MAILGUN = "mailgun", _("Mailgun webhook")

    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    key = models.CharField(max_length=64, unique=True)
    secret_sealed = models.TextField()
    topic_arn = models.CharField(_("SNS topic ARN"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["provider", "id"]

    def __str__(self) -> str:
        return f"{self.provider} {self.key[:6]}…"
