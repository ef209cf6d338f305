"""Core API: who am I, members, API tokens and the audit log."""

from ninja import Router, Status
from ninja.pagination import paginate

from netmark.core import services
from netmark.core.apitypes import ErrorOut, responses
from netmark.core.models import ApiToken, AuditEntry, Member
from netmark.core.pagination import Page
from netmark.core.roles import Capability, require
from netmark.core.schemas import (
    AuditEntryOut,
    MemberIn,
    MemberOut,
    MemberPatch,
    MembershipOut,
    MeOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
)
from netmark.core.scoping import scoped

router = Router(tags=["workspace"])


@router.get("/me", response=responses({200: MeOut}))
def me(request):
    member = request.member
    return {
        "email": member.user.email,
        "member_id": member.pk,
        "role": member.role,
        "workspace": member.workspace,
    }


@router.get("/me/workspaces", response=responses({200: list[MembershipOut]}))
def my_workspaces(request):
    return services.memberships(request.member.user)


@router.get("/members", response=responses({200: list[MemberOut]}))
@paginate(Page)
def list_members(request):
    return scoped(Member, request.member.workspace).select_related("user")


@router.post("/members", response=responses({201: MemberOut, 409: ErrorOut}))
def add_member(request, payload: MemberIn):
    return Status(201, services.add_member(request.member, payload.email, payload.role))


@router.patch("/members/{member_id}", response=responses({200: MemberOut, 409: ErrorOut}))
def change_member_role(request, member_id: int, payload: MemberPatch):
    return services.change_role(request.member, member_id, payload.role)


@router.delete("/members/{member_id}", response=responses({204: None, 409: ErrorOut}))
def remove_member(request, member_id: int):
    services.remove_member(request.member, member_id)
    return Status(204, None)


@router.get("/tokens", response=responses({200: list[TokenOut]}))
def list_tokens(request):
    return scoped(ApiToken, request.member.workspace).filter(member_id=request.member.pk)


@router.post("/tokens", response=responses({201: TokenCreatedOut}))
def create_token(request, payload: TokenIn):
    token, secret = services.create_token(request.member, payload.name)
    token.secret = secret
    return Status(201, token)


@router.delete("/tokens/{token_id}", response=responses({200: TokenOut}))
def revoke_token(request, token_id: int):
    return services.revoke_token(request.member, token_id)


@router.get("/audit", response=responses({200: list[AuditEntryOut]}))
@paginate(Page)
def audit_log(request, action: str | None = None, object_type: str | None = None):
    require(request.member, Capability.ADMINISTER)
    entries = scoped(AuditEntry, request.member.workspace)
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    return entries
