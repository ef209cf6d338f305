"""The attribution page: a site's conversions credited by every model, side by side, with notes in
plain words on where the models disagree; paths and credit as CSV."""

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netmark.analytics import services as analytics
from netmark.core.apitools import file_answer
from netmark.core.errors import ValidationFailed
from netmark.roi import attribution, journeys, path_files
from netmark.web.access import workspace_page
from netmark.web.record_pages import show_errors

CHART_MODELS = ("first_touch", "last_touch", "linear", "markov", "shapley")


class AttributionForm(forms.Form):
    site = forms.TypedChoiceField(coerce=int, label=gettext_lazy("Site"))
    start = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label=gettext_lazy("From")
    )
    end = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label=gettext_lazy("To")
    )
    goals = forms.CharField(
        max_length=2000,
        initial="event:Purchase",
        label=gettext_lazy("Goals"),
        help_text=gettext_lazy("event:<name> or page:<path pattern>, separated by commas."),
    )
    dimension = forms.ChoiceField(
        choices=[
            ("channel", gettext_lazy("Channel group")),
            ("source", gettext_lazy("Source")),
            ("utm_campaign", gettext_lazy("UTM campaign")),
            ("promotion", gettext_lazy("Promotion")),
        ],
        initial="channel",
        label=gettext_lazy("Touches by"),
    )
    lookback_days = forms.IntegerField(
        min_value=0, max_value=365, initial=30, label=gettext_lazy("Lookback (days)")
    )
    collapse_repeats = forms.BooleanField(required=False, label=gettext_lazy("Count a repeated touch once"))

    def __init__(self, workspace, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(site.pk, site.name) for site in analytics.list_sites(workspace)]

    def goal_list(self) -> list[str]:
        return [goal.strip() for goal in self.cleaned_data["goals"].split(",") if goal.strip()][:20]


def _report(request, form: AttributionForm):
    data = form.cleaned_data
    try:
        return journeys.site_attribution(
            request.member.workspace,
            data["site"],
            data.get("start"),
            data.get("end"),
            form.goal_list(),
            dimension=data["dimension"],
            lookback_days=data["lookback_days"],
            collapse_repeats=data["collapse_repeats"],
            in_words=True,
        )
    except ValidationFailed as error:
        show_errors(form, error, {"goal": "goals"})
        return None


def _form(request) -> AttributionForm:
    data = request.GET.copy() if request.GET else None
    if data is not None:
        data.setdefault("lookback_days", "30")
        data.setdefault("dimension", "channel")
    return AttributionForm(request.member.workspace, data)


def _chart(report, labels) -> dict:
    shares = journeys.shares(report.credit)
    return {
        "categories": list(shares),
        "series": [
            {
                "name": str(labels[model]),
                "data": [f"{shares[channel][model] * 100:.1f}" for channel in shares],
            }
            for model in CHART_MODELS
        ],
    }


@workspace_page()
def attribution_page(request):
    form = _form(request)
    report = _report(request, form) if form.is_bound and form.is_valid() else None
    labels = journeys.model_labels()
    context = {"form": form, "report": report, "labels": [labels[name] for name in attribution.MODEL_NAMES]}
    if report is not None:
        shares = journeys.shares(report.credit)
        context.update(
            rows=[
                {
                    "channel": channel,
                    "cells": [
                        (by_model[name].conversions, shares[channel][name] * 100, by_model[name].value)
                        for name in attribution.MODEL_NAMES
                    ],
                }
                for channel, by_model in report.credit.items()
            ],
            chart=_chart(report, labels),
            top_paths=journeys.top_paths(report.paths),
            query=request.GET.urlencode(),
        )
    return render(
        request, "roi/attribution.html", context, status=200 if report or not form.is_bound else 422
    )


@workspace_page()
def attribution_csv(request, table: str):
    """The page's paths (``paths``) or credit table (``credit``) as CSV."""
    if table not in ("paths", "credit"):
        raise Http404
    form = _form(request)
    report = _report(request, form) if form.is_bound and form.is_valid() else None
    if report is None:
        problems = "; ".join(f"{name}: {errors[0]}" for name, errors in form.errors.items())
        return HttpResponse(
            problems or _("Choose a site and goals first."), status=422, content_type="text/plain"
        )
    if table == "paths":
        return file_answer(path_files.paths_csv(report.paths.paths), "text/csv; charset=utf-8", "paths.csv")
    return file_answer(path_files.credit_csv(report.credit), "text/csv; charset=utf-8", "attribution.csv")
