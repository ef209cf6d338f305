"""API schemas of lead scoring (names prefixed: ninja schema names are global)."""

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field, StrictBool

from netmark.core.apitypes import InputSchema

CONDITION_HELP = (
    'field rules: a segment filter group {"op": "and", "rules": [...]}; see docs/contacts.md, "Segments".'
)
Points = Field(ge=-1000, le=1000)


class ScoringRuleOut(Schema):
    id: int
    name: str
    points: int
    kind: str
    interaction_kind: str
    max_times: int | None
    condition: dict[str, Any]
    path: str
    times: int
    days: int
    is_active: bool
    created_at: datetime
    updated_at: datetime


class ScoringRuleIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    points: int = Points
    kind: Literal["interaction", "field", "behaviour"] = "interaction"
    interaction_kind: str = Field("form_submission", max_length=40)
    max_times: int | None = Field(None, ge=1, le=10_000)
    condition: dict[str, Any] | None = Field(None, description=CONDITION_HELP)
    path: str = Field("", max_length=200)
    times: int = Field(1, ge=1, le=10_000)
    days: int = Field(30, ge=1, le=3650)


class ScoringRulePatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    points: int | None = Field(None, ge=-1000, le=1000)
    interaction_kind: str | None = Field(None, max_length=40)
    max_times: int | None = Field(None, ge=1, le=10_000)
    condition: dict[str, Any] | None = Field(None, description=CONDITION_HELP)
    path: str | None = Field(None, max_length=200)
    times: int | None = Field(None, ge=1, le=10_000)
    days: int | None = Field(None, ge=1, le=3650)
    is_active: StrictBool | None = None


class ScoringSettingsOut(Schema):
    half_life_days: int
    lead_at: int | None
    qualified_at: int | None


class ScoringSettingsPatch(InputSchema):
    half_life_days: int | None = Field(None, ge=0, le=3650)
    lead_at: int | None = Field(None, ge=-1_000_000, le=1_000_000)
    qualified_at: int | None = Field(None, ge=-1_000_000, le=1_000_000)


class ScoringLineOut(Schema):
    rule_id: int
    rule: str
    points: int
    why: str


class ScoringHistoryOut(Schema):
    score: int
    at: datetime


class ContactScoreOut(Schema):
    contact_id: int
    score: int
    stored_score: int
    explanation: list[ScoringLineOut]
    history: list[ScoringHistoryOut]


class ScoringRecomputeOut(Schema):
    contacts: int
    changed: int
    stages_moved: int
