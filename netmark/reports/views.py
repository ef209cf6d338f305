"""Reports pages under ``w/<slug>/reports/``: the list, the form, a report with its runs, a run's
HTML with ECharts, its PDF and its share links. The public share page is in ``public_views.py``."""

from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netmark.core.apitools import file_answer
from netmark.core.errors import Conflict, ValidationFailed
from netmark.core.roles import Capability, can
from netmark.core.scoping import scoped
from netmark.planning.models import Plan
from netmark.reports import delivery, services
from netmark.reports.forms import ReportForm
from netmark.web.access import workspace_page
from netmark.web.record_pages import delete_page, form_page

MAX_RUNS_SHOWN = 50


def _list_url(request) -> str:
    return reverse("reports:report_list", args=[request.member.workspace.slug])


def _report_url(request, report) -> str:
    return reverse("reports:report_detail", args=[request.member.workspace.slug, report.pk])


def _run_url(request, run) -> str:
    return reverse("reports:run_detail", args=[request.member.workspace.slug, run.report_id, run.pk])


@workspace_page()
def report_list(request):
    workspace = request.member.workspace
    reports = list(services.list_reports(workspace))
    latest = {}
    for run in (
        services.list_runs(workspace).filter(report__in=reports).order_by("report_id", "-period_end", "-id")
    ):
        latest.setdefault(run.report_id, run)
    for report in reports:
        report.latest_run = latest.get(report.pk)
    context = {"reports": reports, "can_evaluate": can(request.member, Capability.EVALUATE)}
    return render(request, "reports/report_list.html", context)


def _form(request, report=None) -> ReportForm:
    plans = scoped(Plan, request.member.workspace).order_by("-starts_on", "-id")[:500]
    initial = (
        ReportForm.initial_for(report) if report else {"sections": ["plans", "traffic", "links", "lessons"]}
    )
    return ReportForm(request.POST or None, initial=initial, plans=plans)


@workspace_page(Capability.EVALUATE)
def report_create(request):
    form = _form(request)
    context = {"title": _("New report"), "cancel_url": _list_url(request)}
    return form_page(
        request,
        form,
        lambda data: services.create_report(request.member, **data),
        "reports/report_form.html",
        _list_url(request),
        context,
    )


@workspace_page(Capability.EVALUATE)
def report_edit(request, pk):
    report = services.get_report(request.member.workspace, pk)
    form = _form(request, report)
    context = {"title": report.name, "cancel_url": _report_url(request, report)}
    return form_page(
        request,
        form,
        lambda data: services.update_report(request.member, pk, **data),
        "reports/report_form.html",
        _report_url(request, report),
        context,
    )


@workspace_page(Capability.ERASE)
def report_delete(request, pk):
    report = services.get_report(request.member.workspace, pk)
    return delete_page(
        request,
        report,
        lambda: services.delete_report(request.member, pk),
        _list_url(request),
        "reports/confirm_delete.html",
    )


@workspace_page()
def report_detail(request, pk):
    workspace = request.member.workspace
    report = services.get_report(workspace, pk)
    runs = list(services.list_runs(workspace, report)[:MAX_RUNS_SHOWN])
    for run in runs:
        run.status_label = services.status_text(run)
    context = {
        "report": report,
        "runs": runs,
        "section_titles": services.section_titles(report),
        "can_evaluate": can(request.member, Capability.EVALUATE),
        "can_erase": can(request.member, Capability.ERASE),
    }
    return render(request, "reports/report_detail.html", context)


@require_POST
@workspace_page(Capability.EVALUATE)
def report_run_now(request, pk):
    run = services.request_run(request.member, pk, send=request.POST.get("send") == "1", inline=True)
    return redirect(_run_url(request, run))


def _run(request, pk, run_id):
    report = services.get_report(request.member.workspace, pk)
    return services.get_run(request.member.workspace, run_id, report)


@workspace_page()
def run_detail(request, pk, run_id):
    run = _run(request, pk, run_id)
    shares = list(services.list_shares(request.member.workspace, run))
    for share in shares:
        share.url = services.share_url(share)
    context = {
        "run": run,
        "report": run.report,
        "status_label": services.status_text(run),
        "shares": shares,
        "can_evaluate": can(request.member, Capability.EVALUATE),
    }
    return render(request, "reports/run_detail.html", context)


@workspace_page()
def run_pdf(request, pk, run_id):
    run = services.ready_run(_run(request, pk, run_id))
    return file_answer(bytes(run.pdf), "application/pdf", delivery.attachment_name(run))


@require_POST
@workspace_page(Capability.EVALUATE)
def run_share(request, pk, run_id):
    run = _run(request, pk, run_id)
    try:
        days = int(request.POST.get("days") or 14)
        services.create_share(request.member, run.pk, days=days)
        flash.success(request, _("Share link created: copy it from the list below."))
    except (ValueError, ValidationFailed, Conflict) as exc:
        flash.error(
            request,
            getattr(exc, "fields", {}).get("days") or getattr(exc, "message", _("From 1 to 90 days.")),
        )
    return redirect(_run_url(request, run))


@require_POST
@workspace_page(Capability.EVALUATE)
def share_revoke(request, pk, run_id, share_id):
    run = _run(request, pk, run_id)
    share = services.list_shares(request.member.workspace, run).filter(pk=share_id).first()
    if share is None:
        from django.http import Http404

        raise Http404
    services.revoke_share(request.member, share.pk)
    flash.success(request, _("The share link no longer works."))
    return redirect(_run_url(request, run))
