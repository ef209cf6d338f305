"""API schemas of planning: channel types and accounts, plans, evaluation, calendar and KPIs.

Input types state in the OpenAPI document every rule they enforce (bounds, patterns, the KPI
names), so a request the document calls valid is accepted. Rules only the data can decide are
checked by the services and answer 422 naming the field: ``ends_on`` (before ``starts_on``, or a
recurring plan longer than three years), ``recurrence`` (not a usable RRULE), ``channel_type``
(not in the catalogue), a channel or KPI listed twice in one plan (``channels.N.channel_account_id``,
``targets.N.kpi``). Decimals may be sent as JSON numbers or plain decimal strings; the services
round them (money to cents, targets to 4 places, hours to 0.1).
"""

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.utils import translation
from ninja import Schema
from pydantic import BeforeValidator, Field, WithJsonSchema, field_validator

from netmark.core.apitypes import Id, InputSchema, bounded_decimal
from netmark.core.kpis import all_kpis, get_kpi
from netmark.core.money import CURRENCIES
from netmark.planning.statuses import cents

CURRENCY_PATTERN = "^(" + "|".join(CURRENCIES) + ")$"
STATUS_PATTERN = "^(draft|planned|running|evaluating|done)$"
HAS_TEXT = r"\S"
UTM_PATTERN = r"^[\w.~-]*$"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PLAN_DATE_PATTERN = r"^(19[7-9]\d|2\d{3})-\d{2}-\d{2}$"


def _iso_date(value):
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError("Enter a date like 2026-05-01.")


def _plan_date(value):
    value = _iso_date(value)
    if isinstance(value, str) and not re.fullmatch(PLAN_DATE_PATTERN, value):
        raise ValueError("Enter a date between 1970 and 2999.")
    return value


def _kpi_names(schema: dict) -> None:
    schema["enum"] = [kpi.name for kpi in all_kpis()]


Money = bounded_decimal("0", "999999999999.99", 2)
Hours = bounded_decimal("0", "99999.9", 1)
TargetValue = bounded_decimal("-999999999999.9999", "999999999999.9999", 4)
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
PlanDate = Annotated[
    date,
    BeforeValidator(_plan_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": PLAN_DATE_PATTERN}),
]


class ChannelTypeOut(Schema):
    code: str
    name: str = Field(description="In the request's language.")
    name_en: str
    name_zh: str
    kind: str = Field(description="paid, owned or earned")
    description_en: str
    description_zh: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.display_name(translation.get_language())


class ChannelAccountIn(InputSchema):
    channel_type: str = Field(max_length=40, description="A channel type code, see /channel-types.")
    name: str = Field(max_length=200, pattern=HAS_TEXT)
    handle: str = Field("", max_length=300)
    monthly_budget: Money = Decimal(0)
    currency: str = Field("CNY", pattern=CURRENCY_PATTERN)
    monthly_hours: Hours = Decimal(0)
    is_active: bool = True
    notes: str = Field("", max_length=20_000)


class ChannelAccountPatch(InputSchema):
    channel_type: str | None = Field(None, max_length=40)
    name: str | None = Field(None, max_length=200, pattern=HAS_TEXT)
    handle: str | None = Field(None, max_length=300)
    monthly_budget: Money | None = None
    currency: str | None = Field(None, pattern=CURRENCY_PATTERN)
    monthly_hours: Hours | None = None
    is_active: bool | None = None
    notes: str | None = Field(None, max_length=20_000)


class ChannelAccountOut(Schema):
    id: int
    channel_type: str = Field(validation_alias="channel_type.code")
    name: str
    handle: str
    monthly_budget: Decimal
    currency: str
    monthly_hours: Decimal
    is_active: bool
    notes: str
    created_at: datetime
    updated_at: datetime


class PlanChannelIn(InputSchema):
    channel_account_id: Id
    budget: Money = Decimal(0)


class KpiTargetIn(InputSchema):
    kpi: str = Field(
        max_length=40, description="A registered KPI name, see /kpis.", json_schema_extra=_kpi_names
    )
    target: TargetValue

    @field_validator("kpi")
    @classmethod
    def registered(cls, value: str) -> str:
        if get_kpi(value) is None:
            raise ValueError(f"Unknown KPI: {value}")
        return value


class PlanIn(InputSchema):
    name: str = Field(max_length=200, pattern=HAS_TEXT)
    objective: str = Field(max_length=20_000, pattern=HAS_TEXT)
    starts_on: PlanDate
    ends_on: PlanDate
    product_id: Id | None = None
    audience_id: Id | None = None
    message_id: Id | None = None
    owner_id: Id | None = Field(None, description="A member id; defaults to the caller.")
    currency: str | None = Field(None, pattern=CURRENCY_PATTERN, description="Defaults to the workspace's.")
    recurrence: str = Field(
        "", max_length=300, description="RRULE without DTSTART", examples=["FREQ=WEEKLY;BYDAY=MO;COUNT=8"]
    )
    utm_campaign: str = Field("", max_length=100, pattern=UTM_PATTERN)
    status: str = Field("draft", pattern=STATUS_PATTERN)
    channels: list[PlanChannelIn] = Field(default_factory=list, max_length=100)
    targets: list[KpiTargetIn] = Field(default_factory=list, max_length=100)


class PlanPatch(InputSchema):
    name: str | None = Field(None, max_length=200, pattern=HAS_TEXT)
    objective: str | None = Field(None, max_length=20_000, pattern=HAS_TEXT)
    starts_on: PlanDate | None = None
    ends_on: PlanDate | None = None
    product_id: Id | None = None
    audience_id: Id | None = None
    message_id: Id | None = None
    owner_id: Id | None = None
    currency: str | None = Field(None, pattern=CURRENCY_PATTERN)
    recurrence: str | None = Field(None, max_length=300)
    utm_campaign: str | None = Field(None, max_length=100, pattern=UTM_PATTERN)
    status: str | None = Field(None, pattern=STATUS_PATTERN, description="Set by hand: locks the status.")
    channels: list[PlanChannelIn] | None = Field(None, max_length=100, description="Replaces the set.")
    targets: list[KpiTargetIn] | None = Field(None, max_length=100, description="Replaces the set.")


class PlanChannelOut(Schema):
    channel_account_id: int
    budget: Decimal


class KpiTargetOut(Schema):
    kpi: str
    target: Decimal


class PlanOut(Schema):
    id: int
    name: str
    objective: str
    product_id: int | None
    audience_id: int | None
    message_id: int | None
    owner_id: int | None
    status: str
    status_locked: bool
    currency: str
    starts_on: date
    ends_on: date
    recurrence: str
    utm_campaign: str
    lessons_learned: str
    channels: list[PlanChannelOut]
    targets: list[KpiTargetOut]
    budget_total: Decimal
    occurrence_count: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_budget_total(obj) -> Decimal:
        return cents(obj.budget_total)


class PlanFilters(Schema):
    status: str | None = Field(None, pattern=STATUS_PATTERN)
    search: str | None = Field(None, max_length=200)
    owner_id: Id | None = None
    from_: IsoDate | None = Field(None, alias="from", description="Plans running on or after this day.")
    to: IsoDate | None = Field(None, description="Plans running on or before this day.")


class StatusIn(InputSchema):
    status: str = Field(pattern=STATUS_PATTERN)


class LessonsIn(InputSchema):
    lessons_learned: str = Field(max_length=50_000)


class KpiRowOut(Schema):
    kpi: str
    label: str
    unit: str
    expected: Decimal
    actual: Decimal | None
    higher_is_better: bool


class EvaluationOut(Schema):
    plan_id: int
    currency: str
    budget_total: Decimal
    rows: list[KpiRowOut]

    @staticmethod
    def resolve_budget_total(obj) -> Decimal:
        return cents(obj["budget_total"])


class CalendarEntryOut(Schema):
    plan_id: int
    plan_name: str
    status: str
    starts_on: date
    ends_on: date
    sequence: int


class FeedOut(Schema):
    url: str = Field(description="Secret: anyone holding it can read the workspace's plans.")


class KpiOut(Schema):
    name: str
    label: str
    unit: str = Field(description="count, money, ratio, percent or money_per_unit")
    higher_is_better: bool
    description: str

    @staticmethod
    def resolve_label(obj) -> str:
        return str(obj.label)

    @staticmethod
    def resolve_description(obj) -> str:
        return str(obj.description)


class PlannerQuery(Schema):
    audience_id: Id
    product_id: Id | None = None
    monthly_budget: str | None = Field(
        None,
        pattern=r"^\d{1,12}(\.\d{1,2})?$",
        description="Defaults to the active channels' monthly budgets.",
    )
    monthly_hours: str | None = Field(
        None, pattern=r"^\d{1,5}(\.\d)?$", description="Defaults to the active channels' monthly hours."
    )


class PlannerChoiceOut(Schema):
    code: str
    name: str
    score: float
    budget: Decimal = Field(description="Suggested monthly budget, in the workspace currency.")
    hours: Decimal = Field(description="Suggested people-hours a month.")
    reasons: list[str]
    roi: float | None = Field(None, description="Measured ROI of past promotions on the channel.")
    roi_error: float | None = Field(None, description="Standard error of that ROI (two promotions or more).")


class PlannerLeftOutOut(Schema):
    code: str
    name: str
    reason: str


class PlannerOut(Schema):
    currency: str
    chosen: list[PlannerChoiceOut]
    left_out: list[PlannerLeftOutOut]
    warnings: list[str]


class PlannerPlanIn(InputSchema):
    audience_id: Id
    product_id: Id | None = None
    monthly_budget: Money | None = None
    monthly_hours: Hours | None = None
    name: str = Field(max_length=200, pattern=HAS_TEXT)
    objective: str = Field(max_length=20_000, pattern=HAS_TEXT)
    starts_on: PlanDate
    ends_on: PlanDate


class WarningsOut(Schema):
    warnings: list[str]
