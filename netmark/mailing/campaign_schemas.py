"""API schemas of lists, subscriptions and campaigns (names prefixed: schema names are global)."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StrictBool

from netmark.core.apitypes import InputSchema
from netmark.mailing.schemas import EMAIL, NO_NUL, Whole

Language = Literal["zh-hans", "en"]
Metric = Literal["opens", "clicks"]


class MailingListIn(InputSchema):
    name: str = Field(max_length=100, min_length=1, pattern=NO_NUL)
    language: Language = "zh-hans"
    smtp_server_id: int | None = Field(None, description="Sends the confirmation emails.")
    plan_id: int | None = Field(None, description="The promotion the list serves.")
    description: str = Field("", max_length=500, pattern=NO_NUL)
    is_public: StrictBool = Field(False, description="Shown in the preference centre.")


class MailingListPatch(InputSchema):
    name: str = Field(None, max_length=100, min_length=1, pattern=NO_NUL)
    language: Language = None
    smtp_server_id: int | None = None
    plan_id: int | None = None
    description: str = Field(None, max_length=500, pattern=NO_NUL)
    is_public: StrictBool = None


class MailingListOut(Schema):
    id: int
    name: str
    language: str
    smtp_server_id: int | None
    plan_id: int | None
    description: str
    is_public: bool
    counts: dict[str, int] = Field(description="Subscriptions per status.")
    created_at: datetime


class MailingSubscribeIn(InputSchema):
    email: str = Field(max_length=254, pattern=EMAIL, examples=["wang.fang@example.com"])
    name: str = Field("", max_length=200, pattern=NO_NUL)
    language: Language | Literal[""] = ""
    source: str = Field("api", max_length=100, pattern=NO_NUL)


class MailingSubscriptionOut(Schema):
    id: int
    contact_id: int
    email: str
    status: str = Field(description="unconfirmed, confirmed or unsubscribed")
    source: str
    subscribed_at: datetime
    confirmation_sent_at: datetime | None
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None


class MailingSubscriptionFilters(Schema):
    status: Literal["unconfirmed", "confirmed", "unsubscribed"] | None = None


class CampaignIn(InputSchema):
    name: str = Field(max_length=200, min_length=1, pattern=NO_NUL)
    mailing_list_id: int | None = None
    segment_id: int | None = Field(
        None, description="A contacts segment: alone, or narrowing the list to its subscribers in it."
    )
    plan_id: int | None = Field(None, description="The promotion: results flow into its evaluation.")
    smtp_server_id: int | None = None
    from_name: str = Field("", max_length=100, pattern=NO_NUL)
    from_email: str = Field("", max_length=254, description="Default: the SMTP server's sender.")
    subject: str = Field(
        max_length=500, min_length=1, examples=['{{ contact.first_name | default("朋友") }}，新茶到了']
    )
    html: str = Field(max_length=500_000, min_length=1, examples=["<p>春茶上市</p>"])
    text: str = Field("", max_length=500_000, description="Default: derived from the HTML.")
    test_percent: Whole = Field(0, ge=0, le=50, description="A/B test share of the audience, per cent.")
    test_wait_minutes: Whole = Field(240, ge=1, le=10_080)
    test_metric: Metric = "opens"
    test_alpha: float = Field(0.05, ge=0.001, le=0.2)
    fallback_variant: str = Field("", max_length=20, description="Sent when no winner is significant.")


class CampaignPatch(InputSchema):
    name: str = Field(None, max_length=200, min_length=1, pattern=NO_NUL)
    mailing_list_id: int | None = None
    segment_id: int | None = None
    plan_id: int | None = None
    smtp_server_id: int | None = None
    from_name: str = Field(None, max_length=100, pattern=NO_NUL)
    from_email: str = Field(None, max_length=254)
    subject: str = Field(None, max_length=500, min_length=1)
    html: str = Field(None, max_length=500_000, min_length=1)
    text: str = Field(None, max_length=500_000)
    test_percent: Whole = Field(None, ge=0, le=50)
    test_wait_minutes: Whole = Field(None, ge=1, le=10_080)
    test_metric: Metric = None
    test_alpha: float = Field(None, ge=0.001, le=0.2)
    fallback_variant: str = Field(None, max_length=20)


class CampaignVariantIn(Schema):
    key: str = Field(max_length=20, pattern=r"^[A-Za-z0-9]{1,20}$", examples=["A"])
    subject: str = Field(max_length=500, min_length=1)
    html: str = Field("", max_length=500_000, description="Default: the campaign's HTML.")


class CampaignVariantsIn(InputSchema):
    variants: list[CampaignVariantIn] = Field(max_length=5)


class CampaignVariantOut(Schema):
    key: str
    subject: str
    html: str


class CampaignStatusIn(InputSchema):
    status: Literal["sending", "paused", "cancelled"] = Field(
        description="sending: start a draft (at ``at``, or now) or resume a paused campaign"
    )
    at: datetime | None = Field(None, description="Schedule the start instead of sending now.")


class CampaignOut(Schema):
    id: int
    name: str
    mailing_list_id: int | None
    segment_id: int | None
    plan_id: int | None
    smtp_server_id: int | None
    from_name: str
    from_email: str
    subject: str
    html: str
    text: str
    status: str
    scheduled_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    test_percent: int
    test_wait_minutes: int
    test_metric: str
    test_alpha: float
    fallback_variant: str
    winner: str
    problem: str
    variants: list[CampaignVariantOut]
    created_at: datetime


AttributionModel = Literal[
    "last_touch", "first_touch", "last_non_direct", "linear", "time_decay", "position_based", "markov",
    "shapley",
]  # fmt: skip
GoalText = Annotated[str, Field(pattern="^(event|page):.", max_length=500)]


class CampaignReportQuery(Schema):
    model: AttributionModel = Field("last_touch", description="Attribution model (last touch: last click)")
    goal: list[GoalText] = Field(
        default_factory=list, max_length=20,
        description="event:<name> or page:<pattern>; none: every sale (conversions, events with revenue)",
    )  # fmt: skip
    start: date | None = Field(None, description="First day (default: the day the campaign started)")
    end: date | None = Field(None, description="Last day, inclusive (default: today)")


class CampaignCreditOut(Schema):
    conversions: float
    revenue: float


class CampaignAttributionOut(Schema):
    model: str = Field(description="The attribution model used")
    models: list[str]
    goals: list[str]
    start: date | None
    end: date | None
    variants: dict[str, CampaignCreditOut] = Field(description="Per variant ('' without A/B)")
    conversions: float = Field(description="Credited to the campaign (may be fractional)")
    revenue: float
    all_conversions: int = Field(description="Every conversion of the workspace's sites in the period")
    all_revenue: float


class CampaignProgressOut(Schema):
    status: str
    total: int
    states: dict[str, int] = Field(
        description="Recipients per state: held, pending, claimed, sending, sent, ..."
    )
    uncertain: int = Field(
        description="Messages that may have gone out twice (in flight at a crash or a cut)."
    )
    done_percent: float
    variants: dict[str, dict[str, int]]
    winner: str
    decision: dict
    engagement: dict[str, dict] = Field(
        description="Per variant ('' without A/B): sent, delivered, human_opens, machine_opens, clicks,"
        " human_clickers, scanner_clicks, clicks_per_link, bounces {hard, soft}, complaints, unsubscribes"
    )
    attribution: CampaignAttributionOut | None = Field(
        None, description="Conversions and revenue its clicks brought (None before it started)"
    )
