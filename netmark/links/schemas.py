"""API schemas of the links app: links, UTM mappings, naming conventions, QR options, CSV results."""

from datetime import datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from netmark.core.apitypes import Id, InputSchema, UrlText
from netmark.links import qr, services

# What a UTM value may hold on the way in; it is then trimmed, lower-cased and spaces become the
# workspace's separator. Empty utm_source / utm_medium / utm_campaign take the defaults.
UtmValue = Annotated[
    str,
    Field(
        max_length=100,
        pattern=r"^[ A-Za-z0-9._-]*$",
        description="Letters, digits, '.', '-', '_' and spaces; stored lower-case.",
        examples=["spring-sale"],
    ),
]
RawUtm = Annotated[str, Field(max_length=200, description="Empty means any value.")]


class LinkIn(InputSchema):
    plan_id: Id
    channel_account_id: Id
    destination: UrlText
    name: str = Field("", max_length=200, description="A label, printed under the QR code.")
    utm_source: UtmValue = Field("", description="Empty: from the channel type (e.g. weibo).")
    utm_medium: UtmValue = Field("", description="Empty: from the channel type (e.g. social).")
    utm_campaign: UtmValue = Field(
        "", description="Empty: the promotion's UTM campaign or a slug of its name."
    )
    utm_content: UtmValue = ""
    utm_term: UtmValue = ""
    is_active: bool = True


class LinkPatch(InputSchema):
    """Only the fields given change; none of them may be null."""

    destination: UrlText = None
    name: str = Field(None, max_length=200)
    utm_source: UtmValue = None
    utm_medium: UtmValue = None
    utm_campaign: UtmValue = None
    utm_content: UtmValue = None
    utm_term: UtmValue = None
    is_active: bool = None


class ClicksOut(Schema):
    raw: int = Field(description="Every click and scan, bots included.")
    unique: int = Field(description="Distinct visitors, bots excluded.")
    bots: int = Field(description="Clicks by bots and link previews.")


class LinkOut(Schema):
    id: int
    code: str
    short_url: str
    qr_url: str
    plan_id: int
    channel_account_id: int
    name: str
    destination: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_content: str
    utm_term: str
    target_url: str = Field(description="The destination with the UTM values: where the short URL leads.")
    is_active: bool
    clicks: ClicksOut
    visits: int | None = Field(description="Not measured yet: null.")
    conversions: int | None = Field(description="Not measured yet: null.")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_short_url(link) -> str:
        return services.short_url(link.code)

    @staticmethod
    def resolve_qr_url(link) -> str:
        return services.qr_url(link.code)


class LinkFilters(Schema):
    plan_id: Id | None = None
    channel_account_id: Id | None = None
    active: bool | None = None


class QrOptions(Schema):
    scale: int | None = Field(None, ge=qr.MIN_SCALE, le=qr.MAX_SCALE, description="Pixels (PNG) per module.")
    border: int = Field(qr.BORDER, ge=qr.MIN_BORDER, le=qr.MAX_BORDER, description="Quiet zone in modules.")


class ExportOptions(Schema):
    plan_id: Id | None = None
    chinese_headers: bool = False


class ImportResultOut(Schema):
    created: int
    updated: int
    unchanged: int


class ConventionsOut(Schema):
    separator: str
    allowed_mediums: list[str] = Field(description="Empty: any medium.")


class ConventionsPatch(InputSchema):
    separator: Literal["-", "_"] | None = None
    allowed_mediums: list[Annotated[str, Field(pattern=r"^[ A-Za-z0-9._-]{1,100}$")]] | None = Field(
        None, max_length=50
    )


class MappingIn(InputSchema):
    utm_source: RawUtm = ""
    utm_medium: RawUtm = ""
    utm_campaign: RawUtm = ""
    plan_id: Id
    channel_account_id: Id | None = None


class MappingPatch(InputSchema):
    """Only the fields given change; ``channel_account_id`` null removes the channel."""

    utm_source: RawUtm = None
    utm_medium: RawUtm = None
    utm_campaign: RawUtm = None
    plan_id: Id = None
    channel_account_id: Id | None = None


class MappingOut(Schema):
    id: int
    utm_source: str
    utm_medium: str
    utm_campaign: str
    plan_id: int
    channel_account_id: int | None
    created_at: datetime
    updated_at: datetime


class ResolveQuery(Schema):
    utm_source: str = Field("", max_length=200)
    utm_medium: str = Field("", max_length=200)
    utm_campaign: str = Field("", max_length=200)


class ResolveOut(Schema):
    plan_id: int | None
    channel_account_id: int | None
