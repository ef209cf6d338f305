"""API schemas of lead scoring (names prefixed: ninja schema names are global)."""

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BeforeValidator, Field, StrictBool

from netmark.core.apitypes import InputSchema


def _whole(value):
    """A JSON integer (``5`` or ``5.0``); booleans and strings are refused, not coerced."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("Input should be a whole number")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError("Input should be a whole number")
    return int(value)


def whole(low: int, high: int):
    """A whole number in [low, high], the bounds in the OpenAPI schema also when it is optional."""
    return Annotated[int, Field(ge=low, le=high), BeforeValidator(_whole)]


CONDITION_HELP = (
    'field rules: a segment filter group {"op": "and", "rules": [...]}; see docs/contacts.md, "Segments".'
)


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
    points: whole(-1000, 1000)
    kind: Literal["interaction", "field", "behaviour"] = "interaction"
    interaction_kind: str = Field("form_submission", max_length=40)
    max_times: whole(1, 10_000) | None = None
    condition: dict[str, Any] | None = Field(None, description=CONDITION_HELP)
    path: str = Field("", max_length=200)
    times: whole(1, 10_000) = 1
    days: whole(1, 3650) = 30


class ScoringRulePatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    points: whole(-1000, 1000) | None = None
    interaction_kind: str | None = Field(None, max_length=40)
    max_times: whole(1, 10_000) | None = None
    condition: dict[str, Any] | None = Field(None, description=CONDITION_HELP)
    path: str | None = Field(None, max_length=200)
    times: whole(1, 10_000) | None = None
    days: whole(1, 3650) | None = None
    is_active: StrictBool | None = None


class ScoringSettingsOut(Schema):
    half_life_days: int
    lead_at: int | None
    qualified_at: int | None


class ScoringSettingsPatch(InputSchema):
    half_life_days: whole(0, 3650) | None = None
    lead_at: whole(-1_000_000, 1_000_000) | None = None
    qualified_at: whole(-1_000_000, 1_000_000) | None = None


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
