"""Contacts API: contacts, companies, tags, custom fields, the timeline, consent, merge, privacy
requests, CSV import (as a job) and export."""

import json

from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from netmark.contacts import consent, exporting, fields, imports, services, timeline
from netmark.contacts.schemas import (
    CompanyIn,
    CompanyOut,
    CompanyPatch,
    ConsentIn,
    ConsentOut,
    ConsentSummaryOut,
    ContactFilters,
    ContactIn,
    ContactOut,
    ContactPatch,
    CustomFieldIn,
    CustomFieldOut,
    CustomFieldPatch,
    EraseOut,
    ExportOptions,
    ImportOptions,
    ImportOut,
    InteractionIn,
    InteractionOut,
    InteractionTypeOut,
    MergeIn,
    PreviewOut,
    TagIn,
    TagOut,
    TimelineOut,
    TimelineQuery,
)
from netmark.contacts.scoring_api import router as scoring_router
from netmark.contacts.segment_api import router as segment_router
from netmark.core import csvio
from netmark.core.apitools import body, file_answer, given
from netmark.core.apitypes import ErrorOut, responses
from netmark.core.errors import TooLarge, ValidationFailed
from netmark.core.pagination import Page
from netmark.core.roles import Capability, require

router = Router(tags=["contacts"])
CONFLICT = {409: ErrorOut}


def _upload(file: UploadedFile) -> bytes:
    if file.size is not None and file.size > csvio.MAX_BYTES:
        raise TooLarge()
    return file.read()


def _mapping(raw: str) -> dict | None:
    if not raw:
        return None
    try:
        mapping = json.loads(raw)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict) or not all(isinstance(v, str | type(None)) for v in mapping.values()):
        raise ValidationFailed(fields={"mapping": "Give a JSON object of CSV headers and field names."})
    return mapping


def _contact(request, contact_id):
    return services.get_contact(request.member.workspace, contact_id)


# Contacts


@router.get("/contacts", response=responses({200: list[ContactOut]}))
@paginate(Page)
def list_contacts(request, filters: Query[ContactFilters]):
    return services.list_contacts(
        request.member.workspace,
        query=filters.q,
        stage=filters.stage or "",
        tag=filters.tag,
        owner_id=filters.owner_id,
        company_id=filters.company_id,
    ).prefetch_related("tags")


@router.post("/contacts", response=responses({201: ContactOut, **CONFLICT}))
def create_contact(request, payload: ContactIn):
    contact = services.create_contact(request.member, **given(payload))
    return Status(201, _contact(request, contact.pk))


@router.get(
    "/contacts/export",
    response=responses({200: None}),
    openapi_extra={"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}},
)
def export_contacts(request, options: Query[ExportOptions]):
    require(request.member, Capability.EXECUTE)  # personal data in bulk: not for viewers
    contacts = services.list_contacts(request.member.workspace, query=options.q, stage=options.stage or "")
    data = exporting.export_contacts(
        request.member.workspace, contacts, chinese_headers=options.chinese_headers
    )
    return file_answer(data, "text/csv; charset=utf-8", "contacts.csv")


@router.get("/contacts/{contact_id}", response=responses({200: ContactOut}))
def get_contact(request, contact_id: int):
    return _contact(request, contact_id)


@router.patch("/contacts/{contact_id}", response=responses({200: ContactOut, **CONFLICT}))
def update_contact(request, contact_id: int, payload: ContactPatch):
    services.update_contact(request.member, contact_id, **given(payload))
    return _contact(request, contact_id)


@router.delete("/contacts/{contact_id}", response=responses({200: EraseOut}))
def erase_contact(request, contact_id: int):
    """Erases the contact and everything about it (owners only); answers what was removed."""
    return services.erase_contact(request.member, contact_id)


@router.get("/contacts/{contact_id}/export", response=responses({200: dict}))
def export_contact(request, contact_id: int):
    """Everything netmark holds on this contact, as JSON (an access request; owners only)."""
    data = services.export_contact(request.member, contact_id)
    text = json.dumps(data, ensure_ascii=False, indent=2).encode()
    return file_answer(text, "application/json", f"contact-{int(contact_id)}.json")


@router.post("/contacts/{contact_id}/merge", response=responses({200: ContactOut}))
def merge_contact(request, contact_id: int, payload: MergeIn):
    """Merges ``other_id`` into this contact, keeping every interaction, tag and consent."""
    services.merge_contacts(request.member, contact_id, payload.other_id)
    return _contact(request, contact_id)


# Timeline


@router.get("/contacts/{contact_id}/timeline", response=responses({200: TimelineOut}))
def contact_timeline(request, contact_id: int, options: Query[TimelineQuery]):
    entries, cursor = timeline.page(
        _contact(request, contact_id),
        kinds=[kind.strip() for kind in options.kind.split(",")][:20],
        before=options.before,
        limit=options.limit,
    )
    return {"items": entries, "next_cursor": cursor}


@router.post("/contacts/{contact_id}/interactions", response=responses({201: InteractionOut}))
def log_interaction(request, contact_id: int, payload: InteractionIn):
    """Logs a note, call, meeting, deal or purchase by hand."""
    entry = services.log_interaction(
        request.member, contact_id, payload.kind, payload.payload, at=payload.occurred_at
    )
    return Status(201, entry)


@router.get("/interaction-types", response=responses({200: list[InteractionTypeOut]}))
def interaction_types(request):
    return [{"key": t.key, "label": str(t.label), "manual": t.manual} for t in timeline.all_types()]


# Consent


def _consent_summary(contact) -> dict:
    purposes = sorted({*consent.PURPOSES, *consent.current(contact)})
    return {
        "do_not_contact": contact.do_not_contact,
        "purposes": {purpose: consent.may_contact(contact, purpose) for purpose in purposes},
        "history": list(contact.consents.order_by("-recorded_at", "-id")),
    }


@router.get("/contacts/{contact_id}/consent", response=responses({200: ConsentSummaryOut}))
def get_consent(request, contact_id: int):
    return _consent_summary(_contact(request, contact_id))


@router.post("/contacts/{contact_id}/consent", response=responses({201: ConsentOut}))
def record_consent(request, contact_id: int, payload: ConsentIn):
    """Appends a consent statement (the member's IP address is kept as a hash, as proof)."""
    require(request.member, Capability.EXECUTE)
    contact = _contact(request, contact_id)
    entry = consent.record_consent(contact, ip_address=request.META.get("REMOTE_ADDR", ""), **body(payload))
    return Status(201, entry)


# Companies


@router.get("/companies", response=responses({200: list[CompanyOut]}))
@paginate(Page)
def list_companies(request, q: str = ""):
    return services.list_companies(request.member.workspace, query=q[:100])


@router.post("/companies", response=responses({201: CompanyOut, **CONFLICT}))
def create_company(request, payload: CompanyIn):
    company = services.create_company(request.member, **body(payload))
    return Status(201, services.get_company(request.member.workspace, company.pk))


@router.get("/companies/{company_id}", response=responses({200: CompanyOut}))
def get_company(request, company_id: int):
    return services.get_company(request.member.workspace, company_id)


@router.patch("/companies/{company_id}", response=responses({200: CompanyOut, **CONFLICT}))
def update_company(request, company_id: int, payload: CompanyPatch):
    services.update_company(request.member, company_id, **given(payload))
    return services.get_company(request.member.workspace, company_id)


@router.delete("/companies/{company_id}", response=responses({204: None}))
def delete_company(request, company_id: int):
    services.delete_company(request.member, company_id)
    return Status(204, None)


# Tags


@router.get("/contact-tags", response=responses({200: list[TagOut]}))
@paginate(Page)
def list_tags(request):
    return services.list_tags(request.member.workspace)


@router.post("/contact-tags", response=responses({201: TagOut, **CONFLICT}))
def create_tag(request, payload: TagIn):
    tag = services.create_tag(request.member, payload.name)
    return Status(201, services.get_tag(request.member.workspace, tag.pk))


@router.delete("/contact-tags/{tag_id}", response=responses({204: None}))
def delete_tag(request, tag_id: int):
    services.delete_tag(request.member, tag_id)
    return Status(204, None)


# Custom fields


@router.get("/custom-fields", response=responses({200: list[CustomFieldOut]}))
def list_custom_fields(request):
    return list(fields.list_fields(request.member.workspace))


@router.post("/custom-fields", response=responses({201: CustomFieldOut, **CONFLICT}))
def create_custom_field(request, payload: CustomFieldIn):
    return Status(201, fields.create_field(request.member, **body(payload)))


@router.get("/custom-fields/{field_id}", response=responses({200: CustomFieldOut}))
def get_custom_field(request, field_id: int):
    return fields.get_field(request.member.workspace, field_id)


@router.patch("/custom-fields/{field_id}", response=responses({200: CustomFieldOut}))
def update_custom_field(request, field_id: int, payload: CustomFieldPatch):
    return fields.update_field(request.member, field_id, **given(payload))


@router.delete("/custom-fields/{field_id}", response=responses({204: None}))
def delete_custom_field(request, field_id: int):
    fields.delete_field(request.member, field_id)
    return Status(204, None)


# Import


@router.post("/contact-imports/preview", response=responses({200: PreviewOut}))
def preview_import(request, file: File[UploadedFile], options: Form[ImportOptions]):
    """Reads a CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and dry-runs it: the mapping, sample rows,
    counts and row errors; nothing is written."""
    return imports.preview_import(
        request.member, _upload(file), mapping=_mapping(options.mapping), overwrite=options.overwrite
    )


@router.post("/contact-imports", response=responses({201: ImportOut}))
def start_import(request, file: File[UploadedFile], options: Form[ImportOptions]):
    """Starts an import job; follow it at ``/contact-imports/{import_id}`` (progress, row errors)."""
    job = imports.start_import(
        request.member,
        _upload(file),
        filename=options.name or file.name or "",
        mapping=_mapping(options.mapping),
        overwrite=options.overwrite,
    )
    return Status(201, imports.get_import(request.member.workspace, job.pk))


@router.get("/contact-imports", response=responses({200: list[ImportOut]}))
@paginate(Page)
def list_imports(request):
    return imports.list_imports(request.member.workspace)


@router.get("/contact-imports/{import_id}", response=responses({200: ImportOut}))
def get_import(request, import_id: int):
    return imports.get_import(request.member.workspace, import_id)


# Segments (their own module; mounted here so the contacts router stays the app's one door)
router.add_router("", segment_router)
router.add_router("", scoring_router)
