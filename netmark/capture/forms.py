"""Forms of the capture pages. They parse input only; the services validate and save.

The field rows of the form builder are parsed by ``field_rows`` from ``key_<n>``, ``label_<n>``,
``kind_<n>`` and ``required_<n>``; htmx adds rows (``views.field_row``).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from netmark.capture.images import MAX_BYTES as MAX_IMAGE_BYTES
from netmark.capture.models import Language
from netmark.positioning.forms import id_choices

MAX_ROWS = 30


class CaptureFormForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    submit_label = forms.CharField(label=_("Button label"), max_length=60, required=False)
    consent_text = forms.CharField(
        label=_("Consent checkbox text"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Empty: no consent checkbox. Ticked, it records consent with its proof."),
    )
    consent_purpose = forms.SlugField(label=_("Consent purpose"), max_length=40, initial="email_marketing")
    thank_you_message = forms.CharField(
        label=_("Thank-you message"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    redirect_url = forms.CharField(
        label=_("Redirect URL"),
        max_length=500,
        required=False,
        help_text=_("http:// or https://; instead of the message."),
    )
    site_id = forms.ChoiceField(label=_("Site of the goal event"), required=False)
    plan_id = forms.ChoiceField(label=_("Promotion"), required=False)
    mailing_list_id = forms.ChoiceField(
        label=_("Subscribe to the mailing list"),
        required=False,
        help_text=_("Who ticks the consent box gets a double opt-in email."),
    )
    tags = forms.CharField(
        label=_("Tags to add"), max_length=600, required=False, help_text=_("Separated by commas.")
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, sites=(), plans=(), mailing_lists=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site_id"].choices = id_choices(sites, blank="---------")
        self.fields["plan_id"].choices = id_choices(plans, blank="---------")
        self.fields["mailing_list_id"].choices = id_choices(mailing_lists, blank="---------")

    @staticmethod
    def initial_for(form) -> dict:
        return {
            **{name: getattr(form, name) for name in ("name", "language", "submit_label", "consent_text")},
            **{
                name: getattr(form, name) for name in ("consent_purpose", "thank_you_message", "redirect_url")
            },
            "site_id": form.site_id or "",
            "plan_id": form.plan_id or "",
            "mailing_list_id": form.mailing_list_id or "",
            "tags": ", ".join(form.tags),
            "is_active": form.is_active,
        }

    def data_for_service(self, rows: list[dict]) -> dict:
        data = dict(self.cleaned_data)
        data["site_id"] = int(data["site_id"]) if data["site_id"] else None
        data["plan_id"] = int(data["plan_id"]) if data["plan_id"] else None
        data["mailing_list_id"] = int(data["mailing_list_id"]) if data["mailing_list_id"] else None
        data["tags"] = [tag.strip() for tag in data["tags"].replace("，", ",").split(",") if tag.strip()]
        data["fields"] = rows
        return data


def field_rows(post) -> list[dict]:
    """The builder's rows in order; rows without a key are left out."""
    rows = []
    for index in range(MAX_ROWS):
        key = (post.get(f"key_{index}") or "").strip()
        if key:
            rows.append(
                {
                    "key": key,
                    "label": post.get(f"label_{index}") or "",
                    "kind": post.get(f"kind_{index}") or "",
                    "required": bool(post.get(f"required_{index}")),
                }
            )
    return rows


class LandingPageForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(label=_("Address"), max_length=80, help_text=_("Letters, digits and hyphens."))
    headline = forms.CharField(label=_("Headline"), max_length=300, required=False)
    body = forms.CharField(
        label=_("Body (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        max_length=50_000,
    )
    image = forms.FileField(
        label=_("Upload an image"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}),
        help_text=_(
            "PNG, JPEG, WebP or GIF, at most 5 MB and 4000 pixels a side. It replaces the current one."
        ),
    )
    remove_image = forms.BooleanField(label=_("Remove the uploaded image"), required=False)
    image_url = forms.CharField(
        label=_("Or an image address"),
        max_length=500,
        required=False,
        help_text=_("https://…; shown only when no image is uploaded."),
    )
    image_alt_en = forms.CharField(label=_("Image description (English)"), max_length=300, required=False)
    image_alt_zh = forms.CharField(label=_("Image description (Chinese)"), max_length=300, required=False)
    form_id = forms.ChoiceField(label=_("Form"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    site_id = forms.ChoiceField(label=_("Tracked site"), required=False)
    is_published = forms.BooleanField(label=_("Published"), required=False)

    def __init__(self, *args, forms_=(), sites=(), has_image=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_image:
            del self.fields["remove_image"]
        self.fields["form_id"].choices = id_choices(forms_, blank="---------")
        self.fields["site_id"].choices = id_choices(sites, blank="---------")

    @staticmethod
    def initial_for(page) -> dict:
        names = ("title", "slug", "headline", "body", "image_url", "image_alt_en", "image_alt_zh")
        names += ("language", "is_published")
        return {
            **{name: getattr(page, name) for name in names},
            "form_id": page.form_id or "",
            "site_id": page.site_id or "",
        }

    def data_for_service(self) -> dict:
        """The page's fields (the image travels apart: ``image_upload`` and ``remove_image``)."""
        data = dict(self.cleaned_data)
        data.pop("image", None)
        data.pop("remove_image", None)
        data["form_id"] = int(data["form_id"]) if data["form_id"] else None
        data["site_id"] = int(data["site_id"]) if data["site_id"] else None
        return data

    def image_upload(self) -> bytes | None:
        """The uploaded file's bytes, read up to one byte past the limit (the service refuses more)."""
        upload = self.cleaned_data.get("image")
        return upload.read(MAX_IMAGE_BYTES + 1) if upload else None
