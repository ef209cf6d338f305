"""Workspace settings pages: members, invitations, API tokens, audit log and webhooks."""

import re

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from conftest import PASSWORD
from netmark.core import invitations, services, signing, webhooks
from netmark.core.models import ApiToken, AuditEntry, Invitation, Member, WebhookSubscription
from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.web.tests.conftest import sign_in

SETTINGS = "/w/ws-a/settings/"


def _roles(team) -> dict[str, str]:
    return dict(scoped(Member, team.workspace).values_list("user__email", "role"))


def test_owner_adds_a_member_with_a_role(team_a):
    response = team_a.browser_client().post(
        SETTINGS + "members/", {"email": "小李@example.com", "role": "planner"}
    )
    assert response.status_code == 200  # not an address Django accepts: the form says so
    assert "email" in response.context["form"].errors
    response = team_a.browser_client().post(
        SETTINGS + "members/", {"email": "li@example.com", "role": "planner"}
    )
    assert response["Location"] == SETTINGS + "members/"
    assert _roles(team_a)["li@example.com"] == Role.PLANNER


def test_adding_an_existing_member_shows_the_conflict_on_the_field(team_a):
    response = team_a.browser_client().post(
        SETTINGS + "members/", {"email": "viewer-a@example.com", "role": "planner"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["This person is already a member."]


def test_owner_changes_a_role(team_a):
    viewer = team_a.member(Role.VIEWER)
    response = team_a.browser_client().post(f"{SETTINGS}members/{viewer.pk}/role/", {"role": "implementer"})
    assert response.status_code == 302
    assert _roles(team_a)["viewer-a@example.com"] == Role.IMPLEMENTER


def test_the_last_owner_cannot_step_down(team_a):
    client = team_a.browser_client()
    response = client.post(f"{SETTINGS}members/{team_a.owner.pk}/role/", {"role": "viewer"}, follow=True)
    assert "A workspace keeps at least one owner." in response.content.decode()
    assert _roles(team_a)["owner-a@example.com"] == Role.OWNER


def test_owner_removes_a_member(team_a):
    planner = team_a.member(Role.PLANNER)
    team_a.browser_client().post(f"{SETTINGS}members/{planner.pk}/remove/")
    assert "planner-a@example.com" not in _roles(team_a)


def test_planner_cannot_remove_anyone(team_a):
    viewer = team_a.member(Role.VIEWER)
    response = team_a.browser_client(Role.PLANNER).post(f"{SETTINGS}members/{viewer.pk}/remove/")
    assert response.status_code == 403
    assert "viewer-a@example.com" in _roles(team_a)


def test_member_pages_refuse_another_workspaces_members(team_a, team_b):
    foreign = team_b.member(Role.VIEWER)
    client = team_a.browser_client()
    assert client.post(f"{SETTINGS}members/{foreign.pk}/remove/").status_code == 404
    assert client.post(f"{SETTINGS}members/{foreign.pk}/role/", {"role": "owner"}).status_code == 404
    assert _roles(team_b)["viewer-b@example.com"] == Role.VIEWER


def test_members_page_is_get_or_post_only_for_changes(team_a):
    viewer = team_a.member(Role.VIEWER)
    assert team_a.browser_client().get(f"{SETTINGS}members/{viewer.pk}/remove/").status_code == 405


def _accept_path(message) -> str:
    match = re.search(r"http://127\.0\.0\.1:8000(/invitations/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_invitation_email_carries_a_signed_link_on_the_public_url(team_a):
    response = team_a.browser_client().post(
        SETTINGS + "invitations/", {"email": "new@example.com", "role": "viewer"}
    )
    assert response.status_code == 302
    invitation = scoped(Invitation, team_a.workspace).get()
    (message,) = mail.outbox
    assert message.to == ["new@example.com"]
    assert message.extra_headers["X-Netmark-Workspace"] == "ws-a"
    assert "云岭茶业 a Tea" in message.subject
    assert _accept_path(message) == f"/invitations/{signing.sign('invitation', invitation.pk)}/"


def test_a_new_person_accepts_by_choosing_a_password(team_a):
    team_a.browser_client().post(
        SETTINGS + "invitations/", {"email": "new@example.com", "role": "implementer"}
    )
    client = Client()
    path = _accept_path(mail.outbox[0])
    assert "Choose a password" in client.get(path).content.decode()
    response = client.post(path, {"password1": "Jasmine-2026-tea", "password2": "Jasmine-2026-tea"})
    assert response["Location"] == "/w/ws-a/"
    assert _roles(team_a)["new@example.com"] == Role.IMPLEMENTER
    assert client.get("/w/ws-a/").status_code == 200
    assert client.get(path).status_code == 404  # used up


def test_a_signed_in_user_with_the_invited_address_joins(team_a, team_b):
    services.invite_member(team_a.owner, "owner-b@example.com", Role.PLANNER)
    invitation = scoped(Invitation, team_a.workspace).get()
    client = sign_in("owner-b@example.com")
    response = client.post(invitations.accept_url(invitation).removeprefix("http://127.0.0.1:8000"))
    assert response["Location"] == "/w/ws-a/"
    assert _roles(team_a)["owner-b@example.com"] == Role.PLANNER


def test_someone_else_cannot_use_the_invitation(team_a, team_b):
    services.invite_member(team_a.owner, "new@example.com", Role.OWNER)
    invitation = scoped(Invitation, team_a.workspace).get()
    client = sign_in("viewer-b@example.com")
    client.post(invitations.accept_url(invitation).removeprefix("http://127.0.0.1:8000"))
    assert "viewer-b@example.com" not in _roles(team_a)


def test_an_address_with_an_account_must_sign_in_to_accept(team_a, team_b):
    services.invite_member(team_a.owner, "owner-b@example.com", Role.VIEWER)
    invitation = scoped(Invitation, team_a.workspace).get()
    path = invitations.accept_url(invitation).removeprefix("http://127.0.0.1:8000")
    response = Client().post(path, {"password1": "Takeover-2026-x", "password2": "Takeover-2026-x"})
    assert response.status_code == 200
    assert "owner-b@example.com" not in _roles(team_a)
    assert get_user_model().objects.get(email="owner-b@example.com").check_password(PASSWORD)


def test_forged_or_other_purpose_tokens_are_refused(team_a):
    services.invite_member(team_a.owner, "new@example.com", Role.VIEWER)
    invitation = scoped(Invitation, team_a.workspace).get()
    for token in (signing.sign("calendar-feed", invitation.pk), "forged-token"):
        assert Client().get(f"/invitations/{token}/").status_code == 404


def test_owner_withdraws_an_invitation(team_a):
    invitation = services.invite_member(team_a.owner, "new@example.com", Role.VIEWER)
    team_a.browser_client().post(f"{SETTINGS}invitations/{invitation.pk}/withdraw/")
    assert not scoped(Invitation, team_a.workspace).exists()


def test_a_new_token_is_shown_once_and_stored_hashed(team_a):
    client = team_a.browser_client(Role.VIEWER)
    response = client.post(SETTINGS + "tokens/", {"name": "导入脚本 import"})
    secret = re.search(r"data-new-secret>(nmk_[^<]+)<", response.content.decode()).group(1)
    token = scoped(ApiToken, team_a.workspace).get(name="导入脚本 import")
    assert token.member == team_a.member(Role.VIEWER)
    assert secret not in client.get(SETTINGS + "tokens/").content.decode()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/me").json()["role"] == "viewer"


def test_members_see_their_own_tokens_and_owners_see_all(team_a):
    services.create_token(team_a.member(Role.VIEWER), "viewer token")
    services.create_token(team_a.member(Role.PLANNER), "planner token")
    viewer_page = team_a.browser_client(Role.VIEWER).get(SETTINGS + "tokens/")
    owner_page = team_a.browser_client().get(SETTINGS + "tokens/")
    assert [t.name for t in viewer_page.context["tokens"]] == ["viewer token"]
    assert sorted(t.name for t in owner_page.context["tokens"]) == ["planner token", "viewer token"]


def test_a_member_cannot_revoke_someone_elses_token(team_a):
    token, _secret = services.create_token(team_a.member(Role.PLANNER), "planner token")
    response = team_a.browser_client(Role.VIEWER).post(f"{SETTINGS}tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    team_a.browser_client().post(f"{SETTINGS}tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_audit_log_filters_by_action_and_pages(team_a):
    for index in range(55):
        services.create_token(team_a.owner, f"token {index}")
    client = team_a.browser_client()
    first = client.get(SETTINGS + "audit/?action=token.created")
    assert first.context["page_obj"].paginator.count == 55
    assert {entry.action for entry in first.context["page_obj"]} == {"token.created"}
    assert "member.added" in first.context["actions"]
    second = client.get(SETTINGS + "audit/?action=token.created&page=2")
    assert len(second.context["page_obj"].object_list) == 5
    assert "?action=token.created&amp;page=1" in second.content.decode()


def test_audit_log_shows_times_in_the_workspace_time_zone(team_a):
    entry = scoped(AuditEntry, team_a.workspace).first()
    shanghai = entry.created_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    page = team_a.browser_client(language=None).get(SETTINGS + "audit/").content.decode()
    assert shanghai.strftime("%H:%M") in page


def test_owner_creates_a_webhook_and_sees_its_secret_once(team_a):
    client = team_a.browser_client()
    response = client.post(
        SETTINGS + "webhooks/",
        {"url": "https://hooks.example.com/in", "events": "plan.created, plan.updated"},
    )
    subscription = scoped(WebhookSubscription, team_a.workspace).get()
    assert subscription.events == ["plan.created", "plan.updated"]
    assert subscription.secret in response.content.decode()
    assert subscription.secret not in client.get(SETTINGS + f"webhooks/{subscription.pk}/").content.decode()


def test_webhook_to_a_private_address_is_refused_on_the_field(team_a):
    response = team_a.browser_client().post(
        SETTINGS + "webhooks/", {"url": "http://10.0.0.5/hook", "events": ""}
    )
    assert "url" in response.context["form"].errors
    assert not scoped(WebhookSubscription, team_a.workspace).exists()


def test_owner_pauses_rotates_and_deletes_a_webhook(team_a):
    subscription = webhooks.create_subscription(team_a.owner, "https://hooks.example.com/in")
    old_secret, client, base = (
        subscription.secret,
        team_a.browser_client(),
        f"{SETTINGS}webhooks/{subscription.pk}/",
    )
    client.post(base + "active/")
    subscription.refresh_from_db()
    assert subscription.is_active is False
    rotated = client.post(base + "secret/")
    subscription.refresh_from_db()
    assert subscription.secret != old_secret
    assert subscription.secret in rotated.content.decode()
    client.post(base + "delete/")
    assert not scoped(WebhookSubscription, team_a.workspace).exists()


def test_webhook_deliveries_are_listed_and_foreign_ones_refused(team_a, team_b):
    subscription = webhooks.create_subscription(team_a.owner, "https://hooks.example.com/in")
    (delivery,) = webhooks.emit(team_a.workspace, "plan.created", {"name": "春茶"})
    page = team_a.browser_client().get(f"{SETTINGS}webhooks/{subscription.pk}/")
    assert [d.pk for d in page.context["page_obj"]] == [delivery.pk]
    other = team_b.browser_client().post(f"/w/ws-b/settings/webhooks/deliveries/{delivery.pk}/redeliver/")
    assert other.status_code == 404
    assert scoped(WebhookSubscription, team_a.workspace).get().deliveries.count() == 1
