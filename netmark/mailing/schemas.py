"""API schemas of the mailing app: SMTP servers, DKIM keys, suppressions, test sends."""

from datetime import datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

from netmark.core.apitypes import InputSchema


def _whole(value):
    """A JSON integer (``5`` or ``5.0``); booleans and strings are refused, not coerced."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("Input should be a whole number")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError("Input should be a whole number")
    return int(value)


Whole = Annotated[int, BeforeValidator(_whole)]
HOST_HELP = "A host name or address; private, loopback and link-local addresses are refused."
Security = Literal["starttls", "tls", "none"]
Reason = Literal["hard_bounce", "complaint", "unsubscribe", "manual"]
NO_NUL = r"^[^\x00]*$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class DomainLimit(BaseModel):
    """A plain pydantic model: a list or any other non-object is refused (no attribute reading)."""

    model_config = ConfigDict(extra="forbid")

    per_second: Whole = Field(0, ge=0, le=1_000_000)
    per_hour: Whole = Field(0, ge=0, le=1_000_000)


class ServerIn(InputSchema):
    name: str = Field(max_length=100, min_length=1, pattern=NO_NUL)
    host: str = Field(max_length=253, description=HOST_HELP, examples=["smtp.example.com"])
    port: Whole = Field(587, ge=1, le=65535)
    security: Security = "starttls"
    username: str = Field("", max_length=200, pattern=NO_NUL)
    password: str = Field("", max_length=500, description="Stored sealed; never shown back.")
    from_email: str = Field(max_length=254, pattern=EMAIL, examples=["news@example.com"])
    from_name: str = Field("", max_length=100, pattern=NO_NUL)
    unsubscribe_mailbox: str = Field("", max_length=254, description="For List-Unsubscribe mailto.")
    per_second: Whole = Field(10, ge=1, le=10_000)
    per_hour: Whole = Field(0, ge=0, le=10_000_000, description="0: no hourly bound.")
    domain_limits: dict[str, DomainLimit] = Field(default_factory=dict, description='e.g. {"qq.com": {...}}')
    is_active: StrictBool = True


class ServerPatch(InputSchema):
    """Only the fields given change; none of them may be null. An empty password removes it."""

    name: str = Field(None, max_length=100, min_length=1, pattern=NO_NUL)
    host: str = Field(None, max_length=253, description=HOST_HELP)
    port: Whole = Field(None, ge=1, le=65535)
    security: Security = None
    username: str = Field(None, max_length=200, pattern=NO_NUL)
    password: str = Field(None, max_length=500)
    from_email: str = Field(None, max_length=254, pattern=EMAIL)
    from_name: str = Field(None, max_length=100, pattern=NO_NUL)
    unsubscribe_mailbox: str = Field(None, max_length=254)
    per_second: Whole = Field(None, ge=1, le=10_000)
    per_hour: Whole = Field(None, ge=0, le=10_000_000)
    domain_limits: dict[str, DomainLimit] = None
    is_active: StrictBool = None


class ServerOut(Schema):
    id: int
    name: str
    host: str
    port: int
    security: str
    username: str
    has_password: bool = Field(description="The password itself is never shown.")
    from_email: str
    from_name: str
    unsubscribe_mailbox: str
    per_second: int
    per_hour: int
    domain_limits: dict
    is_active: bool
    created_at: datetime
    updated_at: datetime


class TestSendIn(InputSchema):
    email: str = Field(max_length=254, pattern=EMAIL, examples=["me@example.com"])


class OutcomeOut(Schema):
    status: str = Field(
        description="sent, temporary, permanent, uncertain, blocked, suppressed, deferred, invalid"
    )
    code: Whole = Field(description="The SMTP reply code (0 when there was none).")
    detail: str
    stage: str


class KeyIn(InputSchema):
    domain: str = Field(max_length=253, examples=["example.com"])
    selector: str = Field("netmark", max_length=63, pattern=r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
    algorithm: Literal["rsa-sha256", "ed25519-sha256"] = "rsa-sha256"
    note: str = Field("", max_length=200, pattern=NO_NUL, description="What the key is for.")


class DnsRecordOut(Schema):
    name: str
    type: str
    value: str
    strings: list[str] = Field(description="The value split into TXT strings of at most 255 characters.")


class KeyOut(Schema):
    id: int
    domain: str
    selector: str
    algorithm: str
    note: str
    is_active: bool
    dns: DnsRecordOut
    created_at: datetime


class SuppressionIn(InputSchema):
    email: str = Field(max_length=254, pattern=EMAIL)
    reason: Reason = "manual"
    detail: str = Field("", max_length=500, pattern=NO_NUL)


class SuppressionOut(Schema):
    id: int
    email: str
    reason: str
    detail: str
    created_at: datetime


class SuppressionFilters(Schema):
    reason: Reason | None = None
    search: str | None = Field(None, max_length=254)
