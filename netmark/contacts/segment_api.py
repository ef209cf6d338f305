"""Segments API: saved segments (CRUD), the live count of a filter, a segment's contacts, static
list members and CSV export. Mounted by ``contacts.api``."""

from ninja import Query, Router, Status
from ninja.pagination import paginate

from netmark.contacts import exporting, segments
from netmark.contacts.schemas import ContactOut
from netmark.contacts.segment_schemas import (
    SegmentCountIn,
    SegmentCountOut,
    SegmentExportOptions,
    SegmentIn,
    SegmentMembersIn,
    SegmentMembersOut,
    SegmentOut,
    SegmentPatch,
)
from netmark.core.apitools import binary_answer, body, file_answer, given
from netmark.core.apitypes import ErrorOut, responses
from netmark.core.pagination import Page
from netmark.core.roles import Capability, require

router = Router(tags=["contacts"])
CONFLICT = {409: ErrorOut}


def _segment(request, segment_id):
    return segments.get_segment(request.member.workspace, segment_id)


@router.get("/segments", response=responses({200: list[SegmentOut]}))
@paginate(Page)
def list_segments(request):
    return segments.list_segments(request.member.workspace)


@router.post("/segments", response=responses({201: SegmentOut, **CONFLICT}))
def create_segment(request, payload: SegmentIn):
    segment = segments.create_segment(request.member, **body(payload))
    return Status(201, segment)


@router.post("/segments/count", response=responses({200: SegmentCountOut}))
def count_segment(request, payload: SegmentCountIn):
    """The live count of a filter (not saved) and the newest matching contacts: the builder's answer."""
    return segments.count_filter(request.member.workspace, payload.filter)


@router.get("/segments/{segment_id}", response=responses({200: SegmentOut}))
def get_segment(request, segment_id: int):
    return _segment(request, segment_id)


@router.patch("/segments/{segment_id}", response=responses({200: SegmentOut, **CONFLICT}))
def update_segment(request, segment_id: int, payload: SegmentPatch):
    return segments.update_segment(request.member, segment_id, **given(payload))


@router.delete("/segments/{segment_id}", response=responses({204: None}))
def delete_segment(request, segment_id: int):
    segments.delete_segment(request.member, segment_id)
    return Status(204, None)


@router.get("/segments/{segment_id}/contacts", response=responses({200: list[ContactOut]}))
@paginate(Page)
def segment_contacts(request, segment_id: int):
    """The segment's contacts now (a dynamic segment is evaluated on every call), newest first."""
    contacts = segments.segment_contacts(_segment(request, segment_id))
    return contacts.select_related("company").prefetch_related("tags").order_by("-id")  # the pk index


@router.post("/segments/{segment_id}/members", response=responses({200: SegmentMembersOut}))
def change_members(request, segment_id: int, payload: SegmentMembersIn):
    """Adds contacts to a static list, or removes them from it."""
    ids = list(payload.contact_ids)
    if payload.action == "add":
        return segments.change_members(request.member, segment_id, add=ids)
    return segments.change_members(request.member, segment_id, remove=ids)


@router.get(
    "/segments/{segment_id}/export", response=responses({200: None}), openapi_extra=binary_answer("text/csv")
)
def export_segment(request, segment_id: int, options: Query[SegmentExportOptions]):
    require(request.member, Capability.EXECUTE)  # personal data in bulk: not for viewers
    segment = _segment(request, segment_id)
    data = exporting.export_contacts(
        request.member.workspace, segments.segment_contacts(segment), chinese_headers=options.chinese_headers
    )
    return file_answer(data, "text/csv; charset=utf-8", f"segment-{segment.pk}.csv")
