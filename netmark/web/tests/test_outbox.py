"""The outbox: mail written by the file backend, shown to superusers (all) and owners (their own)."""

from django.core.mail import EmailMessage
from django.test import Client

from netmark.core import invitations
from netmark.core.roles import Role


def _send_invitation(team, email: str) -> None:
    invitations.send_invitation(team.owner, email, Role.VIEWER)


def test_owner_sees_their_workspaces_invitations_only(team_a, team_b, file_outbox):
    _send_invitation(team_a, "a-guest@example.com")
    _send_invitation(team_b, "b-guest@example.com")
    Client().post("/password-reset/", {"email": "owner-a@example.com"})
    page = team_a.browser_client().get("/w/ws-a/settings/outbox/")
    assert [message.recipients for message in page.context["page_obj"]] == ["a-guest@example.com"]


def test_owner_opens_one_of_their_messages_but_not_anothers(team_a, team_b, file_outbox):
    _send_invitation(team_a, "a-guest@example.com")
    _send_invitation(team_b, "b-guest@example.com")
    client = team_a.browser_client()
    (own,) = client.get("/w/ws-a/settings/outbox/").context["page_obj"]
    opened = client.get(f"/w/ws-a/settings/outbox/{own.key}/")
    assert opened.status_code == 200
    assert "/invitations/" in opened.content.decode()
    (foreign,) = team_b.browser_client().get("/w/ws-b/settings/outbox/").context["page_obj"]
    assert client.get(f"/w/ws-a/settings/outbox/{foreign.key}/").status_code == 404


def test_superuser_sees_every_message(team_a, file_outbox):
    _send_invitation(team_a, "a-guest@example.com")
    Client().post("/password-reset/", {"email": "owner-a@example.com"})
    user = team_a.owner.user
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    page = team_a.browser_client().get("/outbox/")
    assert sorted(message.recipients for message in page.context["page_obj"]) == [
        "a-guest@example.com",
        "owner-a@example.com",
    ]


def test_message_keys_cannot_walk_out_of_the_folder(team_a, file_outbox):
    user = team_a.owner.user
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    client = team_a.browser_client()
    for key in ("..%2Fsecret_key:0", "../../etc/passwd:0", "x.log:abc", "nothing.log:0"):
        assert client.get(f"/outbox/{key}/").status_code == 404


def test_chinese_mail_is_decoded(team_a, file_outbox):
    EmailMessage(
        "春茶上新通知",
        "明前龙井已经上市。",
        to=["li@example.com"],
        headers={"X-Netmark-Workspace": "ws-a"},
    ).send()
    client = team_a.browser_client()
    (message,) = client.get("/w/ws-a/settings/outbox/").context["page_obj"]
    assert message.subject == "春茶上新通知"
    assert "明前龙井已经上市。" in client.get(f"/w/ws-a/settings/outbox/{message.key}/").content.decode()


def test_without_the_file_backend_the_page_says_mail_goes_out_by_smtp(team_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    page = team_a.browser_client().get("/w/ws-a/settings/outbox/")
    assert page.context["enabled"] is False
    assert "NETMARK_SMTP_URL" in page.content.decode()
