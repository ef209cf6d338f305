"""API schemas of drip sequences (names prefixed ``Drip``: schema names are global)."""

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field, StrictBool

from netmark.core.apitypes import InputSchema
from netmark.mailing.schemas import NO_NUL, Whole

DripTrigger = Literal["subscribed", "form", "tag", "date"]
DripKind = Literal["notify", "wait", "condition", "email", "tag", "stage"]


class DripSequenceIn(InputSchema):
    name: str = Field(max_length=200, min_length=1, pattern=NO_NUL, examples=["新订阅欢迎"])
    trigger: DripTrigger
    trigger_value: str = Field(
        "", max_length=100, pattern=NO_NUL, description="The form id, the tag or the custom date field key."
    )
    offset_days: Whole = Field(
        0, ge=-3660, le=3660, description="Date trigger: days after (negative: before)."
    )
    yearly: StrictBool = False
    allow_reentry: StrictBool = False
    mailing_list_id: int | None = Field(
        None, description="The list: the trigger of 'subscribed', else the consent checked."
    )
    smtp_server_id: int | None = None
    from_name: str = Field("", max_length=100, pattern=NO_NUL)
    from_email: str = Field("", max_length=254, pattern=NO_NUL)
    plan_id: int | None = Field(None, description="The promotion the emails' UTM names.")


class DripSequencePatch(InputSchema):
    name: str = Field(None, max_length=200, min_length=1, pattern=NO_NUL)
    trigger: DripTrigger = None
    trigger_value: str = Field(None, max_length=100, pattern=NO_NUL)
    offset_days: Whole = Field(None, ge=-3660, le=3660)
    yearly: StrictBool = None
    allow_reentry: StrictBool = None
    mailing_list_id: int | None = None
    smtp_server_id: int | None = None
    from_name: str = Field(None, max_length=100, pattern=NO_NUL)
    from_email: str = Field(None, max_length=254, pattern=NO_NUL)
    plan_id: int | None = None


class DripStepIn(InputSchema):
    kind: DripKind
    config: dict[str, Any] = Field(
        default_factory=dict,
        description="wait: days/hours/minutes; condition: test (opened, clicked, tag, stage, field), "
        "value, equals, yes/no (a position or 'stop'); email: subject, html, text; tag: tag; "
        "stage: stage; notify: text (optional). Any step but a condition: then (a position or 'stop').",
    )


class DripStepsIn(InputSchema):
    steps: list[DripStepIn] = Field(max_length=50)


class DripStepOut(Schema):
    id: int
    position: int
    kind: str
    config: dict
    active_here: int = Field(description="Active enrollments at this step.")


class DripSequenceOut(Schema):
    id: int
    name: str
    status: str
    trigger: str
    trigger_value: str
    offset_days: int
    yearly: bool
    allow_reentry: bool
    mailing_list_id: int | None
    smtp_server_id: int | None
    from_name: str
    from_email: str
    plan_id: int | None
    steps: list[DripStepOut]
    enrollments: dict[str, int] = Field(description="Enrollments per state.")
    created_at: datetime


class DripStatusIn(InputSchema):
    status: Literal["paused", "active"]


class DripEnrollIn(InputSchema):
    contact_id: int


class DripEnrollmentFilters(Schema):
    state: Literal["active", "done", "exited"] | None = None


class DripEnrollmentOut(Schema):
    id: int
    contact_id: int
    email: str
    round: int
    state: str
    position: int
    next_run_at: datetime | None
    history: list
    exit_reason: str
    created_at: datetime
    finished_at: datetime | None
