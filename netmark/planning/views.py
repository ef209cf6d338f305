"""Plan pages: list, detail (expected against actual, occurrences, status, lessons), form, delete.

Channel pages are in ``channel_views.py``, the calendar in ``calendar_views.py``. Views parse,
call one service and render; ``workspace_page`` and the services check the role table.
"""

from decimal import Decimal

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netmark.core.errors import Conflict, ValidationFailed
from netmark.core.kpis import all_kpis
from netmark.core.models import Member
from netmark.core.roles import Capability, can
from netmark.core.scoping import scoped
from netmark.planning import services
from netmark.planning.forms import ChannelRows, PlanForm, TargetRows, filled_rows
from netmark.planning.models import Occurrence, Plan, PlanChannel
from netmark.positioning import services as positioning
from netmark.web.access import workspace_page
from netmark.web.record_pages import int_or_none, show_errors

PAGE_SIZE = 50
OCCURRENCES_SHOWN = 60


def _plan_url(request, plan) -> str:
    return reverse("planning:plan_detail", args=[request.member.workspace.slug, plan.pk])


def _members(workspace):
    return scoped(Member, workspace).select_related("user")


@workspace_page()
def plan_list(request):
    workspace = request.member.workspace
    status = request.GET.get("status") or None
    search = (request.GET.get("q") or "").strip() or None
    owner_id = int_or_none(request.GET.get("owner"))
    plans = services.list_plans(workspace, status=status, search=search, owner_id=owner_id).select_related(
        "owner__user", "product", "audience"
    )
    page_obj = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = {kpi.name: str(kpi.label) for kpi in all_kpis()}
    for plan in page_obj:
        plan.kpi_labels = [labels.get(target.kpi, target.kpi) for target in plan.targets.all()]
    context = {
        "page_obj": page_obj,
        "statuses": Plan.Status.choices,
        "members": _members(workspace),
        "status": status or "",
        "q": search or "",
        "owner_id": owner_id,
        "can_plan": can(request.member, Capability.PLAN),
    }
    return render(request, "planning/plan_list.html", context)


def _kpi_rows(plan) -> list[dict]:
    """Expected against actual, with actual / expected in percent where both are known."""
    rows = []
    for row in services.expected_vs_actual(plan):
        attainment = None
        if row.actual is not None and row.expected:
            attainment = Decimal(str(row.actual)) / row.expected * 100
        rows.append({**vars(row), "attainment": attainment})
    return rows


def _detail_context(request, plan, lessons_error: str = "") -> dict:
    workspace = request.member.workspace
    member = request.member
    language = get_language() or "en"
    channels = list(
        scoped(PlanChannel, workspace).filter(plan=plan).select_related("channel_account__channel_type")
    )
    for row in channels:
        row.type_name = row.channel_account.channel_type.display_name(language)
    occurrences = list(scoped(Occurrence, workspace).filter(plan=plan)[:OCCURRENCES_SHOWN])
    return {
        "plan": plan,
        "channels": channels,
        "kpi_rows": _kpi_rows(plan),
        "occurrences": occurrences,
        "more_occurrences": max(0, plan.occurrence_count - len(occurrences)),
        "statuses": Plan.Status.choices,
        "feed_url": services.calendar_feed_url(workspace),
        "can_plan": can(member, Capability.PLAN),
        "can_erase": can(member, Capability.ERASE),
        "can_evaluate": can(member, Capability.EVALUATE, owner_id=plan.owner_id),
        "lessons_error": lessons_error,
    }


def _get_plan(request, pk) -> Plan:
    return services.get_plan(request.member.workspace, pk)


@workspace_page()
def plan_detail(request, pk: int):
    plan = _get_plan(request, pk)
    return render(request, "planning/plan_detail.html", _detail_context(request, plan))


def _plan_form_page(request, plan: Plan | None):
    workspace = request.member.workspace
    data = request.POST if request.method == "POST" else None
    accounts = list(services.list_channel_accounts(workspace))
    form = PlanForm(
        data,
        initial=PlanForm.initial_for(plan)
        if plan
        else {"owner_id": request.member.pk, "currency": workspace.currency},
        products=positioning.list_products(workspace),
        audiences=positioning.list_audiences(workspace),
        messages=positioning.list_messages(workspace),
        members=_members(workspace),
        editing=plan is not None,
    )
    channel_rows = ChannelRows(
        data,
        prefix="channels",
        initial=[
            {"channel_account_id": row.channel_account_id, "budget": row.budget}
            for row in plan.channels.all()
        ]
        if plan
        else None,
        form_kwargs={"accounts": accounts},
    )
    target_rows = TargetRows(
        data,
        prefix="targets",
        initial=[{"kpi": row.kpi, "target": row.target.normalize()} for row in plan.targets.all()]
        if plan
        else None,
    )
    if data is not None:
        saved = _save_plan(request.member, plan, form, channel_rows, target_rows)
        if saved is not None:
            flash.success(request, _("Plan saved."))
            return redirect(_plan_url(request, saved))
    context = {
        "form": form,
        "channel_rows": channel_rows,
        "target_rows": target_rows,
        "plan": plan,
        "has_accounts": bool(accounts),
    }
    return render(request, "planning/plan_form.html", context)


def _save_plan(member, plan, form, channel_rows, target_rows):
    """Saves through the services; None with errors on the forms when something is wrong."""
    if not all([form.is_valid(), channel_rows.is_valid(), target_rows.is_valid()]):
        return None
    rows = {"channels": filled_rows(channel_rows), "targets": filled_rows(target_rows)}
    data = {**form.data_for_service(), **{key: [row for _form, row in pairs] for key, pairs in rows.items()}}
    try:
        if plan is None:
            return services.create_plan(member, **data)
        return services.update_plan(member, plan.pk, **data)
    except (ValidationFailed, Conflict) as exc:
        _show_plan_errors(form, rows, exc)
        return None


def _show_plan_errors(form, rows: dict, exc) -> None:
    """Row errors (``channels.2.budget``) go on their row; the others on the plan form."""
    plan_errors = {}
    for key, message in exc.fields.items():
        group, _dot, rest = key.partition(".")
        index, _dot, field = rest.partition(".")
        if group in rows and index.isdigit() and int(index) < len(rows[group]):
            row_form = rows[group][int(index)][0]
            row_form.add_error(field if field in row_form.fields else None, message)
        else:
            plan_errors[key] = message
    if plan_errors or not exc.fields:
        show_errors(form, type(exc)(exc.message, fields=plan_errors), form.error_aliases())


@workspace_page(Capability.PLAN)
def plan_create(request):
    return _plan_form_page(request, None)


@workspace_page(Capability.PLAN)
def plan_edit(request, pk: int):
    return _plan_form_page(request, _get_plan(request, pk))


@workspace_page(Capability.ERASE)
def plan_delete(request, pk: int):
    plan = _get_plan(request, pk)
    list_url = reverse("planning:plan_list", args=[request.member.workspace.slug])
    if request.method == "POST":
        services.delete_plan(request.member, plan.pk)
        flash.success(request, _("Deleted “%(name)s”.") % {"name": plan})
        return redirect(list_url)
    note = _("Its channel budgets, expected results and occurrences are deleted with it.")
    context = {"object": plan, "cancel_url": _plan_url(request, plan), "note": note}
    return render(request, "planning/confirm_delete.html", context)


@require_POST
@workspace_page(Capability.PLAN)
def plan_status(request, pk: int):
    """A status button. With HTMX the status block is swapped in place; without, the page reloads."""
    plan = _get_plan(request, pk)
    try:
        plan = services.set_plan_status(request.member, plan.pk, request.POST.get("status", ""))
    except ValidationFailed as exc:
        flash.error(request, " ".join(exc.fields.values()) or exc.message)
    if request.htmx:
        context = {"plan": plan, "statuses": Plan.Status.choices, "can_plan": True}
        return render(request, "planning/_plan_status.html", context)
    return redirect(_plan_url(request, plan))


@require_POST
@workspace_page()
def plan_lessons(request, pk: int):
    """Lessons learned: the service checks EVALUATE against the plan's owner."""
    plan = _get_plan(request, pk)
    try:
        services.record_lessons(request.member, plan.pk, request.POST.get("lessons_learned", ""))
    except ValidationFailed as exc:
        plan.lessons_learned = request.POST.get("lessons_learned", "")
        error = exc.fields.get("lessons_learned") or exc.message
        return render(request, "planning/plan_detail.html", _detail_context(request, plan, error), status=422)
    flash.success(request, _("Lessons saved."))
    return redirect(_plan_url(request, plan))


def _row_partial(request, formset_class, prefix: str, template: str, form_kwargs=None):
    """One blank row for the plan form (HTMX), numbered after the rows already on the page."""
    index = int_or_none(request.GET.get(f"{prefix}-TOTAL_FORMS")) or 0
    index = max(0, min(index, formset_class.absolute_max - 1))
    formset = formset_class(prefix=prefix, form_kwargs=form_kwargs or {})
    row = formset.form(
        auto_id=formset.auto_id,
        prefix=formset.add_prefix(index),
        empty_permitted=True,
        use_required_attribute=False,
        **formset.get_form_kwargs(index),
    )
    formset.add_fields(row, index)
    context = {"row": row, "prefix": prefix, "total": index + 1}
    return render(request, template, context)


@workspace_page(Capability.PLAN)
def channel_row(request):
    accounts = services.list_channel_accounts(request.member.workspace)
    return _row_partial(
        request, ChannelRows, "channels", "planning/_channel_row_new.html", {"accounts": accounts}
    )


@workspace_page(Capability.PLAN)
def target_row(request):
    return _row_partial(request, TargetRows, "targets", "planning/_target_row_new.html")
