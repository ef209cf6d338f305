"""Forms of the positioning pages. They parse input only; the services validate and save.

Each form's ``data_for_service()`` is the keyword arguments of its create / update service; the
views save through ``netmark.web.record_pages``, which maps the service's errors onto the form.
"""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from netmark.core.money import CURRENCY_CHOICES
from netmark.planning.models import ChannelType
from netmark.positioning.models import Message, Product

LANGUAGE_CHOICES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]


def id_choices(rows, blank: str | None = None) -> list[tuple[str, str]]:
    choices = [("", blank)] if blank is not None else []
    return choices + [(str(row.pk), str(row)) for row in rows]


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    price = forms.DecimalField(label=_("Price"), required=False, max_digits=14, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="CNY")
    margin_percent = forms.DecimalField(label=_("Margin %"), required=False, max_digits=5, decimal_places=2)
    url = forms.URLField(label=_("URL"), required=False, max_length=500, assume_scheme="https")
    status = forms.ChoiceField(
        label=_("Status"), choices=Product.Status.choices, initial=Product.Status.ACTIVE
    )

    def data_for_service(self) -> dict:
        return dict(self.cleaned_data)

    @staticmethod
    def initial_for(product: Product) -> dict:
        fields = ["name", "description", "price", "currency", "margin_percent", "url", "status"]
        return {name: getattr(product, name) for name in fields}


class AudienceForm(forms.Form):
    """An audience, with one presence weight (0 to 100) per channel type of the catalogue."""

    name = forms.CharField(label=_("Name"), max_length=200)
    characteristics = forms.CharField(
        label=_("Characteristics"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    needs = forms.CharField(
        label=_("Needs and pains"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    size_estimate = forms.IntegerField(label=_("Size estimate"), required=False, min_value=0)
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=LANGUAGE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )

    PREFIX = "presence_"

    def __init__(self, *args, channel_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        language = get_language()
        self.channel_types = list(channel_types)
        for channel_type in self.channel_types:
            self.fields[self.PREFIX + channel_type.code] = forms.IntegerField(
                label=channel_type.display_name(language),
                required=False,
                min_value=0,
                max_value=100,
                widget=forms.NumberInput(attrs={"step": 5, "class": "presence-weight"}),
            )

    def presence_groups(self) -> list[tuple[str, list]]:
        """The presence fields by channel kind (paid / owned / earned), in catalogue order."""
        groups = []
        for kind, label in ChannelType.Kind.choices:
            fields = [self[self.PREFIX + row.code] for row in self.channel_types if row.kind == kind]
            if fields:
                groups.append((label, fields))
        return groups

    def base_fields_bound(self):
        return [self[name] for name in ("name", "characteristics", "needs", "size_estimate", "languages")]

    def data_for_service(self) -> dict:
        data = {
            name: self.cleaned_data[name] for name in ("name", "characteristics", "needs", "size_estimate")
        }
        data["languages"] = list(self.cleaned_data["languages"])
        data["channel_presence"] = {
            channel_type.code: weight
            for channel_type in self.channel_types
            if (weight := self.cleaned_data.get(self.PREFIX + channel_type.code))
        }
        return data

    @classmethod
    def initial_for(cls, audience) -> dict:
        initial = {
            name: getattr(audience, name)
            for name in ("name", "characteristics", "needs", "size_estimate", "languages")
        }
        for code, weight in (audience.channel_presence or {}).items():
            initial[cls.PREFIX + code] = weight
        return initial


class MessageForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    audience_id = forms.ChoiceField(label=_("Audience"))
    product_id = forms.ChoiceField(label=_("Product"))
    value_proposition = forms.CharField(
        label=_("Value proposition"), widget=forms.Textarea(attrs={"rows": 3})
    )
    proof_points = forms.CharField(
        label=_("Proof points"),
        help_text=_("One per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    call_to_action = forms.CharField(label=_("Call to action"), max_length=200, required=False)
    tone = forms.ChoiceField(label=_("Tone"), choices=Message.Tone.choices, initial=Message.Tone.FRIENDLY)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, initial="zh-hans")

    def __init__(self, *args, audiences=(), products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience_id"].choices = id_choices(audiences, blank="---------")
        self.fields["product_id"].choices = id_choices(products, blank="---------")

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data["audience_id"] = int(data["audience_id"])
        data["product_id"] = int(data["product_id"])
        data["proof_points"] = [line.strip() for line in data["proof_points"].splitlines() if line.strip()]
        return data

    @staticmethod
    def initial_for(message: Message) -> dict:
        fields = [
            "title",
            "audience_id",
            "product_id",
            "value_proposition",
            "call_to_action",
            "tone",
            "language",
        ]
        initial = {name: getattr(message, name) for name in fields}
        initial["proof_points"] = "\n".join(message.proof_points or [])
        return initial
