"""Products, target audiences (with weighted channel presence) and messages."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from netmark.core.models import WorkspaceOwned
from netmark.core.money import currency_field, money_field


class Product(WorkspaceOwned):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PLANNED = "planned", _("Planned")
        RETIRED = "retired", _("Retired")

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    price = money_field(_("price"), null=True, blank=True)
    currency = currency_field()
    margin_percent = models.DecimalField(_("margin %"), max_digits=5, decimal_places=2, null=True, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="product_name_unique")]

    def __str__(self) -> str:
        return self.name


class Audience(WorkspaceOwned):
    """A target customer group: who they are, what they need, and where they spend time."""

    name = models.CharField(_("name"), max_length=200)
    characteristics = models.TextField(_("characteristics"), blank=True)
    needs = models.TextField(_("needs and pains"), blank=True)
    # {"<channel type code>": weight 0..100}: where this audience spends its time.
    channel_presence = models.JSONField(_("where they spend time"), default=dict, blank=True)
    size_estimate = models.PositiveBigIntegerField(_("size estimate"), null=True, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="audience_name_unique")]

    def __str__(self) -> str:
        return self.name


class Message(WorkspaceOwned):
    """What to say to one audience about one product."""

    class Tone(models.TextChoices):
        FRIENDLY = "friendly", _("Friendly")
        PROFESSIONAL = "professional", _("Professional")
        PLAYFUL = "playful", _("Playful")
        URGENT = "urgent", _("Urgent")
        CARING = "caring", _("Caring")

    title = models.CharField(_("title"), max_length=200)
    audience = models.ForeignKey(
        Audience, on_delete=models.CASCADE, related_name="messages", verbose_name=_("audience")
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="messages", verbose_name=_("product")
    )
    value_proposition = models.TextField(_("value proposition"))
    proof_points = models.JSONField(_("proof points"), default=list, blank=True)
    call_to_action = models.CharField(_("call to action"), max_length=200, blank=True)
    tone = models.CharField(_("tone"), max_length=20, choices=Tone.choices, default=Tone.FRIENDLY)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title
