"""Analytics records: sites and the rotating salts of visitor identity.

Events themselves are not Django models: they live in the ``EventStore`` (``analytics/stores/``).
"""

import uuid

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from netmark.core.models import WorkspaceOwned, validate_time_zone

domain_validator = RegexValidator(
    r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*(:\d{1,5})?$",
    _("Enter a host name such as shop.example.com (lower case, no scheme, no path)."),
)


class Site(WorkspaceOwned):
    """A website measured by the tracker. The domain identifies it to the Plausible endpoint,
    ``public_id`` to the Umami endpoint and the tracker's ``data-site`` attribute."""

    class SaltPeriod(models.TextChoices):
        DAY = "day", _("daily (most private)")
        WEEK = "week", _("weekly")
        MONTH = "month", _("monthly (longest anonymous paths)")

    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("domain"), max_length=253, unique=True, validators=[domain_validator])
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    salt_period = models.CharField(
        _("visitor salt rotation"), max_length=5, choices=SaltPeriod.choices, default=SaltPeriod.DAY
    )
    excluded_ips = models.TextField(
        _("excluded IP addresses"), blank=True, help_text=_("One address or network (CIDR) per line.")
    )
    excluded_paths = models.TextField(
        _("excluded paths"), blank=True, help_text=_("One path per line; * matches any characters.")
    )
    events_per_minute = models.PositiveIntegerField(
        _("events per minute"), default=6000, help_text=_("Events above this rate are refused with 429.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return f"{self.name} ({self.domain})"


class Salt(models.Model):
    """A random secret mixed into visitor ids for one period. Installation-wide, not per workspace:
    it identifies no one. The current and the previous salt of each period kind are kept; older
    ones are deleted by ``rotate_salts``, after which yesterday's visitor ids can never be
    recomputed from an IP address and user agent."""

    period = models.CharField(max_length=5, choices=Site.SaltPeriod.choices)
    starts_on = models.DateField()
    secret = models.BinaryField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "starts_on"], name="analytics_salt_unique")]

    def __str__(self) -> str:
        return f"{self.period} salt from {self.starts_on}"
