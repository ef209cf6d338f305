"""API schemas of core, and the error body every route declares."""

from datetime import datetime

from ninja import Schema
from pydantic import Field


class ErrorOut(Schema):
    code: str = Field(examples=["validation_error"])
    message: str
    fields: dict[str, str] = Field(default_factory=dict)


# Statuses any authenticated route can answer; every route declares them in the OpenAPI document.
COMMON_ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


def responses(ok: dict) -> dict:
    """``ok`` (e.g. ``{200: PlanOut}``) plus the common error statuses."""
    return {**COMMON_ERRORS, **ok}


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


class MemberIn(Schema):
    email: str = Field(max_length=254)
    role: str = Field(max_length=20)


class MemberPatch(Schema):
    role: str = Field(max_length=20)


class TokenIn(Schema):
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
