"""Outbound webhooks: one delivery per subscription per event, signed, sent after commit, retried.

A real receiver listens on 127.0.0.1; private addresses are allowed for it through settings.
"""

import hashlib
import hmac
import json
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from netmark.core import webhooks
from netmark.core.models import WebhookDelivery
from netmark.core.scoping import scoped
from netmark.core.tests.servers import serving

Status = WebhookDelivery.Status


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    settings.ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def receiver():
    """A loopback receiver answering the statuses queued in ``receiver.statuses``, then 200."""
    statuses: list[int] = []

    def respond(request):
        request.answer(statuses.pop(0) if statuses else 200, b"received")

    with serving(respond) as server:
        server.statuses = statuses
        yield server


def subscribe(team, url, events=(), **changes):
    subscription = webhooks.create_subscription(team.owner, url, list(events), "云岭 CRM")
    if changes:
        webhooks.update_subscription(team.owner, subscription.pk, **changes)
    return subscription


def emit_committed(team, capture, event="plan.created", data=None):
    with capture(execute=True):
        return webhooks.emit(team.workspace, event, data or {"name": "春季推广", "budget": "5000.00"})


def make_due(delivery):
    WebhookDelivery.unscoped.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_emit_creates_one_pending_delivery_per_matching_active_subscription(
    team_a, receiver, django_capture_on_commit_callbacks
):
    every = subscribe(team_a, receiver.url("/all"))
    plans = subscribe(team_a, receiver.url("/plans"), ["plan.created", "plan.updated"])
    subscribe(team_a, receiver.url("/links"), ["link.clicked"])
    subscribe(team_a, receiver.url("/paused"), is_active=False)
    with django_capture_on_commit_callbacks() as callbacks:
        deliveries = webhooks.emit(team_a.workspace, "plan.created", {"name": "春季推广"})
    assert sorted(d.subscription_id for d in deliveries) == sorted([every.pk, plans.pk])
    assert scoped(WebhookDelivery, team_a.workspace).count() == 2
    assert len(callbacks) == 2
    assert receiver.requests == []
    first, second = deliveries
    assert first.delivery_id != second.delivery_id and len(first.delivery_id) == 32
    assert first.payload == second.payload
    assert set(first.payload) == {"id", "event", "created_at", "workspace", "data"}
    assert (first.payload["event"], first.payload["workspace"], first.payload["data"]) == (
        "plan.created",
        "ws-a",
        {"name": "春季推广"},
    )
    assert {(d.status, d.attempts) for d in deliveries} == {(Status.PENDING, 0)}


def test_emit_without_subscribers_writes_nothing(
    team_a, team_b, receiver, django_capture_on_commit_callbacks
):
    subscribe(team_b, receiver.url())
    with django_capture_on_commit_callbacks() as callbacks:
        assert webhooks.emit(team_a.workspace, "plan.created", {}) == []
    assert callbacks == []
    assert not scoped(WebhookDelivery, team_a.workspace).exists()


def test_deliveries_are_sent_only_after_commit(team_a, receiver, django_capture_on_commit_callbacks):
    subscribe(team_a, receiver.url())
    with django_capture_on_commit_callbacks() as callbacks:
        (delivery,) = webhooks.emit(team_a.workspace, "plan.created", {"name": "夏季"})
        assert receiver.connections == 0
    for callback in callbacks:
        callback()
    delivery.refresh_from_db()
    assert (delivery.status, len(receiver.requests)) == (Status.DELIVERED, 1)


def test_a_rolled_back_emit_sends_nothing(team_a, receiver, django_capture_on_commit_callbacks):
    subscribe(team_a, receiver.url())
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        webhooks.emit(team_a.workspace, "plan.created", {"name": "作废"})
        raise RuntimeError("the plan could not be saved")
    assert callbacks == []
    assert not scoped(WebhookDelivery, team_a.workspace).exists()
    assert receiver.connections == 0


def test_a_delivery_is_signed_with_the_subscription_secret(
    team_a, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(team_a, receiver.url("/hooks/netmark"))
    before = int(time.time())
    (delivery,) = emit_committed(team_a, django_capture_on_commit_callbacks)
    (request,) = receiver.requests
    timestamp = request.headers["X-Netmark-Timestamp"]
    expected = hmac.new(subscription.secret.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256)
    assert request.headers["X-Netmark-Signature"] == "sha256=" + expected.hexdigest()
    assert before <= int(timestamp) <= time.time()
    assert (request.method, request.path) == ("POST", "/hooks/netmark")
    assert request.headers["X-Netmark-Event"] == "plan.created"
    assert request.headers["X-Netmark-Delivery"] == delivery.delivery_id
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "春季推广".encode() in request.body
    assert json.loads(request.body) == delivery.payload
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (Status.DELIVERED, 1, 200)
    assert (delivery.next_attempt_at, delivery.last_error) == (None, "")


def test_a_changed_body_does_not_match_the_signature(team_a, receiver, django_capture_on_commit_callbacks):
    subscription = subscribe(team_a, receiver.url())
    emit_committed(team_a, django_capture_on_commit_callbacks)
    (request,) = receiver.requests
    tampered = request.body.replace(b"5000.00", b"9000.00")
    timestamp = request.headers["X-Netmark-Timestamp"]
    assert (
        webhooks.signature(subscription.secret, timestamp, tampered) != request.headers["X-Netmark-Signature"]
    )
    assert (
        webhooks.signature(subscription.secret, timestamp, request.body)
        == request.headers["X-Netmark-Signature"]
    )


def test_a_failing_receiver_is_retried_with_backoff_then_given_up(
    team_a, receiver, django_capture_on_commit_callbacks
):
    subscribe(team_a, receiver.url())
    receiver.statuses.extend([500] * 6)
    started = timezone.now()
    (delivery,) = emit_committed(team_a, django_capture_on_commit_callbacks)
    for attempt, wait in enumerate([1, 5, 30, 120, 720], start=1):
        finished = timezone.now()
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (Status.PENDING, attempt)
        assert (delivery.response_status, delivery.last_error) == (500, "HTTP 500")
        assert (
            started + timedelta(minutes=wait)
            <= delivery.next_attempt_at
            <= finished + timedelta(minutes=wait)
        )
        assert webhooks.retry_due_deliveries() == []
        make_due(delivery)
        started = timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            assert webhooks.retry_due_deliveries() == [delivery.delivery_id]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (Status.FAILED, 6, None)
    assert len(receiver.requests) == 6
    assert webhooks.retry_due_deliveries() == []


def test_a_receiver_that_recovers_gets_the_delivery_on_the_retry(
    team_a, receiver, django_capture_on_commit_callbacks
):
    subscribe(team_a, receiver.url())
    receiver.statuses.append(503)
    (delivery,) = emit_committed(team_a, django_capture_on_commit_callbacks)
    make_due(delivery)
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.retry_due_deliveries()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (Status.DELIVERED, 2, 200)
    assert [r.headers["X-Netmark-Delivery"] for r in receiver.requests] == [delivery.delivery_id] * 2


def test_racing_workers_attempt_a_due_delivery_once(team_a, receiver, django_capture_on_commit_callbacks):
    subscribe(team_a, receiver.url())
    with django_capture_on_commit_callbacks() as emitted:
        (delivery,) = webhooks.emit(team_a.workspace, "plan.created", {})
    with django_capture_on_commit_callbacks() as first_worker:
        assert webhooks.retry_due_deliveries() == [delivery.delivery_id]
    with django_capture_on_commit_callbacks() as second_worker:
        assert webhooks.retry_due_deliveries() == []
    assert second_worker == []
    for callback in emitted + first_worker + first_worker:  # the emit task runs late; a message repeats
        callback()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, len(receiver.requests)) == (Status.DELIVERED, 1, 1)


def test_delivering_again_after_success_does_nothing(team_a, receiver, django_capture_on_commit_callbacks):
    subscribe(team_a, receiver.url())
    (delivery,) = emit_committed(team_a, django_capture_on_commit_callbacks)
    assert webhooks.deliver(delivery.delivery_id) is None
    assert webhooks.deliver("0" * 32) is None
    assert len(receiver.requests) == 1


def test_an_attempt_holding_an_old_lease_does_nothing(team_a, receiver, django_capture_on_commit_callbacks):
    subscribe(team_a, receiver.url())
    with django_capture_on_commit_callbacks():
        (delivery,) = webhooks.emit(team_a.workspace, "plan.created", {})
    stale = (timezone.now() - timedelta(minutes=30)).isoformat()
    assert webhooks.deliver(delivery.delivery_id, stale) is None
    assert receiver.connections == 0


def test_a_private_receiver_is_refused_when_private_addresses_are_not_allowed(
    settings, team_a, receiver, django_capture_on_commit_callbacks
):
    subscribe(team_a, receiver.url())
    settings.ALLOW_PRIVATE_ADDRESSES = False
    (delivery,) = emit_committed(team_a, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (Status.PENDING, 1, None)
    assert "127.0.0.1 is a private address" in delivery.last_error
    assert receiver.connections == 0


def test_a_redirecting_receiver_is_not_followed(team_a, django_capture_on_commit_callbacks):
    with serving(lambda request: request.answer(302, b"", {"Location": "/elsewhere"})) as moved:
        subscribe(team_a, moved.url("/hook"))
        (delivery,) = emit_committed(team_a, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_status, delivery.last_error) == (
        Status.PENDING,
        302,
        "HTTP 302",
    )
    assert [r.path for r in moved.requests] == ["/hook"]


def test_deliveries_of_a_paused_subscription_fail_without_sending(
    team_a, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(team_a, receiver.url())
    with django_capture_on_commit_callbacks() as callbacks:
        (delivery,) = webhooks.emit(team_a.workspace, "plan.created", {})
    webhooks.update_subscription(team_a.owner, subscription.pk, is_active=False)
    for callback in callbacks:
        callback()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == (Status.FAILED, "the subscription is paused")
    assert receiver.connections == 0


def test_the_delivery_task_takes_json_arguments_only(team_a, receiver, django_capture_on_commit_callbacks):
    from netmark.core.tasks import deliver_webhook

    subscribe(team_a, receiver.url())
    with django_capture_on_commit_callbacks():
        (delivery,) = webhooks.emit(team_a.workspace, "plan.created", {})
    with pytest.raises(TypeError, match="task arguments must be JSON"):
        deliver_webhook(delivery)
    deliver_webhook(delivery.delivery_id)
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED


def test_payload_values_are_stored_as_json_without_nul_characters(
    team_a, receiver, django_capture_on_commit_callbacks
):
    subscribe(team_a, receiver.url())
    data = {"amount": Decimal("19.90"), "day": date(2026, 5, 1), "note": "a\x00b", "tags": ["\x00"]}
    (delivery,) = emit_committed(team_a, django_capture_on_commit_callbacks, data=data)
    delivery.refresh_from_db()
    assert delivery.payload["data"] == {
        "amount": "19.90",
        "day": "2026-05-01",
        "note": "a\ufffdb",
        "tags": ["\ufffd"],
    }
    assert json.loads(receiver.requests[0].body)["data"] == delivery.payload["data"]


@pytest.mark.parametrize("event", ["Plan Created", "plan.", "", "x" * 61])
def test_emitting_a_malformed_event_name_is_a_programming_error(team_a, event):
    with pytest.raises(ValueError, match="webhook event names look like plan.created"):
        webhooks.emit(team_a.workspace, event, {})
