"""Mailing API: SMTP servers and DKIM keys (owners), the suppression list (execution roles; viewers read)."""

from ninja import Query, Router, Status
from ninja.pagination import paginate

from netmark.core.apitools import body, file_answer, given
from netmark.core.apitypes import ErrorOut, responses
from netmark.core.pagination import Page
from netmark.core.roles import Capability, require
from netmark.mailing import services
from netmark.mailing.schemas import (
    KeyIn,
    KeyOut,
    OutcomeOut,
    ServerIn,
    ServerOut,
    ServerPatch,
    SuppressionFilters,
    SuppressionIn,
    SuppressionOut,
    TestSendIn,
)

router = Router(tags=["mailing"])
smtp_router = Router(tags=["mailing-settings"])
CONFLICT = {409: ErrorOut}


def _owner(request) -> None:
    require(request.member, Capability.ADMINISTER)


def _key_out(key) -> dict:
    return {
        "id": key.pk,
        "domain": key.domain,
        "selector": key.selector,
        "algorithm": key.algorithm,
        "note": key.note,
        "is_active": key.is_active,
        "dns": services.dns_record(key),
        "created_at": key.created_at,
    }


# SMTP servers (owners only: SMTP and integrations)


@smtp_router.get("/smtp-servers", response=responses({200: list[ServerOut]}))
@paginate(Page)
def list_servers(request):
    _owner(request)
    return services.list_servers(request.member.workspace)


@smtp_router.post("/smtp-servers", response=responses({201: ServerOut, **CONFLICT}))
def create_server(request, payload: ServerIn):
    return Status(201, services.create_server(request.member, **body(payload)))


@smtp_router.get("/smtp-servers/{server_id}", response=responses({200: ServerOut}))
def get_server(request, server_id: int):
    _owner(request)
    return services.get_server(request.member.workspace, server_id)


@smtp_router.patch("/smtp-servers/{server_id}", response=responses({200: ServerOut, **CONFLICT}))
def update_server(request, server_id: int, payload: ServerPatch):
    return services.update_server(request.member, server_id, **given(payload))


@smtp_router.delete("/smtp-servers/{server_id}", response=responses({204: None, **CONFLICT}))
def delete_server(request, server_id: int):
    services.delete_server(request.member, server_id)
    return Status(204, None)


@smtp_router.post("/smtp-servers/{server_id}/test", response=responses({200: OutcomeOut}))
def test_server(request, server_id: int, payload: TestSendIn):
    """Sends a test message; the answer is the classified outcome (``sent`` or why not)."""
    outcome = services.test_send(request.member, server_id, payload.email)
    return {"status": outcome.status, "code": outcome.code, "detail": outcome.detail, "stage": outcome.stage}


# DKIM keys (owners only)


@smtp_router.get("/dkim-keys", response=responses({200: list[KeyOut]}))
@paginate(Page)
def list_keys(request):
    _owner(request)
    return [_key_out(key) for key in services.list_keys(request.member.workspace)]


@smtp_router.post("/dkim-keys", response=responses({201: KeyOut, **CONFLICT}))
def create_key(request, payload: KeyIn):
    """A new key pair; publish ``dns`` as a TXT record, then sending signs with it."""
    return Status(201, _key_out(services.create_key(request.member, **body(payload))))


@smtp_router.get("/dkim-keys/{key_id}", response=responses({200: KeyOut}))
def get_key(request, key_id: int):
    _owner(request)
    return _key_out(services.get_key(request.member.workspace, key_id))


@smtp_router.delete("/dkim-keys/{key_id}", response=responses({204: None}))
def delete_key(request, key_id: int):
    services.delete_key(request.member, key_id)
    return Status(204, None)


# Suppressions (execution roles change them; every member reads)


@router.get("/suppressions", response=responses({200: list[SuppressionOut]}))
@paginate(Page)
def list_suppressions(request, filters: Query[SuppressionFilters]):
    return services.list_suppressions(request.member.workspace, reason=filters.reason, search=filters.search)


@router.post("/suppressions", response=responses({201: SuppressionOut}))
def add_suppression(request, payload: SuppressionIn):
    """Idempotent: an address already on the list keeps its first reason."""
    return Status(201, services.add_suppression(request.member, **body(payload)))


@router.get(
    "/suppressions/export",
    response=responses({200: None}),
    openapi_extra={"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}},
)
def export_suppressions(request):
    data = services.export_suppressions(request.member.workspace)
    return file_answer(data, "text/csv; charset=utf-8", "suppressions.csv")


@router.get("/suppressions/{suppression_id}", response=responses({200: SuppressionOut}))
def get_suppression(request, suppression_id: int):
    return services.get_suppression(request.member.workspace, suppression_id)


@router.delete("/suppressions/{suppression_id}", response=responses({204: None}))
def remove_suppression(request, suppression_id: int):
    services.remove_suppression(request.member, suppression_id)
    return Status(204, None)
