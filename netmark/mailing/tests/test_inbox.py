"""Bounce mailboxes polled over IMAP, against a real dovecot (a private instance on a loopback high
port, ``dovecot.py``): the real-format samples put in with IMAP APPEND, then polled as the periodic
job and the CLI do. Same effects as netmark's SMTP receiver (suppression, timeline, once per report)."""

import json

import pytest

from netmark.contacts.models import Interaction
from netmark.core.errors import ValidationFailed
from netmark.core.roles import Role
from netmark.mailing import feedback, imap, polling, services, tasks, verp
from netmark.mailing.feedback_models import MailEvent
from netmark.mailing.inbox_models import BounceMailbox
from netmark.mailing.models import Suppression
from netmark.mailing.tests.dovecot import PASSWORD, USER, Dovecot
from netmark.mailing.tests.feedback_helpers import contact, sample, sent_message
from netmark.mailing.tests.smtpd import free_port
from netmark.mailing.tests.test_bounces import SAMPLE_PATHS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
HARD = "dsn_postfix_hard_bounce_5.1.1.eml"
ARF = "arf_complaint_abuse_rfc5965.eml"
DELAYED = "dsn_postfix_soft_bounce_4.2.2_delayed.eml"
PLAIN = (
    "From: 王芳 <wang.fang@mail.example>\nTo: news@yunling-tea.example\n"
    "Subject: =?utf-8?b?5L2g5aW9?=\n\n请问有优惠吗？\n"
)


@pytest.fixture
def imap_server(settings):
    settings.BOUNCE_DOMAIN = "bounce.yunling-tea.example"
    settings.ALLOW_PRIVATE_ADDRESSES = True  # tests allow loopback explicitly
    with Dovecot() as server:
        yield server


@pytest.fixture
def owner(team_a):
    return team_a.members[Role.OWNER]


def mailbox_for(owner, server, **fields) -> BounceMailbox:
    options = {"name": "退信邮箱", "host": "127.0.0.1", "port": server.port, "security": "none",
               "username": USER, "password": PASSWORD, **fields}  # fmt: skip
    return services.create_mailbox(owner, **options)


def returned(workspace, name: str, recipient: str, *, contact_id=None) -> bytes:
    """The sample as it comes back for a message netmark sent to ``recipient``."""
    key, _tag = sent_message(workspace, recipient, contact_id=contact_id)
    return sample(name).replace(SAMPLE_PATHS[name].encode(), verp.return_path(workspace.pk, key).encode())


def test_reports_are_applied_and_moved_other_mail_is_left_and_counted(team_a, owner, imap_server):
    workspace = team_a.workspace
    zhang, wang = (
        contact(workspace, "zhangwei@qq.example"),
        contact(workspace, "wang.fang@mail.example", "王芳"),
    )
    imap_server.append(returned(workspace, HARD, "zhangwei@qq.example", contact_id=zhang.pk))
    imap_server.append(returned(workspace, ARF, "wang.fang@mail.example", contact_id=wang.pk))
    imap_server.append(returned(workspace, DELAYED, "liuyang@126.example"))
    imap_server.append(PLAIN.encode())
    mailbox = mailbox_for(owner, imap_server)

    result = polling.poll(mailbox.pk)

    assert (result.status, result.seen, result.reports, result.applied, result.others) == ("ok", 4, 3, 2, 1)
    hard = Suppression.unscoped.get(workspace=workspace, email="zhangwei@qq.example")
    assert hard.reason == "hard_bounce" and hard.detail.startswith("5.1.1")
    assert Suppression.unscoped.get(workspace=workspace, email="wang.fang@mail.example").reason == "complaint"
    assert not Suppression.unscoped.filter(email="liuyang@126.example").exists()  # a delay is no bounce
    assert Interaction.unscoped.get(contact=zhang, kind="email_bounce").payload["event"] == "bounce_hard"
    assert Interaction.unscoped.filter(contact=wang, kind="email_complaint").count() == 1
    inbox, processed = imap_server.messages("INBOX"), imap_server.messages("netmark-processed")
    assert len(processed) == 3 and len(inbox) == 1 and "请问有优惠吗".encode() in inbox[0]
    assert "NetmarkNotReport" in imap_server.keywords("INBOX")[0]
    mailbox.refresh_from_db()
    assert (mailbox.reports_total, mailbox.others_total, mailbox.last_error) == (3, 1, "")
    assert mailbox.last_counts["applied"] == 2 and mailbox.last_success_at is not None

    again = polling.poll(mailbox.pk)  # nothing new: nothing counted twice
    assert (again.status, again.seen, again.reports, again.others) == ("ok", 0, 0, 0)
    mailbox.refresh_from_db()
    assert (mailbox.reports_total, mailbox.others_total) == (3, 1)
    assert MailEvent.unscoped.exclude(kind="sent").count() == 2


def test_a_report_applied_before_a_crash_is_applied_once_when_polled_again(team_a, owner, imap_server):
    raw = returned(team_a.workspace, HARD, "zhangwei@qq.example")
    imap_server.append(raw)
    imap_server.append(raw)  # the same report delivered twice
    # A poll that committed the report and died before moving the message:
    with_crlf = raw.replace(b"\n", b"\r\n")
    feedback.receive_message(
        with_crlf, polling.envelope_recipients(with_crlf), workspace_id=team_a.workspace.pk
    )
    result = polling.poll(mailbox_for(owner, imap_server).pk)
    assert (result.reports, result.applied, result.duplicates) == (2, 0, 2)
    assert MailEvent.unscoped.filter(kind="bounce_hard").count() == 1
    assert Suppression.unscoped.filter(email="zhangwei@qq.example").count() == 1
    assert imap_server.messages("INBOX") == [] and len(imap_server.messages("netmark-processed")) == 2


@pytest.mark.parametrize("server_moves", [True, False])
def test_delete_after_processing_and_other_mail_moved_to_a_chinese_folder(
    team_a, owner, imap_server, server_moves, monkeypatch
):
    if not server_moves:  # a server without MOVE (RFC 6851): COPY, then delete and expunge
        enter = imap.Session.__enter__

        def without_move(session):
            enter(session).capabilities.discard("MOVE")
            return session

        monkeypatch.setattr(imap.Session, "__enter__", without_move)
    imap_server.append(returned(team_a.workspace, HARD, "zhangwei@qq.example"))
    imap_server.append(PLAIN.encode())
    mailbox = mailbox_for(owner, imap_server, after="delete", other_folder="其他邮件")
    result = polling.poll(mailbox.pk)
    assert (result.status, result.reports, result.others) == ("ok", 1, 1)
    assert imap_server.messages("INBOX") == []
    (other,) = imap_server.messages("&UXZO1pCuTvY-")  # 其他邮件 in IMAP's modified UTF-7
    assert "请问有优惠吗".encode() in other
    assert Suppression.unscoped.filter(email="zhangwei@qq.example").exists()


def test_a_report_about_another_workspace_changes_nothing_there(team_a, team_b, owner, imap_server):
    imap_server.append(returned(team_b.workspace, HARD, "zhangwei@qq.example"))
    result = polling.poll(mailbox_for(owner, imap_server).pk)
    assert (result.reports, result.applied, result.unmatched) == (1, 0, 1)
    assert Suppression.unscoped.count() == 0


def test_a_wrong_password_is_a_clear_error_on_the_mailbox_and_mail_stays(team_a, owner, imap_server):
    imap_server.append(returned(team_a.workspace, HARD, "zhangwei@qq.example"))
    mailbox = mailbox_for(owner, imap_server, password="wrong")
    result = polling.poll(mailbox.pk)
    assert result.status == "error" and "login refused" in result.error
    assert "AUTHENTICATIONFAILED" in result.error or "Authentication failed" in result.error
    mailbox.refresh_from_db()
    assert mailbox.last_error == result.error and mailbox.last_error_at and mailbox.last_success_at is None
    assert mailbox.lease_until is None
    assert len(imap_server.messages("INBOX")) == 1 and Suppression.unscoped.count() == 0
    services.update_mailbox(owner, mailbox.pk, password=PASSWORD)
    assert polling.poll(mailbox.pk).status == "ok"
    mailbox.refresh_from_db()
    assert mailbox.last_error == "" and mailbox.reports_total == 1


def test_a_server_that_does_not_answer_is_recorded(team_a, owner, settings):
    settings.ALLOW_PRIVATE_ADDRESSES = True
    mailbox = services.create_mailbox(
        owner, name="gone", host="127.0.0.1", port=free_port(), security="none", username="u", password="p"
    )
    result = polling.poll(mailbox.pk)
    assert result.status == "error" and result.error.startswith("cannot connect to 127.0.0.1:")
    mailbox.refresh_from_db()
    assert mailbox.last_error == result.error


def test_the_address_policy_applies_when_saved_and_at_connect_time(team_a, owner, settings):
    settings.ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(ValidationFailed) as refused:
        services.create_mailbox(owner, name="x", host="127.0.0.1", port=993, username="u", password="p")
    assert "host" in refused.value.fields
    mailbox = services.create_mailbox(owner, name="x", host="localhost", port=993, username="u", password="p")
    result = polling.poll(mailbox.pk)  # localhost resolves to loopback: refused before any socket
    assert result.status == "error" and "outbound policy" in result.error


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_tls_and_starttls_check_the_certificate(team_a, owner, imap_server, security, monkeypatch):
    imap_server.append(returned(team_a.workspace, HARD, "zhangwei@qq.example"))
    port = imap_server.tls_port if security == "tls" else imap_server.port
    mailbox = mailbox_for(owner, imap_server, host="localhost", port=port, security=security)
    untrusted = polling.poll(mailbox.pk)  # the system's trust store does not know the test certificate
    assert untrusted.status == "error" and "CERTIFICATE_VERIFY_FAILED" in untrusted.error
    monkeypatch.setattr(polling, "TLS_CONTEXT", imap_server.certificate())
    result = polling.poll(mailbox.pk)
    assert (result.status, result.applied) == ("ok", 1)


def test_the_periodic_job_polls_due_mailboxes_once_per_interval(team_a, owner, imap_server):
    imap_server.append(returned(team_a.workspace, HARD, "zhangwei@qq.example"))
    mailbox = mailbox_for(owner, imap_server, poll_minutes=5)
    services.create_mailbox(owner, name="停用", host="127.0.0.1", port=1, username="u", is_active=False)
    (first,) = tasks.poll_bounce_mailboxes.call_local()
    assert (first["mailbox_id"], first["status"], first["applied"]) == (mailbox.pk, "ok", 1)
    assert tasks.poll_bounce_mailboxes.call_local() == []  # not due again for 5 minutes


def test_poll_bounces_from_the_command_line(team_a, owner, imap_server, netmark_cli):
    imap_server.append(returned(team_a.workspace, HARD, "zhangwei@qq.example"))
    password = imap_server.folder / "password.txt"
    password.write_text(PASSWORD + "\n", encoding="utf-8")
    code, out, _err = netmark_cli(
        f"mailing bounce-mailboxes add --name 退信 --host 127.0.0.1 --port {imap_server.port} "
        f"--security none --user {USER} --password-file {password} --json"
    )
    assert code == 0 and json.loads(out)["name"] == "退信"
    code, out, _err = netmark_cli("mailing poll-bounces --json")
    (row,) = json.loads(out)
    assert code == 0 and (row["status"], row["reports"], row["applied"]) == ("ok", 1, 1)
    services.update_mailbox(owner, row["id"], password="wrong")
    code, out, _err = netmark_cli("mailing poll-bounces --mailbox 退信")
    assert code == 1 and b"login refused" in out
    code, out, _err = netmark_cli("mailing bounce-mailboxes list")
    assert code == 0 and b"login refused" in out


def test_folder_names_are_quoted_modified_utf7():
    assert (
        imap.encode_folder("~peter/mail/台北/日本語") == '"~peter/mail/&U,BTFw-/&ZeVnLIqe-"'
    )  # RFC 3501 5.1.3
    assert imap.encode_folder('A&B "x"\\') == '"A&-B \\"x\\"\\\\"'


def test_the_api_keeps_the_password_and_answers_a_failed_poll_with_its_reason(team_a, settings):
    settings.ALLOW_PRIVATE_ADDRESSES = True
    api = team_a.api()
    body = {"name": "退信", "host": "127.0.0.1", "port": free_port(), "security": "none",
            "username": "bounces", "password": "s3cret-密码", "other_folder": "其他"}  # fmt: skip
    created = api.post("/api/v1/bounce-mailboxes", body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["has_password"] is True and "s3cret" not in created.content.decode()
    assert "s3cret" not in BounceMailbox.unscoped.get(pk=data["id"]).password_sealed
    polled = api.post(f"/api/v1/bounce-mailboxes/{data['id']}/poll")
    assert polled.status_code == 200 and polled.json()["status"] == "error"
    shown = api.get(f"/api/v1/bounce-mailboxes/{data['id']}").json()
    assert shown["last_error"].startswith("cannot connect") and shown["last_poll_at"]
    bad = api.patch(
        f"/api/v1/bounce-mailboxes/{data['id']}", {"other_folder": "\x01"}, content_type="application/json"
    )
    assert bad.status_code == 422
    same = api.patch(
        f"/api/v1/bounce-mailboxes/{data['id']}",
        {"processed_folder": "INBOX"},
        content_type="application/json",
    )
    assert same.status_code == 422 and "processed_folder" in same.json()["fields"]
    assert team_a.api(Role.PLANNER).get("/api/v1/bounce-mailboxes").status_code == 403
