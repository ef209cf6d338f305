"""API schemas of segments (names prefixed: ninja schema names are global)."""

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from netmark.core.apitypes import Id, InputSchema

FILTER_HELP = (
    'A group {"op": "and" | "or" | "not", "rules": [...]} of groups and conditions'
    ' {"field", "op", "value"}; see docs/contacts.md, "Segments".'
)


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    kind: str
    filter: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class SegmentIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    # "static" first only so that generated examples make a list that members can be added to
    kind: Literal["static", "dynamic"] = "dynamic"
    filter: dict[str, Any] | None = Field(None, description=FILTER_HELP)


class SegmentPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    filter: dict[str, Any] | None = Field(None, description=FILTER_HELP)


class SegmentCountIn(InputSchema):
    filter: dict[str, Any] = Field(description=FILTER_HELP)


class SegmentSampleOut(Schema):
    id: int
    name: str
    email: str
    stage: str


class SegmentCountOut(Schema):
    count: int
    sample: list[SegmentSampleOut]


class SegmentMembersIn(InputSchema):
    action: Literal["add", "remove"] = "add"
    contact_ids: list[Id] = Field(min_length=1, max_length=1000)


class SegmentMembersOut(Schema):
    added: int
    removed: int


class SegmentExportOptions(Schema):
    chinese_headers: bool = False
