"""API schemas of the capture app: forms, their submissions, landing pages."""

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from netmark.capture.public import image_src, public_url
from netmark.core.apitypes import Id, InputSchema

CaptureLanguage = Literal["en", "zh-hans"]
# What the services accept: an absolute http(s) URL with a host, or nothing.
WEB_URL = r"""^(https?://[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]{1,5})?([/?#][^\s<>"'\\\x00-\x1f\x7f]*)?)?$"""
SOME_TEXT = r"\S"
FIELD_EXAMPLE = [{"key": "email", "label": "邮箱 Email", "required": True}]


class CaptureFieldIn(InputSchema):
    key: str = Field(
        max_length=60,
        description="name, email, phone, wechat_id, company_name, title, city, message, or custom:<key>.",
        examples=["email"],
    )
    label: str = Field("", max_length=200, description="Empty: the field's usual label.")
    required: bool = False
    kind: str = Field("", max_length=20, description="Empty: from the key; text fields may be textarea.")


class CaptureFieldOut(Schema):
    key: str
    label: str
    required: bool
    kind: str


class CaptureFormIn(InputSchema):
    name: str = Field(max_length=200, min_length=1, pattern=SOME_TEXT)
    language: CaptureLanguage = "zh-hans"
    fields: list[CaptureFieldIn] = Field(min_length=1, max_length=30, examples=[FIELD_EXAMPLE])
    submit_label: str = Field("", max_length=60)
    consent_text: str = Field("", max_length=5000, description="Empty: no consent checkbox.")
    consent_purpose: str = Field("email_marketing", pattern=r"^[a-z][a-z0-9_]{1,39}$")
    thank_you_message: str = Field("", max_length=5000)
    redirect_url: str = Field(
        "", max_length=500, pattern=WEB_URL, description="http:// or https:// only; empty: the message."
    )
    site_id: Id | None = Field(None, description="The site the goal event form_submitted belongs to.")
    tags: list[str] = Field(default_factory=list, max_length=20)
    plan_id: Id | None = Field(None, description="A promotion: new contacts get it as their source.")
    mailing_list_id: Id | None = Field(
        None, description="A mailing list: who ticks the consent box gets a double opt-in email."
    )
    is_active: bool = True


class CaptureFormPatch(InputSchema):
    """Only the fields given change."""

    name: str = Field(None, max_length=200, min_length=1, pattern=SOME_TEXT)
    language: CaptureLanguage = None
    fields: list[CaptureFieldIn] = Field(None, min_length=1, max_length=30)
    submit_label: str = Field(None, max_length=60)
    consent_text: str = Field(None, max_length=5000)
    consent_purpose: str = Field(None, pattern=r"^[a-z][a-z0-9_]{1,39}$")
    thank_you_message: str = Field(None, max_length=5000)
    redirect_url: str = Field(None, max_length=500, pattern=WEB_URL)
    site_id: Id | None = None
    tags: list[str] = Field(None, max_length=20)
    plan_id: Id | None = None
    mailing_list_id: Id | None = None
    is_active: bool = None


class CaptureFormOut(Schema):
    id: int
    public_id: str = Field(description="The unguessable id in the public URLs.")
    name: str
    language: str
    fields: list[CaptureFieldOut]
    submit_label: str
    consent_text: str
    consent_purpose: str
    thank_you_message: str
    redirect_url: str
    site_id: int | None
    tags: list[str]
    plan_id: int | None
    mailing_list_id: int | None
    is_active: bool
    hosted_url: str
    embed_script_url: str
    iframe_url: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_hosted_url(form) -> str:
        return f"{public_url()}/f/{form.public_id}/"

    @staticmethod
    def resolve_embed_script_url(form) -> str:
        return f"{public_url()}/f/{form.public_id}/embed.js"

    @staticmethod
    def resolve_iframe_url(form) -> str:
        return f"{public_url()}/f/{form.public_id}/frame/"


class CaptureSubmissionOut(Schema):
    id: int
    contact_id: int
    values: dict
    consent_given: bool
    contact_created: bool
    page_url: str
    created_at: datetime


class CapturePageIn(InputSchema):
    slug: str = Field(max_length=80, pattern=r"^[a-z0-9][a-z0-9-]*$", examples=["spring-tea"])
    title: str = Field(max_length=200, min_length=1, pattern=SOME_TEXT)
    headline: str = Field("", max_length=300)
    body: str = Field("", max_length=50_000, description="Markdown; HTML in it is shown as text.")
    image_url: str = Field("", max_length=500, pattern=WEB_URL, description="http:// or https://.")
    image_alt_en: str = Field("", max_length=300, description="The image's description in English.")
    image_alt_zh: str = Field("", max_length=300, description="The image's description in Chinese.")
    form_id: Id | None = None
    language: CaptureLanguage = "zh-hans"
    site_id: Id | None = Field(None, description="The tracker on the page reports to this site.")
    is_published: bool = False


class CapturePagePatch(InputSchema):
    slug: str = Field(None, max_length=80, pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str = Field(None, max_length=200, min_length=1, pattern=SOME_TEXT)
    headline: str = Field(None, max_length=300)
    body: str = Field(None, max_length=50_000)
    image_url: str = Field(None, max_length=500, pattern=WEB_URL)
    image_alt_en: str = Field(None, max_length=300)
    image_alt_zh: str = Field(None, max_length=300)
    form_id: Id | None = None
    language: CaptureLanguage = None
    site_id: Id | None = None
    is_published: bool = None


class CapturePageOut(Schema):
    id: int
    slug: str
    title: str
    headline: str
    body: str
    image_url: str
    uploaded_image_url: str = Field(description="The uploaded image's public address, or empty.")
    image_width: int | None
    image_height: int | None
    image_alt_en: str
    image_alt_zh: str
    form_id: int | None
    language: str
    site_id: int | None
    is_published: bool
    public_url: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_public_url(page) -> str:
        return f"{public_url()}/p/{page.workspace.slug}/{page.slug}/"

    @staticmethod
    def resolve_uploaded_image_url(page) -> str:
        return f"{public_url()}{image_src(page)}" if page.image_name else ""
