"""roi pages: costs (list, manual form, CSV export), the import wizard (upload, preview, apply),
cost mappings and currency rates. Evaluation pages are in ``evaluation_views.py``.

Views parse, call one service and render; ``workspace_page`` and the services check the roles.
"""

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from netmark.core import csvio
from netmark.core.apitools import file_answer
from netmark.core.errors import NetmarkError
from netmark.core.roles import Capability, can
from netmark.planning import services as planning
from netmark.roi import exchange, services
from netmark.roi.forms import CostForm, ImportForm, MappingForm, RateForm
from netmark.roi.models import Cost
from netmark.web.access import workspace_page
from netmark.web.record_pages import delete_page, form_page, int_or_none, submit

PAGE_SIZE = 50


def url(request, name: str, *args) -> str:
    return reverse(f"roi:{name}", args=[request.member.workspace.slug, *args])


def download(data: bytes, filename: str) -> HttpResponse:
    return file_answer(data, "text/csv; charset=utf-8", filename)


def _rights(member) -> dict:
    return {
        "can_execute": can(member, Capability.EXECUTE),
        "can_plan": can(member, Capability.PLAN),
        "can_erase": can(member, Capability.ERASE),
    }


def _cost_filters(request) -> dict:
    unmapped = {"yes": True, "no": False}.get(request.GET.get("unmapped") or "")
    kind = request.GET.get("kind") or None
    return {
        "plan_id": int_or_none(request.GET.get("plan")),
        "kind": kind if kind in Cost.Kind.values else None,
        "unmapped": unmapped,
        "search": (request.GET.get("q") or "")[:100],
    }


@workspace_page()
def cost_list(request):
    workspace = request.member.workspace
    filters = _cost_filters(request)
    costs = services.list_costs(workspace, **filters)
    page_obj = Paginator(costs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page_obj,
        "filters": filters,
        "query": request.GET.urlencode(),
        "plans": services.plans_for_costs(workspace),
        "kinds": Cost.Kind.choices,
        "total": services.total(workspace, costs),
        **_rights(request.member),
    }
    return render(request, "roi/cost_list.html", context)


@workspace_page()
def cost_export(request):
    workspace = request.member.workspace
    return download(exchange.export_costs(workspace, **_cost_filters(request)), f"costs-{workspace.slug}.csv")


def _cost_form(request, cost=None) -> CostForm:
    workspace = request.member.workspace
    initial = {"currency": workspace.currency, "plan_id": request.GET.get("plan", "")}
    if cost is not None:
        initial = {name: getattr(cost, name) for name in CostForm.base_fields if hasattr(cost, name)}
        initial.update({"plan_id": cost.plan_id or "", "channel_account_id": cost.channel_account_id or ""})
    return CostForm(
        request.POST or None,
        initial=initial,
        plans=services.plans_for_costs(workspace),
        channels=planning.list_channel_accounts(workspace),
    )


@workspace_page(Capability.EXECUTE)
def cost_create(request):
    form = _cost_form(request)
    save = lambda _data: services.create_cost(request.member, **form.data_for_service())  # noqa: E731
    return form_page(request, form, save, "roi/cost_form.html", url(request, "cost_list"))


@workspace_page(Capability.EXECUTE)
def cost_edit(request, pk: int):
    cost = services.get_cost(request.member.workspace, pk)
    form = _cost_form(request, cost)

    def save(_data):
        data = form.data_for_service()
        if cost.kind not in services.MANUAL_KINDS:
            data = {key: data[key] for key in ("plan_id", "channel_account_id", "description") if key in data}
        return services.update_cost(request.member, cost.pk, **data)

    return form_page(request, form, save, "roi/cost_form.html", url(request, "cost_list"), {"object": cost})


@workspace_page(Capability.ERASE)
def cost_delete(request, pk: int):
    cost = services.get_cost(request.member.workspace, pk)
    delete = lambda: services.delete_cost(request.member, cost.pk)  # noqa: E731
    return delete_page(request, cost, delete, url(request, "cost_list"), "web/confirm_delete.html")


# The import wizard: upload (a preview is made and kept), look at it, apply whole or row by row.


@workspace_page()
def import_list(request):
    page_obj = Paginator(services.list_imports(request.member.workspace), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "roi/import_list.html", {"page_obj": page_obj, **_rights(request.member)})


@workspace_page(Capability.EXECUTE)
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > csvio.MAX_BYTES:
                raise csvio.CsvError(_("The file is larger than %(limit)d MB.") % {"limit": 20})
            preview = services.preview_import(
                request.member,
                upload.read(),
                filename=upload.name,
                currency=form.cleaned_data["currency"] or None,
            )
        except NetmarkError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(url(request, "import_detail", preview.pk))
    return render(request, "roi/import_upload.html", {"form": form})


@workspace_page()
def import_detail(request, pk: int):
    cost_import = services.get_import(request.member.workspace, pk)
    plans = dict(services.plans_for_costs(request.member.workspace).values_list("pk", "name"))
    outcomes = {"created": _("new"), "updated": _("revised"), "unchanged": _("unchanged")}
    preview = [
        {**line, "plan": plans.get(line.get("plan_id"), ""), "outcome": outcomes.get(line.get("outcome"), "")}
        for line in cost_import.summary.get("preview", [])
    ]
    context = {
        "cost_import": cost_import,
        "summary": cost_import.summary,
        "preview": preview,
        **_rights(request.member),
    }
    return render(request, "roi/import_detail.html", context)


@workspace_page(Capability.EXECUTE)
def import_apply(request, pk: int):
    if request.method != "POST":
        return redirect(url(request, "import_detail", pk))
    try:
        applied = services.apply_import(request.member, pk, partial=request.POST.get("partial") == "1")
    except csvio.ImportFailed as exc:
        flash.error(request, exc.message)
    except NetmarkError as exc:
        flash.error(request, exc.message)
    else:
        summary = applied.summary
        flash.success(
            request,
            _("Imported: %(created)d new, %(updated)d revised, %(unchanged)d same, %(unmapped)d unmapped.")
            % {**summary, "unmapped": summary["unmapped_rows"]},
        )
    return redirect(url(request, "import_detail", pk))


@workspace_page()
def import_errors(request, pk: int):
    cost_import = services.get_import(request.member.workspace, pk)
    return download(exchange.export_import_errors(cost_import), f"import-{cost_import.pk}-errors.csv")


# Mappings and rates


@workspace_page()
def mapping_list(request):
    workspace = request.member.workspace
    context = {"mappings": services.list_mappings(workspace), **_rights(request.member)}
    return render(request, "roi/mapping_list.html", context)


@workspace_page(Capability.EXECUTE)
def mapping_create(request):
    workspace = request.member.workspace
    initial = {name: request.GET.get(name, "") for name in ("platform", "account", "campaign")}
    form = MappingForm(
        request.POST or None,
        initial=initial,
        plans=services.plans_for_costs(workspace),
        channels=planning.list_channel_accounts(workspace),
    )
    save = lambda _data: services.create_mapping(request.member, **form.data_for_service())  # noqa: E731
    return form_page(request, form, save, "roi/mapping_form.html", url(request, "mapping_list"))


@workspace_page(Capability.ERASE)
def mapping_delete(request, pk: int):
    mapping = services.get_mapping(request.member.workspace, pk)
    delete = lambda: services.delete_mapping(request.member, mapping.pk)  # noqa: E731
    return delete_page(request, mapping, delete, url(request, "mapping_list"), "web/confirm_delete.html")


@workspace_page()
def mapping_export(request):
    return download(exchange.export_mappings(request.member.workspace), "cost-mappings.csv")


@workspace_page()
def rate_list(request):
    workspace = request.member.workspace
    form = RateForm(request.POST or None, initial={"currency": "USD"})
    allowed = request.method == "POST" and can(request.member, Capability.PLAN)
    if allowed and submit(form, lambda data: services.create_rate(request.member, **data)) is not None:
        flash.success(request, _("Saved."))
        return redirect(url(request, "rate_list"))
    context = {"rates": services.list_rates(workspace), "form": form, **_rights(request.member)}
    return render(request, "roi/rate_list.html", context)


@workspace_page(Capability.ERASE)
def rate_delete(request, pk: int):
    rate = services.get_rate(request.member.workspace, pk)
    delete = lambda: services.delete_rate(request.member, rate.pk)  # noqa: E731
    return delete_page(request, rate, delete, url(request, "rate_list"), "web/confirm_delete.html")


@workspace_page()
def rate_export(request):
    return download(exchange.export_rates(request.member.workspace), "currency-rates.csv")
