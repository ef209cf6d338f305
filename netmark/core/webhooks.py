"""Outbound webhooks: subscriptions, signed deliveries, retries with backoff.

``emit`` writes one pending ``WebhookDelivery`` per matching active subscription in the caller's
transaction and enqueues each after commit. ``deliver`` POSTs one delivery through ``core.http``.

A delivery row is claimed before every attempt with a conditional UPDATE of ``next_attempt_at`` to
a lease in the future, so two workers (the task queued by ``emit`` and the periodic retry, or two
consumers) never attempt the same delivery at once; a worker that dies mid-attempt leaves a lease
that expires, and the periodic retry picks the delivery up again. Receivers de-duplicate on the
payload ``id`` (one per emitted event, kept by redeliveries) or on ``X-Netmark-Delivery``.

Signature: ``X-Netmark-Signature: sha256=<hex HMAC-SHA256 of "<X-Netmark-Timestamp>.<body>">`` with
the subscription's secret, shown once when the subscription is created or its secret rotated.
"""

import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from datetime import datetime, timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from netmark.core import audit, http
from netmark.core.errors import Conflict, ValidationFailed
from netmark.core.models import WebhookDelivery, WebhookSubscription
from netmark.core.records import validate_and_save
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped

BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
LEASE = timedelta(minutes=10)  # far longer than one attempt (TIMEOUT)
TIMEOUT = 10.0
MAX_RESPONSE_BYTES = 1_000_000  # read and dropped; only the status counts
RETRY_BATCH = 200
EVENT_NAME = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
MAX_EVENTS = 50
SECRET_PREFIX = "whsec_"  # noqa: S105 - a public prefix, not a secret


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Netmark-Signature`` value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


# --- emitting and delivering ----------------------------------------------------------------------


def emit(workspace, event: str, payload: dict) -> list[WebhookDelivery]:
    """One pending delivery per active subscription listening to ``event``; sent after commit.

    ``payload`` is the event's data, JSON-serialisable with Django's encoder (dates, decimals, UUIDs).
    """
    if not (EVENT_NAME.fullmatch(event) and len(event) <= 60):
        raise ValueError(f"webhook event names look like plan.created, not {event!r}")
    now = timezone.now()
    body = {
        "id": uuid.uuid4().hex,
        "event": event,
        "created_at": now.isoformat(),
        "workspace": workspace.slug,
        "data": _storable(json.loads(json.dumps(payload, cls=DjangoJSONEncoder))),
    }
    subscriptions = scoped(WebhookSubscription, workspace).filter(is_active=True).order_by("pk")
    return [
        _new_delivery(subscription, event, body, now)
        for subscription in subscriptions
        if not subscription.events or event in subscription.events
    ]


def _storable(value):
    """``value`` with NUL characters replaced: PostgreSQL's jsonb cannot hold them, and a failed
    insert here would break the caller's transaction."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list):
        return [_storable(item) for item in value]
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    return value


def _new_delivery(subscription, event: str, body: dict, now: datetime) -> WebhookDelivery:
    delivery = WebhookDelivery.unscoped.create(
        workspace_id=subscription.workspace_id,
        subscription=subscription,
        event=event,
        delivery_id=uuid.uuid4().hex,
        payload=body,
        next_attempt_at=now,
    )
    delivery_id = delivery.delivery_id
    transaction.on_commit(lambda: _enqueue(delivery_id))
    return delivery


def _enqueue(delivery_id: str, lease: datetime | None = None) -> None:
    from netmark.core.tasks import deliver_webhook

    deliver_webhook(delivery_id, lease.isoformat() if lease else None)


def _claim(delivery_id: str, lease: datetime | None = None) -> WebhookDelivery | None:
    """Takes the delivery for one attempt: due now, or holding exactly the ``lease`` we were given."""
    now = timezone.now()
    rows = WebhookDelivery.unscoped.filter(delivery_id=delivery_id, status=WebhookDelivery.Status.PENDING)
    if lease is None:
        rows = rows.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    else:
        rows = rows.filter(next_attempt_at=lease)
    if rows.update(next_attempt_at=now + LEASE, updated_at=now) != 1:
        return None
    return WebhookDelivery.unscoped.select_related("subscription", "workspace").get(delivery_id=delivery_id)


def deliver(delivery_id: str, lease: str | datetime | None = None) -> WebhookDelivery | None:
    """Attempts one delivery if it is pending and due (or leased to us); idempotent.

    Returns the delivery after the attempt, or None when there was nothing to do (already
    delivered or failed, not due, or being attempted by another worker).
    """
    if isinstance(lease, str):
        lease = datetime.fromisoformat(lease)
    delivery = _claim(delivery_id, lease)
    if delivery is None:
        return None
    status, error = _attempt(delivery)
    _record_attempt(delivery, status, error)
    return delivery


def _attempt(delivery: WebhookDelivery) -> tuple[int | None, str]:
    subscription = delivery.subscription
    if not subscription.is_active:
        return None, "the subscription is paused"
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Netmark-Event": delivery.event,
        "X-Netmark-Delivery": delivery.delivery_id,
        "X-Netmark-Timestamp": timestamp,
        "X-Netmark-Signature": signature(subscription.secret, timestamp, body),
    }
    try:
        response = http.fetch(
            subscription.url,
            method="POST",
            headers=headers,
            content=body,
            timeout=TIMEOUT,
            max_bytes=MAX_RESPONSE_BYTES,
            follow_redirects=False,
        )
    except http.OutboundError as exc:
        return None, str(exc)
    return response.status, "" if 200 <= response.status < 300 else f"HTTP {response.status}"


def _record_attempt(delivery: WebhookDelivery, status: int | None, error: str) -> None:
    now = timezone.now()
    attempts = delivery.attempts + 1
    succeeded = not error and status is not None
    if succeeded:
        outcome, next_attempt_at = WebhookDelivery.Status.DELIVERED, None
    elif attempts >= MAX_ATTEMPTS or not delivery.subscription.is_active:
        outcome, next_attempt_at = WebhookDelivery.Status.FAILED, None
    else:
        outcome, next_attempt_at = WebhookDelivery.Status.PENDING, now + BACKOFF[attempts - 1]
    changes = {
        "status": outcome,
        "attempts": attempts,
        "next_attempt_at": next_attempt_at,
        "response_status": status,
        "last_error": error[:500],
        "updated_at": now,
    }
    # Only the holder of the lease records; a worker whose lease expired and was re-claimed does not.
    WebhookDelivery.unscoped.filter(pk=delivery.pk, next_attempt_at=delivery.next_attempt_at).update(
        **changes
    )
    for name, value in changes.items():
        setattr(delivery, name, value)


def retry_due_deliveries(limit: int = RETRY_BATCH) -> list[str]:
    """Claims pending deliveries that are due and enqueues one attempt each; returns their ids.

    Idempotent and safe to run concurrently: each row is claimed by a conditional UPDATE, and the
    queued attempt runs only while it still holds that claim.
    """
    now = timezone.now()
    due = WebhookDelivery.unscoped.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
    candidates = list(due.order_by("next_attempt_at").values_list("delivery_id", flat=True)[:limit])
    lease = now + LEASE
    claimed = []
    for delivery_id in candidates:
        if due.filter(delivery_id=delivery_id).update(next_attempt_at=lease, updated_at=now) == 1:
            claimed.append(delivery_id)
            transaction.on_commit(lambda delivery_id=delivery_id: _enqueue(delivery_id, lease))
    return claimed


# --- subscriptions (owners only: URLs and secrets are integration settings) -----------------------


def list_subscriptions(member):
    require(member, Capability.ADMINISTER)
    return scoped(WebhookSubscription, member.workspace)


def get_subscription_for(member, subscription_id) -> WebhookSubscription:
    require(member, Capability.ADMINISTER)
    return get_for(WebhookSubscription, member.workspace, subscription_id)


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    try:
        http.check_target(url)
    except http.OutboundBlocked:
        raise ValidationFailed(
            fields={"url": _("Enter an http or https URL that is reachable from the internet.")}
        ) from None
    return url


def _clean_events(events) -> list[str]:
    events = list(dict.fromkeys(events or []))
    if len(events) > MAX_EVENTS:
        raise ValidationFailed(fields={"events": _("At most %d events.") % MAX_EVENTS})
    bad = [event for event in events if not (isinstance(event, str) and EVENT_NAME.fullmatch(event))]
    if bad or any(len(event) > 60 for event in events):
        raise ValidationFailed(fields={"events": _("Event names look like plan.created.")})
    return events


def _clean_description(description: str | None) -> str:
    description = (description or "").strip()
    if "\x00" in description:
        raise ValidationFailed(fields={"description": _("Remove the control characters.")})
    return description


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_hex(24)


@transaction.atomic
def create_subscription(member, url: str, events=None, description: str = "") -> WebhookSubscription:
    """A new subscription; its ``secret`` is readable on the returned object and never shown again."""
    require(member, Capability.ADMINISTER)
    subscription = WebhookSubscription(
        workspace=member.workspace,
        url=_clean_url(url),
        events=_clean_events(events),
        description=_clean_description(description),
        secret=_new_secret(),
    )
    validate_and_save(subscription, exclude=["events"])  # empty means every event; checked above
    changes = {
        "url": subscription.url,
        "events": subscription.events,
        "description": subscription.description,
    }
    audit.record(member, "webhooksubscription.created", subscription, changes)
    return subscription


@transaction.atomic
def update_subscription(member, subscription_id, **data) -> WebhookSubscription:
    """Changes any of ``url``, ``events``, ``description`` and ``is_active``."""
    subscription = get_subscription_for(member, subscription_id)
    unknown = set(data) - {"url", "events", "description", "is_active"}
    if unknown:
        raise ValidationFailed(fields={name: _("This field cannot be changed.") for name in unknown})
    if "url" in data:
        data["url"] = _clean_url(data["url"])
    if "events" in data:
        data["events"] = _clean_events(data["events"])
    if "description" in data:
        data["description"] = _clean_description(data["description"])
    changes = audit.diff(subscription, data)
    for name, value in data.items():
        setattr(subscription, name, value)
    validate_and_save(subscription, exclude=["events"])  # empty means every event; checked above
    if changes:
        audit.record(member, "webhooksubscription.updated", subscription, changes)
    return subscription


@transaction.atomic
def rotate_secret(member, subscription_id) -> WebhookSubscription:
    """A new secret for the subscription, readable on the returned object this once."""
    subscription = get_subscription_for(member, subscription_id)
    subscription.secret = _new_secret()
    subscription.save(update_fields=["secret", "updated_at"])
    audit.record(member, "webhooksubscription.secret_rotated", subscription)
    return subscription


@transaction.atomic
def delete_subscription(member, subscription_id) -> None:
    subscription = get_subscription_for(member, subscription_id)
    audit.record(member, "webhooksubscription.deleted", subscription)
    subscription.delete()


def list_deliveries(member, subscription_id, *, status: str | None = None):
    subscription = get_subscription_for(member, subscription_id)
    deliveries = scoped(WebhookDelivery, member.workspace).filter(subscription=subscription)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries


@transaction.atomic
def redeliver(member, delivery_id) -> WebhookDelivery:
    """Sends a delivery's payload again as a new delivery (new ``X-Netmark-Delivery``, same payload)."""
    require(member, Capability.ADMINISTER)
    original = get_for(WebhookDelivery, member.workspace, delivery_id)
    subscription = original.subscription
    if not subscription.is_active:
        raise Conflict(_("The subscription is paused; resume it first."))
    delivery = _new_delivery(subscription, original.event, original.payload, timezone.now())
    audit.record(member, "webhookdelivery.redelivered", delivery, {"original": original.delivery_id})
    return delivery
