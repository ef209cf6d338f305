"""API schemas of the reports app: definitions, runs and share links."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from netmark.core.apitypes import Id, InputSchema

Kind = Literal["weekly", "monthly", "promotion"]
Language = Literal["en", "zh-hans"]
SectionKey = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
Email = Annotated[str, Field(min_length=3, max_length=254, pattern=r"^\S+@\S+$")]
HAS_TEXT = r"\S"
SendTime = Annotated[
    str,
    Field(
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        description="HH:MM in the workspace's time zone.",
        examples=["08:00"],
    ),
]


class ReportIn(InputSchema):
    name: str = Field(min_length=1, max_length=200, pattern=HAS_TEXT)
    kind: Kind = "weekly"
    sections: list[SectionKey] = Field(
        None,
        min_length=1,
        max_length=30,
        description="Section keys (GET /report-sections); default: all of them.",
    )
    language: Language = "zh-hans"
    recipients: list[Email] = Field(default_factory=list, max_length=50)
    weekday: int = Field(0, ge=0, le=6, description="Weekly reports: 0 = Monday ... 6 = Sunday.")
    month_day: int = Field(1, ge=1, le=28, description="Monthly reports: the day of the month.")
    send_time: SendTime = "08:00"
    plan_id: Id | None = Field(None, description="The promotion of a per-promotion report.")
    is_active: bool = True


class ReportPatch(InputSchema):
    name: str = Field(None, min_length=1, max_length=200, pattern=HAS_TEXT)
    kind: Kind = None
    sections: list[SectionKey] = Field(None, min_length=1, max_length=30)
    language: Language = None
    recipients: list[Email] = Field(None, max_length=50)
    weekday: int = Field(None, ge=0, le=6)
    month_day: int = Field(None, ge=1, le=28)
    send_time: SendTime = None
    plan_id: Id | None = None
    is_active: bool = None


class ReportOut(Schema):
    id: int
    name: str
    kind: str
    sections: list[str]
    language: str
    recipients: list[str]
    weekday: int
    month_day: int
    send_time: SendTime
    plan_id: int | None
    is_active: bool
    created_at: datetime

    @staticmethod
    def resolve_send_time(obj) -> str:
        return obj.send_time.strftime("%H:%M")


class SectionOut(Schema):
    key: str
    title: str


class RunOut(Schema):
    id: int
    report_id: int
    report_name: str
    period_start: date
    period_end: date
    status: str
    attempts: int
    pages: int
    error: str
    emailed_at: datetime | None
    email_error: str
    finished_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_report_name(obj) -> str:
        return obj.report.name


class RunNowIn(InputSchema):
    send: bool = Field(False, description="Also email the PDF to the report's recipients.")
    wait: bool = Field(True, description="Render before answering; false: queue it and answer pending.")


class ShareIn(InputSchema):
    days: int = Field(14, ge=1, le=90, description="How long the link works.")


class ShareOut(Schema):
    id: int
    run_id: int
    report_name: str
    url: str
    expires_at: datetime
    revoked_at: datetime | None
