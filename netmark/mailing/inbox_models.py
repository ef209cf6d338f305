"""Bounce mailboxes a workspace's reports are polled from over IMAP (``inbox``, ``polling``).
Imported by ``models.py`` so Django registers them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from netmark.core.models import WorkspaceOwned


class BounceMailbox(WorkspaceOwned):
    """An IMAP mailbox that receives bounces and complaints (for a bounce domain whose MX is a mail
    server rather than ``netmark mailing bounce-server``). The password is sealed like SMTP
    passwords. A processed report is moved to ``processed_folder`` or deleted (``after``), only after
    its effects are committed; mail that is no report is moved to ``other_folder`` or, when that is
    empty, left where it is and marked with the IMAP keyword ``polling.SKIP_KEYWORD``. The last
    poll's outcome and running counts are kept on the row (shown in the UI, the API and the CLI)."""

    class Security(models.TextChoices):
        TLS = "tls", _("TLS from the start (port 993)")
        STARTTLS = "starttls", _("STARTTLS (port 143)")
        NONE = "none", _("None (local servers only)")

    class After(models.TextChoices):
        MOVE = "move", _("move to the processed folder")
        DELETE = "delete", _("delete")

    name = models.CharField(_("name"), max_length=100)
    host = models.CharField(_("host"), max_length=253)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(_("security"), max_length=10, choices=Security.choices, default="tls")
    username = models.CharField(_("user name"), max_length=200)
    password_sealed = models.TextField(blank=True)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    after = models.CharField(_("after processing"), max_length=10, choices=After.choices, default=After.MOVE)
    processed_folder = models.CharField(_("processed folder"), max_length=200, default="netmark-processed")
    other_folder = models.CharField(_("folder for other mail"), max_length=200, blank=True)
    poll_minutes = models.PositiveIntegerField(_("poll every (minutes)"), default=5)
    is_active = models.BooleanField(_("active"), default=True)

    lease_until = models.DateTimeField(null=True, blank=True)
    last_poll_at = models.DateTimeField(_("last poll"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last successful poll"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_counts = models.JSONField(default=dict, blank=True)
    reports_total = models.PositiveBigIntegerField(_("reports processed"), default=0)
    others_total = models.PositiveBigIntegerField(_("other messages set aside"), default=0)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="bounce_mailbox_name_once")]

    def __str__(self) -> str:
        return self.name

    @property
    def has_password(self) -> bool:
        return bool(self.password_sealed)
