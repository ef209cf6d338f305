"""Schemas of the attribution API."""

from datetime import date
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

GoalText = Annotated[str, Field(pattern="^(event|page):.", max_length=500)]
TouchLabel = Literal["channel", "source", "utm_campaign", "promotion"]


class AttributionQuery(Schema):
    start: date | None = Field(None, description="First day, in the site's time zone (default: 30 days ago)")
    end: date | None = Field(None, description="Last day, inclusive (default: today)")
    goal: list[GoalText] = Field(
        default_factory=list,
        max_length=20,
        description="event:<name> or page:<pattern>; none: every sale (conversions, events with revenue)",
    )
    dimension: TouchLabel = Field("channel", description="What a touch is labelled by")
    lookback_days: int = Field(
        30, ge=0, le=365, description="How far back an identified contact's touches count"
    )
    collapse_repeats: bool = Field(False, description="Count a channel repeated in a row once")


class CreditOut(Schema):
    conversions: float
    value: float


class ChannelCreditOut(Schema):
    channel: str
    credit: dict[str, CreditOut] = Field(description="Per model name: the conversions and value credited")
    share: dict[str, float] = Field(description="Per model name: the channel's share of the conversions")


class PathOut(Schema):
    touches: list[str]
    conversions: float
    value: float
    nulls: float


class AttributionTotalsOut(Schema):
    journeys: int
    conversions: int
    value: float
    unattributed_conversions: int
    unattributed_value: float


class AttributionOut(Schema):
    site_id: int | None = None
    start: date | None = None
    end: date | None = None
    dimension: str
    models: list[str]
    totals: AttributionTotalsOut
    channels: list[ChannelCreditOut]
    top_paths: list[PathOut]
    notes: list[str]
