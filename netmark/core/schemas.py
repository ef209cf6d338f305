"""API schemas of core: workspaces, members, tokens, the audit log."""

from datetime import datetime

from ninja import Schema
from pydantic import Field

from netmark.core.apitypes import InputSchema, RoleName


class WorkspaceOut(Schema):
    id: int
    name: str
    slug: str
    language: str
    time_zone: str
    currency: str


class MembershipOut(Schema):
    workspace: WorkspaceOut
    role: str


class MeOut(Schema):
    email: str
    member_id: int
    role: str
    workspace: WorkspaceOut


class MemberOut(Schema):
    id: int
    email: str = Field(validation_alias="user.email")
    role: str
    created_at: datetime


class MemberIn(InputSchema):
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    role: RoleName


class MemberPatch(InputSchema):
    role: RoleName


class TokenIn(InputSchema):
    name: str = Field("API token", max_length=100)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    secret: str = Field(description="Shown once; only its hash is stored.")


class AuditEntryOut(Schema):
    id: int
    created_at: datetime
    actor_label: str
    via: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict
