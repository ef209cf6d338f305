"""API schemas of IMAP bounce mailboxes."""

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field, StrictBool

from netmark.core.apitypes import InputSchema
from netmark.mailing.schemas import HOST_HELP, NO_NUL, Whole

Security = Literal["tls", "starttls", "none"]
After = Literal["move", "delete"]
FOLDER = r"^[^\x00-\x1f\x7f*%]*$"


class MailboxIn(InputSchema):
    name: str = Field(max_length=100, min_length=1, pattern=NO_NUL)
    host: str = Field(max_length=253, description=HOST_HELP, examples=["imap.example.com"])
    port: Whole = Field(993, ge=1, le=65535)
    security: Security = "tls"
    username: str = Field(max_length=200, min_length=1, pattern=NO_NUL)
    password: str = Field("", max_length=500, description="Stored sealed; never shown back.")
    folder: str = Field("INBOX", max_length=200, min_length=1, pattern=FOLDER)
    after: After = Field("move", description="What happens to a processed report: moved or deleted.")
    processed_folder: str = Field("netmark-processed", max_length=200, pattern=FOLDER)
    other_folder: str = Field(
        "", max_length=200, pattern=FOLDER, description="Mail that is no report goes here; empty: stays."
    )
    poll_minutes: Whole = Field(5, ge=1, le=1440)
    is_active: StrictBool = True


class MailboxPatch(InputSchema):
    """Only the fields given change; none of them may be null."""

    name: str = Field(None, max_length=100, min_length=1, pattern=NO_NUL)
    host: str = Field(None, max_length=253, description=HOST_HELP)
    port: Whole = Field(None, ge=1, le=65535)
    security: Security = None
    username: str = Field(None, max_length=200, min_length=1, pattern=NO_NUL)
    password: str = Field(None, max_length=500)
    folder: str = Field(None, max_length=200, min_length=1, pattern=FOLDER)
    after: After = None
    processed_folder: str = Field(None, max_length=200, pattern=FOLDER)
    other_folder: str = Field(None, max_length=200, pattern=FOLDER)
    poll_minutes: Whole = Field(None, ge=1, le=1440)
    is_active: StrictBool = None


class MailboxOut(Schema):
    id: int
    name: str
    host: str
    port: int
    security: str
    username: str
    has_password: bool = Field(description="The password itself is never shown.")
    folder: str
    after: str
    processed_folder: str
    other_folder: str
    poll_minutes: int
    is_active: bool
    last_poll_at: datetime | None
    last_success_at: datetime | None
    last_error: str = Field(description="Why the last poll failed; empty when it succeeded.")
    last_error_at: datetime | None
    last_counts: dict = Field(description="seen, reports, applied, duplicates, unmatched, others")
    reports_total: int
    others_total: int
    created_at: datetime
    updated_at: datetime


class PollOut(Schema):
    status: str = Field(description="ok, error or busy (another poll is running)")
    seen: int
    reports: int
    applied: int
    duplicates: int
    unmatched: int
    others: int
    error: str
