"""Forms of the contacts pages. They parse input only; the services normalise, validate and save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from netmark.contacts.models import Stage
from netmark.positioning.forms import id_choices

KINDS = [("note", _("Note")), ("call", _("Call")), ("meeting", _("Meeting"))]


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        help_text=_("Chinese mobiles with or without +86 are recognised as one number."),
    )
    wechat_id = forms.CharField(label=_("WeChat ID"), max_length=100, required=False)
    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    language = forms.CharField(label=_("Language"), max_length=10, required=False)
    source = forms.CharField(label=_("Source"), max_length=100, required=False)
    stage = forms.ChoiceField(label=_("Lifecycle stage"), choices=Stage.choices, initial=Stage.LEAD)
    owner_id = forms.ChoiceField(label=_("Owner"), required=False)
    source_plan_id = forms.ChoiceField(label=_("Source promotion"), required=False)
    tags = forms.CharField(
        label=_("Tags"), max_length=1000, required=False, help_text=_("Separated by commas.")
    )
    do_not_contact = forms.BooleanField(label=_("Do not contact"), required=False)

    def __init__(self, *args, members=(), plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].choices = [("", "—")] + [(str(m.pk), m.label) for m in members]
        self.fields["source_plan_id"].choices = id_choices(plans, "—")

    @staticmethod
    def initial_for(contact) -> dict:
        return {
            **{
                name: getattr(contact, name)
                for name in (
                    "name",
                    "email",
                    "phone",
                    "wechat_id",
                    "title",
                    "city",
                    "language",
                    "source",
                    "stage",
                    "do_not_contact",
                )
            },
            "company_name": contact.company.name if contact.company else "",
            "owner_id": contact.owner_id or "",
            "source_plan_id": contact.source_plan_id or "",
            "tags": ", ".join(sorted(tag.name for tag in contact.tags.all())),
        }

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data["tags"] = [tag for tag in data["tags"].replace("，", ",").split(",") if tag.strip()]
        for name in ("owner_id", "source_plan_id"):
            data[name] = int(data[name]) if data[name] else None
        return data


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=KINDS)
    text = forms.CharField(label=_("Text"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8, UTF-8 with BOM, GBK or GB18030 (Excel)."))
    overwrite = forms.BooleanField(
        label=_("Overwrite existing values"),
        required=False,
        help_text=_("Off: existing contacts keep their values and only empty fields are filled."),
    )
