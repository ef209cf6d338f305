"""The channel planner page: choose an audience (and product), see three to five channels with their
reasons and what was left out, and start a draft plan from them."""

from django import forms
from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from netmark.core.errors import ValidationFailed
from netmark.core.roles import Capability, can
from netmark.core.scoping import scoped
from netmark.planning import services
from netmark.positioning.models import Audience, Product
from netmark.web.access import workspace_page
from netmark.web.record_pages import show_errors


class PlannerForm(forms.Form):
    audience = forms.ModelChoiceField(queryset=Audience.unscoped.none(), label=gettext_lazy("Audience"))
    product = forms.ModelChoiceField(
        queryset=Product.unscoped.none(), required=False, label=gettext_lazy("Product")
    )
    monthly_budget = forms.DecimalField(
        required=False, min_value=0, max_digits=14, decimal_places=2, label=gettext_lazy("Monthly budget")
    )
    monthly_hours = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=1,
        label=gettext_lazy("People-hours per month"),
    )

    def __init__(self, workspace, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].queryset = scoped(Audience, workspace)
        self.fields["product"].queryset = scoped(Product, workspace)
        hint = gettext_lazy("Empty: what your active channels get each month.")
        self.fields["monthly_budget"].help_text = hint
        self.fields["monthly_hours"].help_text = hint


class StartPlanForm(forms.Form):
    name = forms.CharField(max_length=200, label=gettext_lazy("Name"))
    objective = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("Objective"))
    starts_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label=gettext_lazy("Starts on")
    )
    ends_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=gettext_lazy("Ends on"))


def _advice(form: PlannerForm) -> dict:
    data = form.cleaned_data
    return {
        "audience_id": data["audience"].pk,
        "product_id": data["product"].pk if data.get("product") else None,
        "monthly_budget": data.get("monthly_budget"),
        "monthly_hours": data.get("monthly_hours"),
    }


def _left_out(recommendation) -> tuple[list[str], list[tuple[str, str]]]:
    """Channels the audience does not use (one line of names) and the others with their reasons."""
    if recommendation is None:
        return [], []
    absent_reason = _("The audience does not spend time there.")
    absent = [name for _code, name, why in recommendation.left_out if why == absent_reason]
    others = [(name, why) for _code, name, why in recommendation.left_out if why != absent_reason]
    return absent, others


def _recommend(request, form: PlannerForm):
    try:
        return services.recommend_channels(request.member.workspace, **_advice(form))
    except ValidationFailed as error:
        show_errors(form, error)
        return None


@workspace_page()
def planner(request):
    workspace = request.member.workspace
    form = PlannerForm(workspace, request.GET or None)
    recommendation = _recommend(request, form) if form.is_bound and form.is_valid() else None
    absent, left_out = _left_out(recommendation)
    context = {
        "form": form,
        "recommendation": recommendation,
        "absent": absent,
        "left_out": left_out,
        "start_form": StartPlanForm(),
        "can_plan": can(request.member, Capability.PLAN),
        "query": request.GET.urlencode(),
        "no_audiences": not scoped(Audience, workspace).exists(),
    }
    return render(request, "planning/planner.html", context)


@require_POST
@workspace_page(Capability.PLAN)
def planner_start(request):
    workspace = request.member.workspace
    advice_form = PlannerForm(workspace, request.GET)
    start_form = StartPlanForm(request.POST)
    recommendation = _recommend(request, advice_form) if advice_form.is_valid() else None
    if recommendation is not None and start_form.is_valid():
        try:
            advice = _advice(advice_form)
            plan = services.plan_from_recommendation(
                request.member,
                recommendation,
                audience_id=advice["audience_id"],
                product_id=advice["product_id"],
                **start_form.cleaned_data,
            )
        except ValidationFailed as error:
            show_errors(start_form, error)
        else:
            flash.success(request, _("A draft plan was started on the recommended channels."))
            return redirect(reverse("planning:plan_edit", args=[workspace.slug, plan.pk]))
    absent, left_out = _left_out(recommendation)
    context = {
        "form": advice_form,
        "recommendation": recommendation,
        "absent": absent,
        "left_out": left_out,
        "start_form": start_form,
        "can_plan": True,
        "query": request.GET.urlencode(),
    }
    return render(request, "planning/planner.html", context, status=422)
