from datetime import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from netmark.core.apitypes import Id, InputSchema, UrlText, bounded_decimal
from netmark.core.money import CURRENCIES

Price = bounded_decimal("0", "999999999999.99", 2)
Margin = bounded_decimal("-100", "100", 2, pattern=r"^-?(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$")
Currency = Field("CNY", pattern="^(" + "|".join(CURRENCIES) + ")$")


class ProductIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=20_000)
    price: Price | None = None
    currency: str = Currency
    margin_percent: Margin | None = None
    url: UrlText | None = None
    status: str = Field("active", pattern="^(active|planned|retired)$")


class ProductPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=20_000)
    price: Price | None = None
    currency: str | None = Field(None, pattern="^(" + "|".join(CURRENCIES) + ")$")
    margin_percent: Margin | None = None
    url: UrlText | None = None
    status: str | None = Field(None, pattern="^(active|planned|retired)$")


class ProductOut(Schema):
    id: int
    name: str
    description: str
    price: Decimal | None
    currency: str
    margin_percent: Decimal | None
    url: str
    status: str
    created_at: datetime
    updated_at: datetime


class AudienceIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    characteristics: str = Field("", max_length=20_000)
    needs: str = Field("", max_length=20_000)
    channel_presence: dict[str, int] = Field(
        default_factory=dict, description="Channel type code -> weight 0..100", examples=[{"wechat": 80}]
    )
    size_estimate: int | None = Field(None, ge=0, le=10**12)
    languages: list[str] = Field(default_factory=list, max_length=10)


class AudiencePatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    characteristics: str | None = Field(None, max_length=20_000)
    needs: str | None = Field(None, max_length=20_000)
    channel_presence: dict[str, int] | None = None
    size_estimate: int | None = Field(None, ge=0, le=10**12)
    languages: list[str] | None = Field(None, max_length=10)


class AudienceOut(Schema):
    id: int
    name: str
    characteristics: str
    needs: str
    channel_presence: dict[str, int]
    size_estimate: int | None
    languages: list[str]
    created_at: datetime
    updated_at: datetime


class MessageIn(InputSchema):
    title: str = Field(min_length=1, max_length=200)
    audience_id: Id
    product_id: Id
    value_proposition: str = Field(min_length=1, max_length=20_000)
    proof_points: list[str] = Field(default_factory=list, max_length=20)
    call_to_action: str = Field("", max_length=200)
    tone: str = Field("friendly", pattern="^(friendly|professional|playful|urgent|caring)$")
    language: str = Field("zh-hans", pattern="^(zh-hans|en)$")


class MessagePatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200)
    audience_id: Id | None = None
    product_id: Id | None = None
    value_proposition: str | None = Field(None, min_length=1, max_length=20_000)
    proof_points: list[str] | None = Field(None, max_length=20)
    call_to_action: str | None = Field(None, max_length=200)
    tone: str | None = Field(None, pattern="^(friendly|professional|playful|urgent|caring)$")
    language: str | None = Field(None, pattern="^(zh-hans|en)$")


class MessageOut(Schema):
    id: int
    title: str
    audience_id: int
    product_id: int
    value_proposition: str
    proof_points: list[str]
    call_to_action: str
    tone: str
    language: str
    created_at: datetime
    updated_at: datetime
