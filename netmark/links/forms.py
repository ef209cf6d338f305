"""Forms of the links pages. They parse input only; the services normalise, validate and save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from netmark.links.models import LinkConventions
from netmark.positioning.forms import id_choices

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
DEFAULT_HELP = {
    "utm_source": _("Empty: from the channel type, e.g. weibo."),
    "utm_medium": _("Empty: from the channel type, e.g. social."),
    "utm_campaign": _("Empty: the promotion's UTM campaign, or its name as a slug."),
}


def _utm_field(name: str, max_length: int = 100) -> forms.CharField:
    return forms.CharField(
        label=name, max_length=max_length, required=False, help_text=DEFAULT_HELP.get(name, "")
    )


class LinkForm(forms.Form):
    """A link; on edit the promotion and channel are shown but fixed."""

    plan_id = forms.ChoiceField(label=_("Promotion"))
    channel_account_id = forms.ChoiceField(label=_("Channel"))
    destination = forms.CharField(
        label=_("Destination URL"),
        max_length=500,
        help_text=_("http:// or https://; netmark adds the UTM values."),
    )
    name = forms.CharField(
        label=_("Label"), max_length=200, required=False, help_text=_("Shown in lists and under the QR code.")
    )
    utm_source = _utm_field("utm_source")
    utm_medium = _utm_field("utm_medium")
    utm_campaign = _utm_field("utm_campaign")
    utm_content = _utm_field("utm_content")
    utm_term = _utm_field("utm_term")
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, plans=(), channels=(), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.fields["plan_id"].choices = id_choices(plans, blank="---------")
        self.fields["channel_account_id"].choices = id_choices(channels, blank="---------")
        if editing:
            for name in ("plan_id", "channel_account_id"):
                self.fields[name].disabled = True
                self.fields[name].required = False
                self.fields[name].help_text = _("Fixed once the link exists; make a new link instead.")

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        if self.editing:
            del data["plan_id"], data["channel_account_id"]
        else:
            data["plan_id"] = int(data["plan_id"])
            data["channel_account_id"] = int(data["channel_account_id"])
        return data

    @staticmethod
    def initial_for(link) -> dict:
        fields = ["plan_id", "channel_account_id", "destination", "name", "is_active", *UTM_FIELDS]
        return {name: getattr(link, name) for name in fields}


class MappingForm(forms.Form):
    utm_source = _utm_field("utm_source", 200)
    utm_medium = _utm_field("utm_medium", 200)
    utm_campaign = _utm_field("utm_campaign", 200)
    plan_id = forms.ChoiceField(label=_("Promotion"))
    channel_account_id = forms.ChoiceField(label=_("Channel"), required=False)

    def __init__(self, *args, plans=(), channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("utm_source", "utm_medium", "utm_campaign"):
            self.fields[name].help_text = _("As it arrives, any case; empty means any value.")
        self.fields["plan_id"].choices = id_choices(plans, blank="---------")
        self.fields["channel_account_id"].choices = id_choices(channels, blank=_("(any channel)"))

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data["plan_id"] = int(data["plan_id"])
        data["channel_account_id"] = int(data["channel_account_id"]) if data["channel_account_id"] else None
        return data

    @staticmethod
    def initial_for(mapping) -> dict:
        fields = ["utm_source", "utm_medium", "utm_campaign", "plan_id", "channel_account_id"]
        return {name: getattr(mapping, name) for name in fields}


class ConventionsForm(forms.Form):
    separator = forms.ChoiceField(label=_("Word separator"), choices=LinkConventions.Separator.choices)
    allowed_mediums = forms.CharField(
        label=_("Allowed mediums"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line (e.g. cpc, social, email, offline). Empty: any medium."),
    )

    def data_for_service(self) -> dict:
        mediums = [line.strip() for line in self.cleaned_data["allowed_mediums"].splitlines() if line.strip()]
        return {"separator": self.cleaned_data["separator"], "allowed_mediums": mediums}

    @staticmethod
    def initial_for(conventions) -> dict:
        return {
            "separator": conventions.separator,
            "allowed_mediums": "\n".join(conventions.allowed_mediums or []),
        }


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8, UTF-8 with BOM or GBK (Excel)."))
