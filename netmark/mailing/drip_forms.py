"""Forms of the sequence pages. They parse input only; ``drip_services`` validates and saves."""

from django import forms
from django.utils.translation import gettext_lazy as _

from netmark.contacts.models import Stage
from netmark.mailing.campaign_forms import _choices
from netmark.mailing.campaign_models import MailingList
from netmark.mailing.drip_models import Sequence, SequenceStep
from netmark.mailing.models import SmtpServer

TESTS = [
    ("opened", _("opened the previous email")),
    ("clicked", _("clicked in the previous email")),
    ("tag", _("has the tag")),
    ("stage", _("is at the stage")),
    ("field", _("field equals")),
]


class SequenceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    trigger = forms.ChoiceField(label=_("Trigger"), choices=Sequence.Trigger.choices)
    trigger_value = forms.CharField(
        label=_("Form id, tag or date field"), max_length=100, required=False,
        help_text=_("Not needed for 'subscribed to a list'."),
    )  # fmt: skip
    offset_days = forms.IntegerField(label=_("Days after the date (negative: before)"), initial=0)
    yearly = forms.BooleanField(label=_("Every year"), required=False)
    allow_reentry = forms.BooleanField(label=_("May enter again"), required=False)
    mailing_list_id = forms.TypedChoiceField(label=_("List"), required=False, coerce=int, empty_value=None)
    server_id = forms.TypedChoiceField(label=_("SMTP server"), required=False, coerce=int, empty_value=None)

    def __init__(self, workspace, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mailing_list_id"].choices = _choices(MailingList, workspace)
        self.fields["server_id"].choices = _choices(SmtpServer, workspace)


def _target(raw: str):
    raw = (raw or "").strip()
    if raw.lower() == "stop":
        return "stop"
    return int(raw) if raw.isdigit() else None


class StepForm(forms.Form):
    kind = forms.ChoiceField(label=_("Step"), choices=SequenceStep.Kind.choices)
    days = forms.IntegerField(label=_("Days"), min_value=0, required=False)
    hours = forms.IntegerField(label=_("Hours"), min_value=0, required=False)
    test = forms.ChoiceField(label=_("Condition"), choices=TESTS, required=False)
    value = forms.CharField(label=_("Tag, stage or field"), max_length=100, required=False)
    equals = forms.CharField(label=_("Equals"), max_length=200, required=False)
    yes = forms.CharField(label=_("If yes, go to step"), max_length=5, required=False)
    no = forms.CharField(label=_("If no, go to step (or stop)"), max_length=5, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=500, required=False)
    html = forms.CharField(label=_("HTML body"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    tag = forms.CharField(label=_("Tag"), max_length=50, required=False)
    stage = forms.ChoiceField(label=_("Stage"), choices=[("", "—"), *Stage.choices], required=False)
    text = forms.CharField(label=_("Note"), max_length=2000, required=False)
    then = forms.CharField(label=_("Then go to step (or stop)"), max_length=5, required=False)

    def config(self) -> dict:
        """The step's config from the fields its kind uses."""
        data, kind = self.cleaned_data, self.cleaned_data["kind"]
        picks = {
            "wait": {"days": data.get("days") or 0, "hours": data.get("hours") or 0},
            "condition": {"test": data.get("test"), "value": data.get("value"), "equals": data.get("equals"),
                          "yes": _target(data.get("yes")), "no": _target(data.get("no"))},
            "email": {"subject": data.get("subject"), "html": data.get("html")},
            "tag": {"tag": data.get("tag")},
            "stage": {"stage": data.get("stage")},
            "notify": {"text": data.get("text")},
        }  # fmt: skip
        config = picks[kind]
        if kind != "condition" and _target(data.get("then")) is not None:
            config["then"] = _target(data.get("then"))
        return config
