"""Webhook subscriptions through the services and the API: owners only, secrets shown once, 404 abroad."""

import json

import pytest

from netmark.core import webhooks
from netmark.core.errors import Conflict, PermissionDenied, ValidationFailed
from netmark.core.models import AuditEntry, WebhookDelivery, WebhookSubscription
from netmark.core.roles import Role
from netmark.core.scoping import scoped

HOOK_URL = "https://hooks.example.com/netmark"


def post(client, path, data=None):
    return client.post(path, data or {}, content_type="application/json")


def patch(client, path, data):
    return client.patch(path, data, content_type="application/json")


def test_owner_creates_a_subscription_with_a_fresh_secret(team_a):
    subscription = webhooks.create_subscription(team_a.owner, HOOK_URL, ["plan.created"], "企业微信 机器人")
    other = webhooks.create_subscription(team_a.owner, HOOK_URL, [], "")
    assert subscription.secret.startswith("whsec_") and len(subscription.secret) == 54
    assert subscription.secret != other.secret
    assert (subscription.events, subscription.description, subscription.is_active) == (
        ["plan.created"],
        "企业微信 机器人",
        True,
    )


def test_the_audit_log_never_holds_the_secret(team_a):
    subscription = webhooks.create_subscription(team_a.owner, HOOK_URL, [], "")
    webhooks.rotate_secret(team_a.owner, subscription.pk)
    entries = scoped(AuditEntry, team_a.workspace).filter(object_type="webhooksubscription")
    assert sorted(entries.values_list("action", flat=True)) == [
        "webhooksubscription.created",
        "webhooksubscription.secret_rotated",
    ]
    assert "whsec_" not in json.dumps(list(entries.values_list("changes", flat=True)))


@pytest.mark.parametrize("role", [Role.PLANNER, Role.IMPLEMENTER, Role.VIEWER])
def test_only_owners_manage_subscriptions(team_a, role):
    with pytest.raises(PermissionDenied):
        webhooks.create_subscription(team_a.member(role), HOOK_URL, [], "")
    with pytest.raises(PermissionDenied):
        webhooks.list_subscriptions(team_a.member(role))


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "not a url",
        "http://169.254.169.254/latest/meta-data/",
        "http://2130706433/",
        "http://[::ffff:10.0.0.1]/",
        "",
    ],
)
def test_a_subscription_url_must_be_public_http(team_a, url):
    with pytest.raises(ValidationFailed) as refused:
        webhooks.create_subscription(team_a.owner, url, [], "")
    assert set(refused.value.fields) == {"url"}


@pytest.mark.parametrize(
    "events",
    [["Plan Created"], ["plan.created", 7], ["x" * 61], [f"event.n{i}" for i in range(51)]],
    ids=["spaces", "number", "too-long", "too-many"],
)
def test_event_names_are_validated(team_a, events):
    with pytest.raises(ValidationFailed) as refused:
        webhooks.create_subscription(team_a.owner, HOOK_URL, events, "")
    assert set(refused.value.fields) == {"events"}


def test_a_description_with_nul_characters_is_refused(team_a):
    with pytest.raises(ValidationFailed) as refused:
        webhooks.create_subscription(team_a.owner, HOOK_URL, [], "CRM\x00")
    assert set(refused.value.fields) == {"description"}


def test_redelivery_sends_the_same_payload_as_a_new_delivery(team_a, django_capture_on_commit_callbacks):
    webhooks.create_subscription(team_a.owner, HOOK_URL, [], "")
    with django_capture_on_commit_callbacks():
        (original,) = webhooks.emit(team_a.workspace, "plan.created", {"name": "秋季"})
    with django_capture_on_commit_callbacks() as callbacks:
        again = webhooks.redeliver(team_a.owner, original.pk)
    assert len(callbacks) == 1
    assert (again.event, again.payload, again.status) == (original.event, original.payload, "pending")
    assert again.delivery_id != original.delivery_id
    assert scoped(WebhookDelivery, team_a.workspace).count() == 2


def test_a_paused_subscription_cannot_redeliver(team_a, django_capture_on_commit_callbacks):
    subscription = webhooks.create_subscription(team_a.owner, HOOK_URL, [], "")
    with django_capture_on_commit_callbacks():
        (original,) = webhooks.emit(team_a.workspace, "plan.created", {})
    webhooks.update_subscription(team_a.owner, subscription.pk, is_active=False)
    with pytest.raises(Conflict):
        webhooks.redeliver(team_a.owner, original.pk)


# --- API ------------------------------------------------------------------------------------------


def create_via_api(team, **body):
    response = post(team.api(), "/api/v1/webhooks", {"url": HOOK_URL, "events": ["plan.created"], **body})
    assert response.status_code == 201, response.content
    return response.json()


def test_the_secret_is_shown_once_on_creation(team_a):
    created = create_via_api(team_a, description="钉钉")
    stored = scoped(WebhookSubscription, team_a.workspace).get()
    assert created["secret"] == stored.secret
    assert (created["url"], created["events"], created["description"]) == (HOOK_URL, ["plan.created"], "钉钉")
    listed = team_a.api().get("/api/v1/webhooks").json()
    detail = team_a.api().get(f"/api/v1/webhooks/{created['id']}").json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]
    assert "secret" not in listed["items"][0] and "secret" not in detail


def test_rotating_the_secret_shows_the_new_one_once(team_a):
    created = create_via_api(team_a)
    rotated = post(team_a.api(), f"/api/v1/webhooks/{created['id']}/rotate-secret").json()
    assert rotated["secret"] != created["secret"]
    assert scoped(WebhookSubscription, team_a.workspace).get().secret == rotated["secret"]


def test_owner_updates_and_deletes_a_subscription(team_a):
    created = create_via_api(team_a)
    response = patch(team_a.api(), f"/api/v1/webhooks/{created['id']}", {"events": [], "is_active": False})
    assert response.status_code == 200
    assert (response.json()["events"], response.json()["is_active"]) == ([], False)
    assert team_a.api().delete(f"/api/v1/webhooks/{created['id']}").status_code == 204
    assert not scoped(WebhookSubscription, team_a.workspace).exists()


def test_patch_leaves_out_what_is_not_given_and_refuses_nulls(team_a):
    created = create_via_api(team_a, description="原样")
    path = f"/api/v1/webhooks/{created['id']}"
    assert patch(team_a.api(), path, {"is_active": None}).status_code == 422
    response = patch(team_a.api(), path, {"url": "https://hooks.example.com/v2"})
    assert (response.json()["url"], response.json()["description"]) == (
        "https://hooks.example.com/v2",
        "原样",
    )
    assert response.json()["events"] == ["plan.created"] and response.json()["is_active"] is True


def test_a_bad_url_answers_422_naming_the_field(team_a):
    response = post(team_a.api(), "/api/v1/webhooks", {"url": "gopher://127.0.0.1:70/"})
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"url"}


def test_deliveries_are_listed_and_redelivered(team_a, django_capture_on_commit_callbacks):
    created = create_via_api(team_a)
    with django_capture_on_commit_callbacks():
        (delivery,) = webhooks.emit(team_a.workspace, "plan.created", {"name": "冬季"})
        response = post(team_a.api(), f"/api/v1/webhooks/deliveries/{delivery.pk}/redeliver")
    assert response.status_code == 201
    listed = team_a.api().get(f"/api/v1/webhooks/{created['id']}/deliveries").json()
    assert listed["count"] == 2
    assert {item["delivery_id"] for item in listed["items"]} == {
        delivery.delivery_id,
        response.json()["delivery_id"],
    }
    assert {item["payload"]["data"]["name"] for item in listed["items"]} == {"冬季"}


@pytest.mark.parametrize("role", [Role.PLANNER, Role.VIEWER])
def test_non_owners_get_403_from_the_api(team_a, role):
    assert team_a.api(role).get("/api/v1/webhooks").status_code == 403
    assert post(team_a.api(role), "/api/v1/webhooks", {"url": HOOK_URL}).status_code == 403
    assert not scoped(WebhookSubscription, team_a.workspace).exists()


def test_another_workspace_gets_404_and_changes_nothing(team_a, team_b, django_capture_on_commit_callbacks):
    created = create_via_api(team_a)
    with django_capture_on_commit_callbacks():
        (delivery,) = webhooks.emit(team_a.workspace, "plan.created", {})
    before = list(scoped(WebhookSubscription, team_a.workspace).values())
    foreign = team_b.api()
    path = f"/api/v1/webhooks/{created['id']}"
    answers = [
        foreign.get(path),
        patch(foreign, path, {"url": "https://attacker.example/", "is_active": False}),
        post(foreign, f"{path}/rotate-secret"),
        foreign.get(f"{path}/deliveries"),
        post(foreign, f"/api/v1/webhooks/deliveries/{delivery.pk}/redeliver"),
        foreign.delete(path),
    ]
    assert [answer.status_code for answer in answers] == [404] * 6
    assert {answer.json()["code"] for answer in answers} == {"not_found"}
    assert list(scoped(WebhookSubscription, team_a.workspace).values()) == before
    assert scoped(WebhookDelivery, team_a.workspace).count() == 1
    assert foreign.get("/api/v1/webhooks").json()["items"] == []
