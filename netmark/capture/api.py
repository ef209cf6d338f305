"""Capture API: forms (CRUD), their submissions (list, CSV), landing pages (CRUD)."""

from ninja import Router, Status
from ninja.pagination import paginate

from netmark.capture import exporting, services
from netmark.capture.schemas import (
    CaptureFormIn,
    CaptureFormOut,
    CaptureFormPatch,
    CapturePageIn,
    CapturePageOut,
    CapturePagePatch,
    CaptureSubmissionOut,
)
from netmark.core.apitools import binary_answer, file_answer
from netmark.core.apitypes import ErrorOut, responses
from netmark.core.pagination import Page
from netmark.core.roles import Capability, require

router = Router(tags=["capture"])
CONFLICT = {409: ErrorOut}


@router.get("/forms", response=responses({200: list[CaptureFormOut]}))
@paginate(Page)
def list_forms(request):
    return services.list_forms(request.member.workspace)


@router.post("/forms", response=responses({201: CaptureFormOut, **CONFLICT}))
def create_form(request, payload: CaptureFormIn):
    form = services.create_form(request.member, **payload.model_dump())
    return Status(201, form)


@router.get("/forms/{form_id}", response=responses({200: CaptureFormOut}))
def get_form(request, form_id: int):
    return services.get_form(request.member.workspace, form_id)


@router.patch("/forms/{form_id}", response=responses({200: CaptureFormOut, **CONFLICT}))
def update_form(request, form_id: int, payload: CaptureFormPatch):
    form = services.update_form(request.member, form_id, **payload.model_dump(exclude_unset=True))
    return form


@router.delete("/forms/{form_id}", response=responses({204: None, **CONFLICT}))
def delete_form(request, form_id: int):
    services.delete_form(request.member, form_id)
    return Status(204, None)


@router.get("/forms/{form_id}/submissions", response=responses({200: list[CaptureSubmissionOut]}))
@paginate(Page)
def list_submissions(request, form_id: int):
    return services.list_submissions(request.member.workspace, form_id)


@router.get(
    "/forms/{form_id}/submissions/export",
    response=responses({200: None}),
    openapi_extra=binary_answer("text/csv"),
)
def export_submissions(request, form_id: int):
    """Personal data in bulk: members who execute (as the contacts export)."""
    require(request.member, Capability.EXECUTE)
    data = exporting.export_submissions(request.member.workspace, form_id)
    return file_answer(data, "text/csv; charset=utf-8", f"form-{form_id}-submissions.csv")


@router.get("/landing-pages", response=responses({200: list[CapturePageOut]}))
@paginate(Page)
def list_pages(request):
    return services.list_pages(request.member.workspace).select_related("workspace")


@router.post("/landing-pages", response=responses({201: CapturePageOut, **CONFLICT}))
def create_page(request, payload: CapturePageIn):
    page = services.create_page(request.member, **payload.model_dump())
    return Status(201, page)


@router.get("/landing-pages/{page_id}", response=responses({200: CapturePageOut}))
def get_page(request, page_id: int):
    return services.get_page(request.member.workspace, page_id)


@router.patch("/landing-pages/{page_id}", response=responses({200: CapturePageOut, **CONFLICT}))
def update_page(request, page_id: int, payload: CapturePagePatch):
    return services.update_page(request.member, page_id, **payload.model_dump(exclude_unset=True))


@router.delete("/landing-pages/{page_id}", response=responses({204: None, **CONFLICT}))
def delete_page(request, page_id: int):
    services.delete_page(request.member, page_id)
    return Status(204, None)
