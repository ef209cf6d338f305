from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from ninja import Schema
from pydantic import BeforeValidator, Field

from netmark.analytics.reports import BREAKDOWNS
from netmark.analytics.stores.base import DIMENSIONS
from netmark.core.apitypes import InputSchema, bounded_decimal


def _number_only(value):
    """JSON numbers only: "12" and true are refused, 12.0 is 12 (as JSON Schema's integer)."""
    if isinstance(value, (str, bool)):
        raise ValueError("must be a number")
    return value


JsonInt = Annotated[int, BeforeValidator(_number_only)]
DOMAIN_PATTERN = r"^(https?://)?(www\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*/?$"
Domain = Field(
    min_length=1, max_length=253, pattern=DOMAIN_PATTERN, description="Host name, e.g. shop.example.com"
)
FilterText = Annotated[str, Field(pattern="^(" + "|".join(DIMENSIONS) + ")[!~]?:", max_length=2100)]
GoalText = Annotated[str, Field(pattern="^(event|page):.", max_length=500)]
Dimension = Literal[BREAKDOWNS]
Interval = Literal["hour", "day", "month"]
SaltPeriod = Field("day", pattern="^(day|week|month)$")
Amount = bounded_decimal("-999999999", "999999999", 6)


class SiteIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    domain: str = Domain
    timezone: str = Field("Asia/Shanghai", max_length=64)
    salt_period: str = SaltPeriod
    excluded_ips: str = Field("", max_length=5000)
    excluded_paths: str = Field("", max_length=5000)
    events_per_minute: JsonInt = Field(6000, ge=0, le=10_000_000)


class SitePatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    domain: str | None = Field(None, min_length=1, max_length=253, pattern=DOMAIN_PATTERN)
    timezone: str | None = Field(None, max_length=64)
    salt_period: str | None = Field(None, pattern="^(day|week|month)$")
    excluded_ips: str | None = Field(None, max_length=5000)
    excluded_paths: str | None = Field(None, max_length=5000)
    events_per_minute: JsonInt | None = Field(None, ge=0, le=10_000_000)
    is_active: bool | None = None


class SiteOut(Schema):
    id: int
    name: str
    domain: str
    public_id: UUID
    timezone: str
    salt_period: str
    excluded_ips: str
    excluded_paths: str
    events_per_minute: int
    is_active: bool
    created_at: datetime
    snippet: str


class ReportFilters(Schema):
    start: date | None = Field(None, description="First day, in the site's time zone (default: 30 days ago)")
    end: date | None = Field(None, description="Last day, inclusive (default: today)")
    filter: list[FilterText] = Field(
        default_factory=list,
        max_length=20,
        description="dimension:value (is), dimension!:value (is not), dimension~:value (contains)",
    )


class TotalsOut(Schema):
    visitors: int
    visits: int
    pageviews: int
    bounces: int
    duration_ms: int
    revenue_micros: int
    events: int
    bounce_rate: float
    views_per_visit: float
    mean_duration_s: float


class SummaryOut(Schema):
    start: date
    end: date
    current: TotalsOut
    previous: TotalsOut
    change: dict[str, float | None]
    realtime_visitors: int
    filtered: dict[str, int]


class PointOut(TotalsOut):
    bucket: str


class SeriesOut(Schema):
    interval: str
    points: list[PointOut]


class RowOut(TotalsOut):
    value: str


class GoalOut(Schema):
    goal: str
    visitors: int
    conversions: int
    conversion_rate: float
    revenue_micros: int


class FunnelStepOut(Schema):
    step: str
    visitors: int
    drop_off: int
    conversion_from_previous: float
    conversion_from_start: float


class ConversionIn(InputSchema):
    name: str = Field(min_length=1, max_length=120)
    ts: datetime | None = Field(None, description="When it happened (default now; at most 7 days back)")
    revenue: Amount | None = None
    currency: str | None = Field(None, pattern="^[A-Z]{3}$")
    path: str = Field("", max_length=2000)
    contact_ref: str = Field("", max_length=200, description="The contact's reference in your system")
    ip: str = Field("", max_length=64, description="The visitor's address, to join their open visit")
    user_agent: str = Field("", max_length=1000)
    props: dict[str, str] = Field(default_factory=dict, max_length=30)
    idempotency_key: str = Field(
        "", max_length=200, description="A retry with the same key stores nothing twice"
    )


class ConversionsIn(InputSchema):
    site_id: JsonInt = Field(ge=1, le=2**63 - 1)
    items: list[ConversionIn] = Field(min_length=1, max_length=1000)


class AcceptedOut(Schema):
    accepted: int
