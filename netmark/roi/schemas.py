"""API schemas of the roi app: costs, cost imports and mappings, currency rates, evaluations.

Money is a decimal in the workspace currency unless a ``currency`` says otherwise; a ratio whose
divisor is zero or unknown is null (the UI shows "n/a").
"""

import datetime
import re
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import BeforeValidator, Field, WithJsonSchema

from netmark.core.apitypes import Id, InputSchema, bounded_decimal
from netmark.core.money import CURRENCIES

DATE_PATTERN = r"^(19[7-9]\d|2\d{3})-\d{2}-\d{2}$"


def _iso_date(value):
    """Only ``YYYY-MM-DD`` text (1970-2999) or a date: never a number read as a timestamp."""
    if isinstance(value, str) and re.fullmatch(DATE_PATTERN, value):
        return value
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    raise ValueError("Enter a date like 2026-10-12 (years 1970 to 2999).")


IsoDate = Annotated[
    datetime.date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]
Money = bounded_decimal("0", "999999999999.99", 2)
Hours = bounded_decimal("0", "999999.99", 2)
Rate = bounded_decimal("0", "9999999999", 8)
Currency = Literal[tuple(CURRENCIES)]
ManualKind = Literal["agency", "offline_event", "content", "people_time", "other"]
Kind = Literal["ad_spend", "affiliate", "agency", "offline_event", "content", "people_time", "other"]


class CostFilters(Schema):
    plan_id: Id | None = None
    channel_account_id: Id | None = None
    kind: Kind | None = None
    start: IsoDate | None = Field(None, description="First day, inclusive.")
    end: IsoDate | None = Field(None, description="Last day, inclusive.")
    unmapped: bool | None = Field(None, description="true: only costs without a promotion.")
    q: str = Field("", max_length=100, description="Substring of the campaign or description.")


class CostIn(InputSchema):
    kind: ManualKind
    spent_on: IsoDate
    plan_id: Id | None = None
    channel_account_id: Id | None = None
    amount: Money | None = Field(None, description="Required except for people time.")
    currency: Currency | None = Field(None, description="Default: the workspace currency.")
    description: str = Field("", max_length=300)
    role: str = Field("", max_length=100, description="People time: the role, e.g. designer.")
    hours: Hours | None = None
    hourly_rate: Money | None = None


class CostPatch(InputSchema):
    kind: ManualKind = None
    spent_on: IsoDate = None
    plan_id: Id | None = None
    channel_account_id: Id | None = None
    amount: Money = None
    currency: Currency = None
    description: str = Field(None, max_length=300)
    role: str = Field(None, max_length=100)
    hours: Hours = None
    hourly_rate: Money = None


class CostOut(Schema):
    id: int
    kind: str
    spent_on: datetime.date
    plan_id: int | None
    channel_account_id: int | None
    amount: Decimal
    currency: str
    description: str
    platform: str
    account: str
    campaign: str
    ad_group: str
    impressions: int | None
    clicks: int | None
    conversions: Decimal | None
    utm_campaign: str
    order_id: str
    order_amount: Decimal | None
    order_status: str
    role: str
    hours: Decimal | None
    hourly_rate: Decimal | None
    cost_import_id: int | None
    created_at: datetime.datetime


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class CostImportOut(Schema):
    id: int
    filename: str
    file_format: str
    encoding: str
    sha256: str
    status: str
    summary: dict = Field(
        description="rows, created, updated, unchanged, duplicates, skipped_summary_rows, error_rows, "
        "cost_totals (per currency), unmapped_rows, unmapped_campaigns, preview (first 100 lines)."
    )
    errors: list[RowErrorOut]
    created_at: datetime.datetime


class ImportOptions(Schema):
    dry_run: bool = Field(False, description="Preview only; apply later with POST /cost-imports/{id}/apply.")
    partial: bool = Field(
        False, description="Apply the valid rows and report the others (default: all or nothing)."
    )
    currency: Literal[("", *CURRENCIES)] = Field("", description="For files that do not name their currency.")


class ApplyIn(InputSchema):
    partial: bool = False


class CostMappingIn(InputSchema):
    platform: str = Field(min_length=1, max_length=20, pattern=r"\S", examples=["baidu"])
    account: str = Field("", max_length=200, description="Empty: any account.")
    campaign: str = Field(min_length=1, max_length=300, pattern=r"\S")
    plan_id: Id
    channel_account_id: Id | None = None


class CostMappingPatch(InputSchema):
    platform: str = Field(None, min_length=1, max_length=20, pattern=r"\S")
    account: str = Field(None, max_length=200)
    campaign: str = Field(None, min_length=1, max_length=300, pattern=r"\S")
    plan_id: Id = None
    channel_account_id: Id | None = None


class CostMappingOut(Schema):
    id: int
    platform: str
    account: str
    campaign: str
    plan_id: int
    channel_account_id: int | None


class RateIn(InputSchema):
    currency: Currency = Field(examples=["USD"])
    rate: Rate = Field(description="Units of the workspace currency for one unit of this currency.")
    effective_on: IsoDate
    source: str = Field("", max_length=200, description="Where the rate comes from.")


class RatePatch(InputSchema):
    currency: Currency = None
    rate: Rate = None
    effective_on: IsoDate = None
    source: str = Field(None, max_length=200)


class RateOut(Schema):
    id: int
    currency: str
    rate: Decimal
    effective_on: datetime.date
    source: str


class PeriodQuery(Schema):
    start: IsoDate | None = Field(None, description="First day (default: the plan's first / 30 days ago).")
    end: IsoDate | None = Field(None, description="Last day, inclusive (default: the plan's last / today).")


class KpiResultOut(Schema):
    kpi: str
    label: str
    unit: str
    expected: Decimal
    actual: Decimal | None
    difference: Decimal | None
    percent: Decimal | None = Field(description="actual / expected x 100; null when expected is 0.")
    status: Literal["met", "near", "missed", "unmeasured"]
    higher_is_better: bool


class MoneyOut(Schema):
    cost: Decimal | None
    revenue: Decimal | None
    profit: Decimal | None
    roi: Decimal | None = Field(description="(revenue - cost) / cost")
    roas: Decimal | None = Field(description="revenue / cost (投入产出比)")
    conversions: Decimal | None
    cpa: Decimal | None = Field(description="cost / conversions")
    leads: Decimal | None
    cost_per_lead: Decimal | None


class ChannelRowOut(Schema):
    channel_account_id: int | None
    name: str
    cost: Decimal | None
    people_cost: Decimal | None
    people_hours: Decimal
    ad_clicks: int
    ad_conversions: Decimal
    visits: int
    conversions: int
    revenue: Decimal
    roi: Decimal | None
    roas: Decimal | None
    cpa: Decimal | None


class MissingRateOut(Schema):
    currency: str
    date: str


class PlanRefOut(Schema):
    id: int
    name: str
    status: str
    owner_id: int | None


class RoiEvaluationOut(Schema):
    plan: PlanRefOut
    currency: str
    first_day: datetime.date
    last_day: datetime.date
    kpis: list[KpiResultOut]
    money: MoneyOut
    channels: list[ChannelRowOut]
    missing_rates: list[MissingRateOut]


class ChannelPerformanceOut(Schema):
    currency: str
    first_day: datetime.date
    last_day: datetime.date
    channels: list[ChannelRowOut]
    missing_rates: list[MissingRateOut]


class EvaluationFilters(Schema):
    plan_id: Id | None = None
    status: Literal["open", "done"] | None = None
    q: str = Field("", max_length=100, description="Substring of the lessons or the plan name.")


class EvaluationRecordOut(Schema):
    id: int
    plan_id: int
    plan_name: str = Field(alias="plan.name")
    occurrence_id: int
    owner_id: int | None
    period_start: datetime.date
    period_end: datetime.date
    status: str
    numbers: dict
    worked: str
    did_not_work: str
    to_change: str
    completed_at: datetime.datetime | None


class EvaluationLessonsIn(InputSchema):
    worked: str = Field(None, max_length=20000)
    did_not_work: str = Field(None, max_length=20000)
    to_change: str = Field(None, max_length=20000)
    refresh_numbers: bool = False
