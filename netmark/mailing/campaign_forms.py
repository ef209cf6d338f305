"""Forms of the list and campaign pages. They parse input only; the services validate and save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from netmark.contacts.models import Segment
from netmark.core.errors import ValidationFailed
from netmark.core.scoping import scoped
from netmark.mailing import layouts
from netmark.mailing.campaign_models import LANGUAGES, MailingList
from netmark.mailing.models import SmtpServer
from netmark.planning.models import Plan


def _choices(model, workspace, label=str) -> list:
    return [("", "—")] + [(row.pk, label(row)) for row in scoped(model, workspace)[:500]]


class MailingListForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES)
    server_id = forms.TypedChoiceField(label=_("Sender"), required=False, coerce=int, empty_value=None)
    plan_id = forms.TypedChoiceField(label=_("Promotion"), required=False, coerce=int, empty_value=None)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    is_public = forms.BooleanField(
        label=_("Shown in the preference centre"),
        required=False,
        help_text=_("Subscribers may join or leave this list themselves on the preference page."),
    )

    def __init__(self, workspace, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["server_id"].choices = _choices(SmtpServer, workspace)
        self.fields["plan_id"].choices = _choices(Plan, workspace)


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=[("", "—"), *LANGUAGES], required=False)


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    mailing_list_id = forms.TypedChoiceField(label=_("List"), required=False, coerce=int, empty_value=None)
    segment_id = forms.TypedChoiceField(
        label=_("Segment"), required=False, coerce=int, empty_value=None,
        help_text=_("Alone, or with a list: the list's subscribers who are in the segment."),
    )  # fmt: skip
    plan_id = forms.TypedChoiceField(label=_("Promotion"), required=False, coerce=int, empty_value=None)
    server_id = forms.TypedChoiceField(label=_("SMTP server"), required=False, coerce=int, empty_value=None)
    subject = forms.CharField(
        label=_("Subject"),
        max_length=500,
        help_text=_('Personalise with {{ contact.first_name | default("朋友") }}.'),
    )
    layout = forms.ChoiceField(
        label=_("Start from a layout"), required=False,
        help_text=_("With an empty HTML body, the chosen layout becomes the body."),
    )  # fmt: skip
    html = forms.CharField(label=_("HTML body"), required=False, widget=forms.Textarea(attrs={"rows": 12}))
    test_percent = forms.IntegerField(
        label=_("A/B test share (%)"), min_value=0, max_value=50, initial=0,
        help_text=_("With variants: this share gets them first, the rest gets the winner."),
    )  # fmt: skip
    test_wait_minutes = forms.IntegerField(
        label=_("Wait before choosing (minutes)"), min_value=1, initial=240
    )

    def __init__(self, workspace, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["layout"].choices = [("", "—"), *layouts.layout_choices()]
        self.fields["mailing_list_id"].choices = _choices(MailingList, workspace)
        self.fields["segment_id"].choices = _choices(Segment, workspace)
        self.fields["plan_id"].choices = _choices(Plan, workspace)
        self.fields["server_id"].choices = _choices(SmtpServer, workspace)

    def clean(self):
        """An empty body takes the chosen layout; ``layout`` is not passed on to the service."""
        data = super().clean()
        layout = data.pop("layout", "")
        if not data.get("html", "").strip():
            if not layout:
                self.add_error("html", _("Write the HTML body or choose a layout."))
            else:
                try:
                    data["html"] = layouts.render_layout(layout, self.workspace.language)
                except ValidationFailed as exc:
                    self.add_error("layout", exc.fields["layout"])
        return data
