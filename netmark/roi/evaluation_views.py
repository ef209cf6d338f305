"""roi evaluation pages: a promotion's evaluation (KPIs against targets, money, channels, lessons
of similar promotions, the trend across occurrences), channel performance over a period, and the
evaluation records where owners write their lessons."""

import datetime

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from netmark.core.errors import NetmarkError
from netmark.core.roles import Capability, can
from netmark.roi import exchange, services
from netmark.roi.forms import LessonsForm, PeriodForm
from netmark.roi.views import PAGE_SIZE, download, url
from netmark.web.access import workspace_page
from netmark.web.record_pages import int_or_none

MAX_PERIOD_DAYS = 3660


def _chart(rows, label_key: str, series: list[tuple[str, str]]) -> dict:
    """The bar chart data web/charts.js reads (values as strings; None as 0)."""
    return {
        "categories": [str(row[label_key] or _("No channel")) for row in rows],
        "series": [{"name": name, "data": [str(row[key] or 0) for row in rows]} for key, name in series],
    }


def _period(request, first, last):
    form = PeriodForm(request.GET or None)
    if form.is_valid():
        first = form.cleaned_data["start"] or first
        last = form.cleaned_data["end"] or last
    if first > last or (last - first).days > MAX_PERIOD_DAYS:
        flash.error(request, _("Choose a first day on or before the last day, at most ten years apart."))
        first = last
    return form, first, last


@workspace_page()
def plan_evaluation(request, pk: int):
    workspace = request.member.workspace
    plan = services.get_plan(workspace, pk)
    form, first, last = _period(request, plan.starts_on, plan.ends_on)
    result = services.evaluate_plan(plan, first=first, last=last)
    channel_chart = _chart(result["channels"], "name", [("cost", _("Cost")), ("revenue", _("Revenue"))])
    context = {
        "plan": plan,
        "form": form,
        "result": result,
        "channel_chart": channel_chart,
        "kpi_chart": _kpi_chart(result["kpis"]),
        "evaluations": services.list_evaluations(workspace, plan_id=plan.pk),
        "trend": services.occurrence_trend(workspace, plan),
        "similar": services.similar_lessons(workspace, plan),
        "can_evaluate": can(request.member, Capability.EVALUATE, owner_id=plan.owner_id),
        "query": request.GET.urlencode(),
    }
    return render(request, "roi/plan_evaluation.html", context)


def _kpi_chart(rows) -> dict:
    measured = [row for row in rows if row["percent"] is not None]
    return {
        "categories": [row["label"] for row in measured],
        "series": [{"name": _("Percent of target"), "data": [str(row["percent"]) for row in measured]}],
    }


@workspace_page()
def plan_evaluation_export(request, pk: int):
    plan = services.get_plan(request.member.workspace, pk)
    _form, first, last = _period(request, plan.starts_on, plan.ends_on)
    result = services.evaluate_plan(plan, first=first, last=last)
    return download(exchange.export_evaluation(result), f"evaluation-{plan.pk}.csv")


@workspace_page()
def plan_evaluations_create(request, pk: int):
    if request.method == "POST":
        try:
            created = services.create_plan_evaluations(request.member, pk)
        except NetmarkError as exc:
            flash.error(request, exc.message)
        else:
            flash.success(request, _("%(count)d evaluation(s) to write.") % {"count": len(created)})
    return redirect(url(request, "plan_evaluation", pk))


def _default_period():
    today = datetime.date.today()
    return today - datetime.timedelta(days=29), today


@workspace_page()
def channel_performance(request):
    form, first, last = _period(request, *_default_period())
    report = services.channel_performance(request.member.workspace, first, last)
    chart = _chart(report["channels"], "name", [("cost", _("Cost")), ("revenue", _("Revenue"))])
    context = {"form": form, "report": report, "chart": chart, "query": request.GET.urlencode()}
    return render(request, "roi/channel_performance.html", context)


@workspace_page()
def channel_performance_export(request):
    _form, first, last = _period(request, *_default_period())
    report = services.channel_performance(request.member.workspace, first, last)
    return download(exchange.export_channel_performance(report), "channel-performance.csv")


def _evaluation_filters(request) -> dict:
    status = request.GET.get("status") or None
    return {
        "plan_id": int_or_none(request.GET.get("plan")),
        "status": status if status in {"open", "done"} else None,
        "search": (request.GET.get("q") or "")[:100],
    }


@workspace_page()
def evaluation_list(request):
    filters = _evaluation_filters(request)
    evaluations = services.list_evaluations(request.member.workspace, **filters)
    page_obj = Paginator(evaluations, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page_obj, "filters": filters, "query": request.GET.urlencode()}
    return render(request, "roi/evaluation_list.html", context)


@workspace_page()
def evaluation_export(request):
    data = exchange.export_evaluations(request.member.workspace, **_evaluation_filters(request))
    return download(data, "evaluations.csv")


@workspace_page()
def evaluation_detail(request, pk: int):
    evaluation = services.get_evaluation(request.member.workspace, pk)
    allowed = can(request.member, Capability.EVALUATE, owner_id=evaluation.plan.owner_id)
    initial = {name: getattr(evaluation, name) for name in ("worked", "did_not_work", "to_change")}
    form = LessonsForm(request.POST or None, initial=initial)
    if request.method == "POST" and allowed and form.is_valid():
        try:
            services.write_lessons(request.member, evaluation.pk, **form.cleaned_data)
        except NetmarkError as exc:
            form.add_error(None, exc.message)
        else:
            flash.success(request, _("Saved."))
            return redirect(url(request, "evaluation_detail", evaluation.pk))
    numbers = evaluation.numbers or {}
    context = {
        "evaluation": evaluation,
        "form": form,
        "can_evaluate": allowed,
        "money": numbers.get("money", {}),
        "kpis": numbers.get("kpis", []),
    }
    return render(request, "roi/evaluation_detail.html", context)


MAX_ACCOUNTS = 50


@workspace_page()
def similar_lessons(request):
    """The plan form's "lessons from similar promotions" panel: it sends the whole form (htmx) as it
    changes, and the product, audience and channel accounts chosen so far pick the lessons."""
    query = request.GET
    accounts = [
        number
        for key, value in query.items()
        if key.startswith("channels-") and key.endswith("-channel_account_id")
        and (number := int_or_none(value)) is not None
    ][:MAX_ACCOUNTS]  # fmt: skip
    product, audience = int_or_none(query.get("product_id")), int_or_none(query.get("audience_id"))
    lessons = []
    if product or audience or accounts:
        lessons = services.lessons_like(
            request.member.workspace,
            product_id=product,
            audience_id=audience,
            account_ids=accounts,
            exclude_plan_id=int_or_none(query.get("plan")),
            limit=5,
        )
    return render(
        request,
        "roi/_similar_lessons.html",
        {"lessons": lessons, "asked": bool(product or audience or accounts)},
    )
