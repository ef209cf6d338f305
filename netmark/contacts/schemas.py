"""API schemas of contacts."""

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field, StrictBool

from netmark.core.apitypes import Id, InputSchema

StageName = Literal["subscriber", "lead", "qualified", "customer", "lost"]
Text200 = Field(None, max_length=200)
Text100 = Field(None, max_length=100)


class CompanyRef(Schema):
    id: int
    name: str


class ContactOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    wechat_id: str
    company: CompanyRef | None
    title: str
    city: str
    language: str
    source: str
    source_plan_id: int | None
    owner_id: int | None
    stage: str
    custom: dict[str, Any]
    do_not_contact: bool
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    last_activity_at: datetime | None
    score: int

    @staticmethod
    def resolve_tags(contact) -> list[str]:
        return sorted(tag.name for tag in contact.tags.all())


class _ContactFields(InputSchema):
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    wechat_id: str | None = Text100
    company_id: Id | None = None
    company_name: str | None = Text200
    title: str | None = Text100
    city: str | None = Text100
    language: str | None = Field(None, max_length=10)
    source: str | None = Text100
    source_plan_id: Id | None = None
    owner_id: Id | None = None
    stage: StageName | None = None
    custom: dict[str, Any] | None = None
    do_not_contact: StrictBool | None = None
    tags: list[str] | None = Field(None, max_length=50)


class ContactIn(_ContactFields):
    name: str = Field("", max_length=200)


class ContactPatch(_ContactFields):
    name: str | None = Text200


class ContactFilters(Schema):
    q: str = Field("", max_length=100, description="Search (Chinese works: jieba tokens, substrings)")
    stage: StageName | None = None
    tag: str = Field("", max_length=60)
    owner_id: Id | None = None
    company_id: Id | None = None


class MergeIn(InputSchema):
    other_id: Id = Field(description="The contact merged into this one (and then deleted)")


class InteractionIn(InputSchema):
    kind: str = Field(
        max_length=40,
        examples=["note"],
        description="A type logged by hand: note, call, meeting, deal, purchase",
    )
    occurred_at: datetime | None = None
    payload: dict[str, Any] = Field(
        examples=[{"text": "约了10月25日看样"}],
        description='note, call, meeting: {"text", "minutes"}; deal, purchase: {"title", "amount"}',
    )


class InteractionOut(Schema):
    id: int
    kind: str
    occurred_at: datetime
    payload: dict[str, Any]
    source_ref: str
    author: str | None

    @staticmethod
    def resolve_author(interaction) -> str | None:
        return interaction.author.label if interaction.author_id else None


class TimelineQuery(Schema):
    kind: str = Field("", max_length=400, description="Interaction types, comma-separated (empty: all)")
    before: str = Field("", max_length=100, description="The next_cursor of the previous page")
    limit: int = Field(50, ge=1, le=200)


class TimelineOut(Schema):
    items: list[InteractionOut]
    next_cursor: str


class InteractionTypeOut(Schema):
    key: str
    label: str
    manual: bool


class ConsentIn(InputSchema):
    purpose: str = Field(max_length=40, pattern=r"^[a-z][a-z0-9_]{1,39}$", examples=["email_marketing"])
    status: Literal["granted", "denied", "withdrawn"]
    lawful_basis: Literal["consent", "contract", "legitimate_interest", "legal_obligation"] = "consent"
    source: str = Field("", max_length=100)
    form_id: str = Field("", max_length=60)
    text: str = Field("", max_length=5000)


class ConsentOut(Schema):
    id: int
    purpose: str
    status: str
    lawful_basis: str
    source: str
    recorded_at: datetime
    form_id: str
    ip_hash: str
    text: str


class ConsentSummaryOut(Schema):
    do_not_contact: bool
    purposes: dict[str, bool] = Field(description="purpose -> may_contact(contact, purpose)")
    history: list[ConsentOut]


class CompanyOut(Schema):
    id: int
    name: str
    website: str
    industry: str
    city: str
    contact_count: int = 0


class CompanyIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    website: str = Field("", max_length=300)
    industry: str = Field("", max_length=100)
    city: str = Field("", max_length=100)


class CompanyPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    website: str | None = Field(None, max_length=300)
    industry: str | None = Field(None, max_length=100)
    city: str | None = Field(None, max_length=100)


class TagOut(Schema):
    id: int
    name: str
    contact_count: int = 0


class TagIn(InputSchema):
    name: str = Field(min_length=1, max_length=60)


FieldKind = Literal["text", "number", "date", "choice", "multi_choice", "boolean"]


class CustomFieldOut(Schema):
    id: int
    key: str
    label: str
    kind: str
    choices: list[str]
    is_required: bool


class CustomFieldIn(InputSchema):
    key: str = Field(min_length=1, max_length=50, examples=["budget"], description="a-z, 0-9 and _")
    label: str = Field(min_length=1, max_length=100)
    kind: FieldKind
    choices: list[str] = Field(default_factory=list, max_length=100)
    is_required: StrictBool = False


class CustomFieldPatch(InputSchema):
    label: str | None = Field(None, min_length=1, max_length=100)
    choices: list[str] | None = Field(None, max_length=100)
    is_required: StrictBool | None = None


class ImportOptions(Schema):
    name: str = Field("", max_length=200, description="A name for the import (default: the file's name)")
    mapping: str = Field(
        "", max_length=20_000, pattern=r"^(\{[\s\S]*\})?$", description='JSON: {"CSV header": "field" or ""}'
    )
    overwrite: bool = False


class ImportOut(Schema):
    id: int
    filename: str
    status: str
    total_rows: int
    processed_rows: int
    created_count: int
    updated_count: int
    unchanged_count: int
    error_count: int
    errors: list[dict[str, Any]]
    message: str
    mapping: dict[str, str]
    created_at: datetime
    finished_at: datetime | None


class PreviewOut(Schema):
    encoding: str
    headers: list[str]
    mapping: dict[str, str]
    ignored: list[str]
    sample: list[dict[str, str]]
    dry_run: dict[str, Any]


class ExportOptions(Schema):
    q: str = Field("", max_length=100)
    stage: StageName | None = None
    chinese_headers: bool = False


class EraseOut(Schema):
    interactions: int
    consents: int
    identities: int
    audit_entries_scrubbed: int
    events_anonymised: int
