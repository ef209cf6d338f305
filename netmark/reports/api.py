"""Reports API: definitions, runs (run now, HTML, PDF) and client share links."""

from django.http import HttpResponse
from ninja import Router, Status
from ninja.pagination import paginate

from netmark.core.apitools import file_answer, given
from netmark.core.apitypes import ErrorOut, responses
from netmark.core.errors import NotFound
from netmark.core.pagination import Page
from netmark.core.roles import Capability, require
from netmark.reports import delivery, services
from netmark.reports.schemas import (
    ReportIn,
    ReportOut,
    ReportPatch,
    RunNowIn,
    RunOut,
    SectionOut,
    ShareIn,
    ShareOut,
)
from netmark.reports.sections import all_sections

router = Router(tags=["reports"])


def _file(media_type: str) -> dict:
    schema = {"type": "string", "format": "binary"} if media_type == "application/pdf" else {"type": "string"}
    return {"responses": {200: {"content": {media_type: {"schema": schema}}}}}


def _share_out(share) -> dict:
    return {
        "id": share.pk,
        "run_id": share.run_id,
        "report_name": share.run.report.name,
        "url": services.share_url(share),
        "expires_at": share.expires_at,
        "revoked_at": share.revoked_at,
    }


@router.get("/report-sections", response=responses({200: list[SectionOut]}))
def list_sections(request):
    require(request.member, Capability.READ)
    return [{"key": section.key, "title": str(section.title)} for section in all_sections()]


@router.get("/reports", response=responses({200: list[ReportOut]}))
@paginate(Page)
def list_reports(request):
    require(request.member, Capability.READ)
    return services.list_reports(request.member.workspace)


@router.post("/reports", response=responses({201: ReportOut}))
def create_report(request, payload: ReportIn):
    data = payload.model_dump()
    if data["sections"] is None:
        del data["sections"]
    return Status(201, services.create_report(request.member, **data))


@router.get("/reports/{report_id}", response=responses({200: ReportOut}))
def get_report(request, report_id: int):
    require(request.member, Capability.READ)
    return services.get_report(request.member.workspace, report_id)


@router.patch("/reports/{report_id}", response=responses({200: ReportOut}))
def update_report(request, report_id: int, payload: ReportPatch):
    return services.update_report(request.member, report_id, **given(payload))


@router.delete("/reports/{report_id}", response=responses({204: None}))
def delete_report(request, report_id: int):
    services.delete_report(request.member, report_id)
    return Status(204, None)


@router.get("/reports/{report_id}/runs", response=responses({200: list[RunOut]}))
@paginate(Page)
def list_runs(request, report_id: int):
    require(request.member, Capability.READ)
    report = services.get_report(request.member.workspace, report_id)
    return services.list_runs(request.member.workspace, report)


@router.post("/reports/{report_id}/runs", response=responses({201: RunOut}))
def run_now(request, report_id: int, payload: RunNowIn):
    """Runs the report over its last complete period: rendered before the answer, or queued (``wait``
    false: the answer is pending; poll the run)."""
    run = services.request_run(request.member, report_id, send=payload.send, inline=payload.wait)
    return Status(201, run)


def _run(request, report_id: int, run_id: int):
    require(request.member, Capability.READ)
    report = services.get_report(request.member.workspace, report_id)
    return services.get_run(request.member.workspace, run_id, report)


@router.get("/reports/{report_id}/runs/{run_id}", response=responses({200: RunOut}))
def get_run(request, report_id: int, run_id: int):
    return _run(request, report_id, run_id)


@router.get(
    "/reports/{report_id}/runs/{run_id}/html",
    response=responses({200: None}),
    openapi_extra=_file("text/html"),
)
def run_html(request, report_id: int, run_id: int):
    """The report's HTML fragment (charts as SVG); 404 until the run is done."""
    run = services.ready_run(_run(request, report_id, run_id))
    return HttpResponse(run.html, content_type="text/html; charset=utf-8")


@router.get(
    "/reports/{report_id}/runs/{run_id}/pdf",
    response=responses({200: None}),
    openapi_extra=_file("application/pdf"),
)
def run_pdf(request, report_id: int, run_id: int):
    run = services.ready_run(_run(request, report_id, run_id))
    return file_answer(bytes(run.pdf), "application/pdf", delivery.attachment_name(run))


@router.post("/reports/{report_id}/runs/{run_id}/shares", response=responses({201: ShareOut, 409: ErrorOut}))
def share_run(request, report_id: int, run_id: int, payload: ShareIn):
    run = _run(request, report_id, run_id)
    share = services.create_share(request.member, run.pk, days=payload.days)
    return Status(201, _share_out(share))


@router.get("/reports/{report_id}/runs/{run_id}/shares", response=responses({200: list[ShareOut]}))
def list_run_shares(request, report_id: int, run_id: int):
    run = _run(request, report_id, run_id)
    return [_share_out(share) for share in services.list_shares(request.member.workspace, run)]


@router.post(
    "/reports/{report_id}/runs/{run_id}/shares/{share_id}/revoke", response=responses({200: ShareOut})
)
def revoke_share(request, report_id: int, run_id: int, share_id: int):
    run = _run(request, report_id, run_id)
    share = services.list_shares(request.member.workspace, run).filter(pk=share_id).first()
    if share is None:
        raise NotFound()
    return _share_out(services.revoke_share(request.member, share.pk))
