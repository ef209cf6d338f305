"""The report definition form: the same fields as the API, checked again by the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from netmark.reports.models import Report
from netmark.reports.sections import all_sections

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class ReportForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Report.Kind.choices)
    sections = forms.MultipleChoiceField(label=_("Sections"), widget=forms.CheckboxSelectMultiple)
    language = forms.ChoiceField(label=_("Language"), choices=Report.Language.choices)
    recipients = forms.CharField(
        label=_("Recipients"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Email addresses, one per line or separated by commas."),
    )
    weekday = forms.TypedChoiceField(label=_("Weekly: sent on"), choices=WEEKDAYS, coerce=int, initial=0)
    month_day = forms.IntegerField(label=_("Monthly: day of the month"), min_value=1, max_value=28, initial=1)
    send_time = forms.TimeField(label=_("At (workspace time)"), initial="08:00")
    plan_id = forms.TypedChoiceField(
        label=_("Promotion (per-promotion reports)"), required=False, coerce=int, empty_value=None
    )
    is_active = forms.BooleanField(label=_("Send on schedule"), required=False, initial=True)

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = [(section.key, section.title) for section in all_sections()]
        self.fields["plan_id"].choices = [("", "—")] + [(plan.pk, plan.name) for plan in plans]

    @staticmethod
    def initial_for(report: Report) -> dict:
        return {
            "name": report.name,
            "kind": report.kind,
            "sections": report.sections,
            "language": report.language,
            "recipients": "\n".join(report.recipients),
            "weekday": report.weekday,
            "month_day": report.month_day,
            "send_time": report.send_time,
            "plan_id": report.plan_id,
            "is_active": report.is_active,
        }

    def clean_recipients(self) -> list[str]:
        raw = self.cleaned_data.get("recipients") or ""
        return [
            part.strip() for part in raw.replace(",", "\n").replace("，", "\n").splitlines() if part.strip()
        ]
