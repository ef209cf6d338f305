"""Forms, their submissions and landing pages. Public ids are unguessable tokens (RELIABILITY TOKEN)."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from netmark.core.models import WorkspaceOwned

PUBLIC_ID_BYTES = 16


def new_public_id() -> str:
    """128 random bits, URL-safe: a form's address tells nothing and cannot be guessed."""
    return secrets.token_urlsafe(PUBLIC_ID_BYTES)


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    CHINESE = "zh-hans", "简体中文"


class Form(WorkspaceOwned):
    """A form: fields mapped to contact fields, an optional consent checkbox, what follows a submit.

    ``fields`` is an ordered list of ``{"key", "label", "required", "kind"}`` (``forms_fields.py``).
    """

    name = models.CharField(_("name"), max_length=200)
    public_id = models.CharField(max_length=40, unique=True, default=new_public_id, editable=False)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.CHINESE
    )
    fields = models.JSONField(_("fields"), default=list)
    submit_label = models.CharField(_("button label"), max_length=60, blank=True)
    consent_text = models.TextField(_("consent text"), blank=True)
    consent_purpose = models.SlugField(_("consent purpose"), max_length=40, default="email_marketing")
    thank_you_message = models.TextField(_("thank-you message"), blank=True)
    redirect_url = models.CharField(_("redirect URL"), max_length=500, blank=True)
    site = models.ForeignKey(
        "analytics.Site",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    plan = models.ForeignKey(
        "planning.Plan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("promotion"),
    )
    mailing_list = models.ForeignKey(
        "mailing.MailingList",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mailing list"),
        help_text=_("Who ticks the consent box is subscribed, with a double opt-in email."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Submission(WorkspaceOwned):
    """One accepted submission: the values as cleaned, the contact it reached. Goes with the contact
    when the contact is erased (the values are personal data)."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="submissions")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    values = models.JSONField(default=dict)
    consent_given = models.BooleanField(default=False)
    contact_created = models.BooleanField(default=False)
    page_url = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "form", "-created_at"])]

    def __str__(self) -> str:
        return f"#{self.pk}"


class LandingPage(WorkspaceOwned):
    """A hosted page: headline, Markdown body, image, one form; public at /p/<workspace>/<slug>/."""

    slug = models.SlugField(_("address"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    headline = models.CharField(_("headline"), max_length=300, blank=True)
    body = models.TextField(_("body (Markdown)"), blank=True)
    image_url = models.CharField(_("image URL"), max_length=500, blank=True)
    # an uploaded image (capture.images): the server-chosen file name in the workspace's folder
    image_name = models.CharField(_("uploaded image"), max_length=60, blank=True)
    image_width = models.PositiveIntegerField(_("image width"), null=True, blank=True)
    image_height = models.PositiveIntegerField(_("image height"), null=True, blank=True)
    image_alt_en = models.CharField(_("image description (English)"), max_length=300, blank=True)
    image_alt_zh = models.CharField(_("image description (Chinese)"), max_length=300, blank=True)
    form = models.ForeignKey(
        Form, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("form")
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.CHINESE
    )
    site = models.ForeignKey(
        "analytics.Site",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tracked site"),
    )
    is_published = models.BooleanField(_("published"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "slug"], name="capture_page_slug_unique")]

    def __str__(self) -> str:
        return self.title

    @property
    def image_alt(self) -> str:
        """The description in the page's language, else the other one."""
        first, second = (self.image_alt_zh, self.image_alt_en)
        if not self.language.startswith("zh"):
            first, second = second, first
        return first or second
