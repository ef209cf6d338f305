"""Forms of the roi pages. They parse input only; the services validate and save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from netmark.core.money import CURRENCY_CHOICES
from netmark.positioning.forms import id_choices
from netmark.roi.models import Cost

MANUAL_CHOICES = [
    (kind.value, kind.label) for kind in Cost.Kind if kind not in (Cost.Kind.AD_SPEND, Cost.Kind.AFFILIATE)
]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _optional_id(value):
    return int(value) if value else None


class CostForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MANUAL_CHOICES)
    spent_on = forms.DateField(label=_("Date"), widget=DATE)
    plan_id = forms.ChoiceField(label=_("Promotion"), required=False)
    channel_account_id = forms.ChoiceField(label=_("Channel"), required=False)
    amount = forms.DecimalField(
        label=_("Amount"), required=False, max_digits=14, decimal_places=2, min_value=0
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    role = forms.CharField(label=_("Role"), max_length=100, required=False, help_text=_("People time only."))
    hours = forms.DecimalField(label=_("Hours"), required=False, max_digits=8, decimal_places=2, min_value=0)
    hourly_rate = forms.DecimalField(
        label=_("Hourly rate"), required=False, max_digits=14, decimal_places=2, min_value=0,
        help_text=_("People time: the amount is hours x hourly rate."),
    )  # fmt: skip

    def __init__(self, *args, plans=(), channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan_id"].choices = id_choices(plans, blank="—")
        self.fields["channel_account_id"].choices = id_choices(channels, blank="—")

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data["plan_id"] = _optional_id(data["plan_id"])
        data["channel_account_id"] = _optional_id(data["channel_account_id"])
        if data["kind"] == Cost.Kind.PEOPLE_TIME:
            data.pop("amount")
        else:
            for name in ("hours", "hourly_rate"):
                data.pop(name)
            data["amount"] = "" if data["amount"] is None else data["amount"]
        return {key: value for key, value in data.items() if value is not None or key.endswith("_id")}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Export file"),
        help_text=_(
            "Baidu, Google Ads, Meta Ads, Taobao affiliate or netmark template exports; UTF-8, GBK, UTF-16."
        ),
    )
    currency = forms.ChoiceField(
        label=_("Currency of files that do not name one"), choices=CURRENCY_CHOICES, required=False
    )


class MappingForm(forms.Form):
    platform = forms.CharField(
        label=_("Platform"), max_length=20, help_text=_("baidu, google_ads, meta, taobao, …")
    )
    account = forms.CharField(
        label=_("Account"), max_length=200, required=False, help_text=_("Empty: any account.")
    )
    campaign = forms.CharField(label=_("Campaign"), max_length=300)
    plan_id = forms.ChoiceField(label=_("Promotion"))
    channel_account_id = forms.ChoiceField(label=_("Channel"), required=False)

    def __init__(self, *args, plans=(), channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan_id"].choices = id_choices(plans)
        self.fields["channel_account_id"].choices = id_choices(channels, blank="—")

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data["plan_id"] = int(data["plan_id"])
        data["channel_account_id"] = _optional_id(data["channel_account_id"])
        return data


class RateForm(forms.Form):
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    rate = forms.DecimalField(
        label=_("Rate"), max_digits=18, decimal_places=8, min_value=0,
        help_text=_("Units of the workspace currency for one unit of this currency."),
    )  # fmt: skip
    effective_on = forms.DateField(label=_("Effective from"), widget=DATE)
    source = forms.CharField(
        label=_("Source"), max_length=200, required=False, help_text=_("e.g. 中国银行 中间价")
    )


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To"), required=False, widget=DATE)


class LessonsForm(forms.Form):
    worked = forms.CharField(
        label=_("What worked"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    did_not_work = forms.CharField(
        label=_("What did not work"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    to_change = forms.CharField(
        label=_("What to change next time"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
