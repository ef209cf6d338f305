"""Webhook subscriptions API: subscriptions, their deliveries, redelivery. Owners only."""

from datetime import datetime
from typing import Annotated

from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from netmark.core import webhooks
from netmark.core.apitools import given
from netmark.core.apitypes import ErrorOut, InputSchema, responses
from netmark.core.pagination import Page

router = Router(tags=["webhooks"])

EVENTS_HELP = "Event names such as plan.created; an empty list subscribes to every event."
URL_HELP = "An http or https URL whose host is not a private, loopback or link-local address."
URL_PATTERN = r"^https?://\S+$"
NO_NUL = r"^[^\x00]*$"
EventName = Annotated[str, Field(pattern=f"^{webhooks.EVENT_NAME.pattern}$", max_length=60)]


class WebhookIn(InputSchema):
    url: str = Field(
        pattern=URL_PATTERN,
        max_length=500,
        description=URL_HELP,
        examples=["https://example.com/hooks/netmark"],
    )
    events: list[EventName] = Field(
        default_factory=list, max_length=webhooks.MAX_EVENTS, description=EVENTS_HELP
    )
    description: str = Field("", max_length=200, pattern=NO_NUL)


class WebhookPatch(InputSchema):
    """Fields left out stay as they are; none of them may be null."""

    url: str = Field(None, pattern=URL_PATTERN, max_length=500, description=URL_HELP)
    events: list[EventName] = Field(None, max_length=webhooks.MAX_EVENTS, description=EVENTS_HELP)
    description: str = Field(None, max_length=200, pattern=NO_NUL)
    is_active: bool = None


class WebhookOut(Schema):
    id: int
    url: str
    events: list[str]
    description: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


class WebhookSecretOut(WebhookOut):
    secret: str = Field(description="The signing secret. Shown only now; store it.")


class DeliveryOut(Schema):
    id: int
    delivery_id: str
    event: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    response_status: int | None
    last_error: str
    payload: dict
    created_at: datetime
    updated_at: datetime


@router.get("/webhooks", response=responses({200: list[WebhookOut]}))
@paginate(Page)
def list_webhooks(request):
    return webhooks.list_subscriptions(request.member)


@router.post("/webhooks", response=responses({201: WebhookSecretOut}))
def create_webhook(request, payload: WebhookIn):
    return Status(201, webhooks.create_subscription(request.member, **payload.model_dump()))


@router.get("/webhooks/{webhook_id}", response=responses({200: WebhookOut}))
def get_webhook(request, webhook_id: int):
    return webhooks.get_subscription_for(request.member, webhook_id)


@router.patch("/webhooks/{webhook_id}", response=responses({200: WebhookOut}))
def update_webhook(request, webhook_id: int, payload: WebhookPatch):
    return webhooks.update_subscription(request.member, webhook_id, **given(payload))


@router.delete("/webhooks/{webhook_id}", response=responses({204: None}))
def delete_webhook(request, webhook_id: int):
    webhooks.delete_subscription(request.member, webhook_id)
    return Status(204, None)


@router.post("/webhooks/{webhook_id}/rotate-secret", response=responses({200: WebhookSecretOut}))
def rotate_webhook_secret(request, webhook_id: int):
    return webhooks.rotate_secret(request.member, webhook_id)


@router.get("/webhooks/{webhook_id}/deliveries", response=responses({200: list[DeliveryOut]}))
@paginate(Page)
def list_webhook_deliveries(request, webhook_id: int, status: str | None = None):
    return webhooks.list_deliveries(request.member, webhook_id, status=status)


@router.post(
    "/webhooks/deliveries/{delivery_id}/redeliver", response=responses({201: DeliveryOut, 409: ErrorOut})
)
def redeliver_webhook(request, delivery_id: int):
    return Status(201, webhooks.redeliver(request.member, delivery_id))
