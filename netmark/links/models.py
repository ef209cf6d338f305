"""Tracked links (a short code, a destination and its UTM five), UTM mappings and naming conventions."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from netmark.core.models import WorkspaceOwned
from netmark.planning.models import ChannelAccount, Plan


class LinkConventions(WorkspaceOwned):
    """A workspace's UTM naming conventions; a workspace without a row uses the defaults.

    UTM values are always lower-case (ARCHITECTURE.md, "Conventions"); the separator joins words
    (``spring-sale`` or ``spring_sale``); ``allowed_mediums`` empty means any medium.
    """

    class Separator(models.TextChoices):
        HYPHEN = "-", _("hyphen (spring-sale)")
        UNDERSCORE = "_", _("underscore (spring_sale)")

    separator = models.CharField(
        _("word separator"), max_length=1, choices=Separator.choices, default=Separator.HYPHEN
    )
    allowed_mediums = models.JSONField(
        _("allowed mediums"), default=list, blank=True, help_text=_("Empty means any medium.")
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="link_conventions_once")]

    def __str__(self) -> str:
        return str(_("UTM naming conventions"))


class Link(WorkspaceOwned):
    """One promotion x channel destination with its UTM values and short code ``/s/<code>``.

    ``target_url`` is the destination with the UTM values added: the only address ``/s/<code>``
    ever redirects to. ``fingerprint`` (a hash of destination and UTM five) keeps them unique.
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+", verbose_name=_("promotion"))
    channel_account = models.ForeignKey(
        ChannelAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("channel")
    )
    name = models.CharField(_("label"), max_length=200, blank=True)
    destination = models.CharField(_("destination URL"), max_length=500)
    utm_source = models.CharField("utm_source", max_length=100)
    utm_medium = models.CharField("utm_medium", max_length=100)
    utm_campaign = models.CharField("utm_campaign", max_length=100)
    utm_content = models.CharField("utm_content", max_length=100, blank=True)
    utm_term = models.CharField("utm_term", max_length=100, blank=True)
    target_url = models.TextField(_("tagged URL"))
    fingerprint = models.CharField(max_length=64)
    # Installation-wide and case-sensitive (SQLite's and PostgreSQL's default collations compare bytes).
    code = models.CharField(_("short code"), max_length=16, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "plan"]),
            models.Index(fields=["workspace", "utm_source", "utm_medium", "utm_campaign"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "fingerprint"], name="link_destination_utm_once")
        ]

    def __str__(self) -> str:
        return self.name or self.code


class UtmMapping(WorkspaceOwned):
    """Raw UTM values (empty means any) that belong to a promotion and optionally a channel.

    Values are stored trimmed and lower-cased and compared the same way; at least one is set.
    """

    utm_source = models.CharField("utm_source", max_length=200, blank=True)
    utm_medium = models.CharField("utm_medium", max_length=200, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=200, blank=True)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+", verbose_name=_("promotion"))
    channel_account = models.ForeignKey(
        ChannelAccount,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("channel"),
    )

    class Meta:
        ordering = ["utm_campaign", "utm_source", "utm_medium", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "utm_source", "utm_medium", "utm_campaign"], name="utm_mapping_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(utm_source="", utm_medium="", utm_campaign=""),
                name="utm_mapping_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return " / ".join(value or "*" for value in (self.utm_source, self.utm_medium, self.utm_campaign))
