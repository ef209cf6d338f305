"""Forms of the planning pages: channel accounts and plans (with channel budget and KPI target rows).

They parse input and build the recurrence rule from a preset; the services validate and save.
"""

import re

from django import forms
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from netmark.core.kpis import all_kpis
from netmark.core.money import CURRENCY_CHOICES
from netmark.planning.models import ChannelType, Plan
from netmark.positioning.forms import id_choices

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WEEKDAYS = [
    ("MO", _("Monday")),
    ("TU", _("Tuesday")),
    ("WE", _("Wednesday")),
    ("TH", _("Thursday")),
    ("FR", _("Friday")),
    ("SA", _("Saturday")),
    ("SU", _("Sunday")),
]
SCHEDULES = [
    ("once", _("One-off")),
    ("weekly", _("Every week")),
    ("monthly", _("Every month")),
    ("custom", _("Custom rule (RRULE)")),
]
WEEKLY_RULE = re.compile(r"^FREQ=WEEKLY;BYDAY=(MO|TU|WE|TH|FR|SA|SU);COUNT=(\d+)$")
MONTHLY_RULE = "FREQ=MONTHLY"


def channel_type_choices(channel_types) -> list:
    """The catalogue grouped by kind (paid / owned / earned), names in the UI language."""
    language = get_language()
    groups = []
    for kind, kind_label in ChannelType.Kind.choices:
        options = [(row.code, row.display_name(language)) for row in channel_types if row.kind == kind]
        if options:
            groups.append((kind_label, options))
    return groups


class ChannelAccountForm(forms.Form):
    channel_type = forms.ChoiceField(label=_("Channel type"))
    name = forms.CharField(label=_("Name"), max_length=200)
    handle = forms.CharField(label=_("Account or URL"), max_length=300, required=False)
    monthly_budget = forms.DecimalField(label=_("Monthly budget"), initial=0, max_digits=14, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="CNY")
    monthly_hours = forms.DecimalField(
        label=_("People-hours per month"), initial=0, max_digits=7, decimal_places=1
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, channel_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel_type"].choices = channel_type_choices(list(channel_types))

    @staticmethod
    def initial_for(account) -> dict:
        fields = ["name", "handle", "monthly_budget", "currency", "monthly_hours", "is_active", "notes"]
        return {
            "channel_type": account.channel_type.code,
            **{name: getattr(account, name) for name in fields},
        }


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    objective = forms.CharField(
        label=_("Objective"),
        help_text=_("What this promotion must achieve, and for whom."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE_INPUT)
    product_id = forms.ChoiceField(label=_("Product"), required=False)
    audience_id = forms.ChoiceField(label=_("Audience"), required=False)
    message_id = forms.ChoiceField(label=_("Message"), required=False)
    owner_id = forms.ChoiceField(label=pgettext_lazy("plan", "Owner"), required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    status = forms.ChoiceField(label=_("Status"), choices=Plan.Status.choices, initial=Plan.Status.DRAFT)
    utm_campaign = forms.CharField(label=_("UTM campaign"), max_length=100, required=False)
    schedule = forms.ChoiceField(
        label=_("Schedule"), choices=SCHEDULES, initial="once", widget=forms.RadioSelect
    )
    weekday = forms.ChoiceField(label=_("Weekday"), choices=WEEKDAYS, required=False)
    weeks = forms.IntegerField(label=_("For how many weeks"), min_value=1, max_value=500, required=False)
    rrule = forms.CharField(
        label=_("Recurrence rule"),
        max_length=300,
        required=False,
        help_text=_("RFC 5545 RRULE without DTSTART, e.g. FREQ=WEEKLY;BYDAY=MO,TH;COUNT=8."),
    )

    REFERENCES = ("product_id", "audience_id", "message_id", "owner_id")

    def __init__(self, *args, products=(), audiences=(), messages=(), members=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_id"].choices = id_choices(products, blank=_("(none)"))
        self.fields["audience_id"].choices = id_choices(audiences, blank=_("(none)"))
        self.fields["message_id"].choices = id_choices(messages, blank=_("(none)"))
        self.fields["owner_id"].choices = [("", _("(none)"))] + [(str(m.pk), m.label) for m in members]
        if editing:
            # After creation the status moves with the status buttons (and the daily job).
            del self.fields["status"]

    def clean(self):
        data = super().clean()
        schedule = data.get("schedule")
        if schedule == "weekly":
            for name in ("weekday", "weeks"):
                if not data.get(name):
                    self.add_error(name, _("Needed for a weekly schedule."))
            data["recurrence"] = f"FREQ=WEEKLY;BYDAY={data.get('weekday')};COUNT={data.get('weeks')}"
        elif schedule == "monthly":
            data["recurrence"] = MONTHLY_RULE
        elif schedule == "custom":
            data["recurrence"] = (data.get("rrule") or "").strip()
            if not data["recurrence"]:
                self.add_error("rrule", _("Write a rule, or choose another schedule."))
        else:
            data["recurrence"] = ""
        return data

    def error_aliases(self) -> dict:
        """Service field names that this form shows on another field."""
        recurrence_field = "rrule" if self.cleaned_data.get("schedule") == "custom" else "schedule"
        return {
            "recurrence": recurrence_field,
            "product": "product_id",
            "audience": "audience_id",
            "message": "message_id",
            "owner": "owner_id",
        }

    def data_for_service(self) -> dict:
        data = {
            name: self.cleaned_data[name]
            for name in (
                "name",
                "objective",
                "starts_on",
                "ends_on",
                "currency",
                "utm_campaign",
                "recurrence",
            )
        }
        if "status" in self.fields:
            data["status"] = self.cleaned_data["status"]
        for name in self.REFERENCES:
            data[name] = int(self.cleaned_data[name]) if self.cleaned_data.get(name) else None
        return data

    @staticmethod
    def initial_for(plan: Plan) -> dict:
        fields = ["name", "objective", "starts_on", "ends_on", "currency", "utm_campaign"]
        initial = {name: getattr(plan, name) for name in fields}
        for name in PlanForm.REFERENCES:
            initial[name] = getattr(plan, name)
        initial.update(schedule_initial(plan.recurrence))
        return initial


def schedule_initial(recurrence: str) -> dict:
    """The preset that produced ``recurrence``, or the custom rule field holding it."""
    if not recurrence:
        return {"schedule": "once"}
    weekly = WEEKLY_RULE.match(recurrence)
    if weekly:
        return {"schedule": "weekly", "weekday": weekly.group(1), "weeks": int(weekly.group(2))}
    if recurrence == MONTHLY_RULE:
        return {"schedule": "monthly"}
    return {"schedule": "custom", "rrule": recurrence}


class ChannelRowForm(forms.Form):
    channel_account_id = forms.ChoiceField(
        label=_("Channel"), widget=forms.Select(attrs={"aria-label": _("Channel")})
    )
    budget = forms.DecimalField(
        label=_("Budget"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"aria-label": _("Budget"), "step": "0.01"}),
    )

    def __init__(self, *args, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel_account_id"].choices = id_choices(accounts, blank="---------")


class TargetRowForm(forms.Form):
    kpi = forms.ChoiceField(label=_("KPI"), widget=forms.Select(attrs={"aria-label": _("KPI")}))
    target = forms.DecimalField(
        label=_("Expected value"),
        max_digits=16,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"aria-label": _("Expected value"), "step": "any"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].choices = [("", "---------")] + [(kpi.name, kpi.label) for kpi in all_kpis()]


class Rows(forms.BaseFormSet):
    """Rows added and removed in the page: every row is optional (a blank one is ignored), and an
    unbound set shows its initial rows or one blank row to start from."""

    def initial_form_count(self) -> int:
        return 0

    def total_form_count(self) -> int:
        if self.is_bound:
            return super().total_form_count()
        return max(len(self.initial or []), 1)


MAX_ROWS = 50
ChannelRows = forms.formset_factory(
    ChannelRowForm, formset=Rows, extra=0, can_delete=True, max_num=MAX_ROWS, absolute_max=MAX_ROWS
)
TargetRows = forms.formset_factory(
    TargetRowForm, formset=Rows, extra=0, can_delete=True, max_num=MAX_ROWS, absolute_max=MAX_ROWS
)


def filled_rows(formset) -> list[tuple[forms.Form, dict]]:
    """The filled, not removed rows of a valid formset with their forms, ids as integers.

    The services number rows in this order (``channels.0.budget``), so errors map back to the form.
    """
    rows = []
    for form in formset.forms:
        row = dict(form.cleaned_data)
        if not row or row.pop("DELETE", False):
            continue
        if "channel_account_id" in row:
            row["channel_account_id"] = int(row["channel_account_id"])
        rows.append((form, row))
    return rows
