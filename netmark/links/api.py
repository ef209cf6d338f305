"""Links API: tracked links, QR codes, CSV import and export, UTM mappings and naming conventions."""

from ninja import File, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from netmark.core import csvio
from netmark.core.apitools import binary_answer, body, file_answer, given
from netmark.core.apitypes import ErrorOut, Id, responses
from netmark.core.errors import TooLarge
from netmark.core.pagination import Page
from netmark.core.roles import Capability, require
from netmark.links import clicks, exchange, qr, services
from netmark.links.schemas import (
    ConventionsOut,
    ConventionsPatch,
    ExportOptions,
    ImportResultOut,
    LinkFilters,
    LinkIn,
    LinkOut,
    LinkPatch,
    MappingIn,
    MappingOut,
    MappingPatch,
    QrOptions,
    ResolveOut,
    ResolveQuery,
)

router = Router(tags=["links"])
CONFLICT = {409: ErrorOut}


class LinkPage(Page):
    """The API's pagination, with each page's click counts read in one call."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page[self.items_attribute] = clicks.with_stats(page[self.items_attribute])
        return page


def _out(link):
    clicks.with_stats([link])
    return link


# Links


@router.get("/links", response=responses({200: list[LinkOut]}))
@paginate(LinkPage)
def list_links(request, filters: Query[LinkFilters]):
    return services.list_links(
        request.member.workspace,
        plan_id=filters.plan_id,
        channel_account_id=filters.channel_account_id,
        active=filters.active,
    )


@router.post("/links", response=responses({201: LinkOut, **CONFLICT}))
def create_link(request, payload: LinkIn):
    link = services.create_link(request.member, **body(payload))
    return Status(201, _out(services.get_link(request.member.workspace, link.pk)))


@router.get("/links/export", response=responses({200: None}), openapi_extra=binary_answer("text/csv"))
def export_links(request, options: Query[ExportOptions]):
    require(request.member, Capability.READ)
    data = exchange.export_links(
        request.member.workspace, plan_id=options.plan_id, chinese_headers=options.chinese_headers
    )
    return file_answer(data, "text/csv; charset=utf-8", "links.csv")


@router.post("/links/import", response=responses({200: ImportResultOut}))
def import_links(request, file: File[UploadedFile]):
    """A CSV file (UTF-8, UTF-8 with BOM or GBK); nothing is imported when a row is wrong (422, each
    problem in ``fields`` as ``"<row>:<column>"``)."""
    require(request.member, Capability.EXECUTE)
    if file.size is not None and file.size > csvio.MAX_BYTES:
        raise TooLarge()
    return exchange.import_links(request.member, file.read()).as_dict()


@router.get("/links/{link_id}", response=responses({200: LinkOut}))
def get_link(request, link_id: int):
    return _out(services.get_link(request.member.workspace, link_id))


@router.patch("/links/{link_id}", response=responses({200: LinkOut, **CONFLICT}))
def update_link(request, link_id: int, payload: LinkPatch):
    link = services.update_link(request.member, link_id, **given(payload))
    return _out(services.get_link(request.member.workspace, link.pk))


@router.delete("/links/{link_id}", response=responses({204: None, **CONFLICT}))
def delete_link(request, link_id: int):
    services.delete_link(request.member, link_id)
    return Status(204, None)


@router.get(
    "/links/{link_id}/qr.png", response=responses({200: None}), openapi_extra=binary_answer("image/png")
)
def link_qr_png(request, link_id: int, options: Query[QrOptions]):
    link = services.get_link(request.member.workspace, link_id)
    data = qr.png(link.code, scale=options.scale or qr.PNG_SCALE, border=options.border)
    return file_answer(data, "image/png", f"qr-{link.code}.png")


@router.get(
    "/links/{link_id}/qr.svg", response=responses({200: None}), openapi_extra=binary_answer("image/svg+xml")
)
def link_qr_svg(request, link_id: int, options: Query[QrOptions]):
    link = services.get_link(request.member.workspace, link_id)
    data = qr.svg(link.code, scale=options.scale or qr.SVG_SCALE, border=options.border)
    return file_answer(data, "image/svg+xml", f"qr-{link.code}.svg")


# Naming conventions


@router.get("/link-conventions", response=responses({200: ConventionsOut}))
def get_conventions(request):
    return services.get_conventions(request.member.workspace)


@router.patch("/link-conventions", response=responses({200: ConventionsOut}))
def update_conventions(request, payload: ConventionsPatch):
    return services.update_conventions(request.member, **given(payload))


# UTM mappings


@router.get("/utm-mappings", response=responses({200: list[MappingOut]}))
@paginate(Page)
def list_mappings(request, plan_id: Id | None = None):
    return services.list_mappings(request.member.workspace, plan_id=plan_id)


@router.post("/utm-mappings", response=responses({201: MappingOut, **CONFLICT}))
def create_mapping(request, payload: MappingIn):
    return Status(201, services.create_mapping(request.member, **body(payload)))


@router.get("/utm-mappings/resolve", response=responses({200: ResolveOut}))
def resolve_utm(request, values: Query[ResolveQuery]):
    """Which promotion and channel these raw UTM values are attributed to (null: none)."""
    plan_id, channel_account_id = services.resolve_promotion(
        request.member.workspace_id, values.utm_source, values.utm_medium, values.utm_campaign
    )
    return {"plan_id": plan_id, "channel_account_id": channel_account_id}


@router.get("/utm-mappings/{mapping_id}", response=responses({200: MappingOut}))
def get_mapping(request, mapping_id: int):
    return services.get_mapping(request.member.workspace, mapping_id)


@router.patch("/utm-mappings/{mapping_id}", response=responses({200: MappingOut, **CONFLICT}))
def update_mapping(request, mapping_id: int, payload: MappingPatch):
    return services.update_mapping(request.member, mapping_id, **given(payload))


@router.delete("/utm-mappings/{mapping_id}", response=responses({204: None, **CONFLICT}))
def delete_mapping(request, mapping_id: int):
    services.delete_mapping(request.member, mapping_id)
    return Status(204, None)
