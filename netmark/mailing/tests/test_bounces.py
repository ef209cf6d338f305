"""Bounces and complaints through netmark's own SMTP receiver (a real aiosmtpd on loopback):
VERP return paths that cannot be forged, DSN (RFC 3464) and ARF (RFC 5965) on the real-format
samples, thresholds to suppression, every event on the timeline, one effect per report."""

import smtplib
from datetime import timedelta

import pytest
from django.utils import timezone

from netmark.contacts.models import Interaction
from netmark.mailing import bounce_server, feedback, reports, verp
from netmark.mailing.feedback_models import MailEvent
from netmark.mailing.models import Suppression
from netmark.mailing.tests.feedback_helpers import contact, sample, sent_message
from netmark.mailing.tests.smtpd import free_port

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
LIUYANG = "bounces+liuyang=126.example@bounce.yunling-tea.example"
SAMPLE_PATHS = {
    "dsn_postfix_hard_bounce_5.1.1.eml": "bounces+zhangwei=qq.example@bounce.yunling-tea.example",
    "dsn_postfix_soft_bounce_4.2.2_delayed.eml": LIUYANG,
    "dsn_postfix_soft_bounce_4.2.2_expired_after_retries.eml": LIUYANG,
    "arf_complaint_abuse_rfc5965.eml": "bounces+wang.fang=mail.example@bounce.yunling-tea.example",
}


@pytest.fixture
def receiver(settings):
    settings.BOUNCE_DOMAIN = "bounce.yunling-tea.example"
    controller, handler = bounce_server.start("127.0.0.1", free_port())
    yield controller, handler
    controller.stop()


def deliver(controller, rcpt: str, raw: bytes, mail_from: str = "") -> None:
    with smtplib.SMTP("127.0.0.1", controller.port, timeout=10) as client:
        client.sendmail(mail_from, [rcpt], raw)


def readdressed(name: str, return_path: str) -> bytes:
    """The sample as it comes back to a message netmark sent with ``return_path`` (on the wire:
    CRLF line endings; the files are stored with LF)."""
    raw = sample(name).replace(SAMPLE_PATHS[name].encode(), return_path.encode())
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def test_parsing_the_samples_gives_kind_recipient_and_status():
    parsed = {name: reports.parse(sample(name)) for name in SAMPLE_PATHS}
    assert [(r.kind, r.recipient, r.status) for r in parsed["dsn_postfix_hard_bounce_5.1.1.eml"]] == [
        ("bounce_hard", "zhangwei@qq.example", "5.1.1")
    ]
    assert [r.kind for r in parsed["dsn_postfix_soft_bounce_4.2.2_delayed.eml"]] == ["delayed"]
    expired = parsed["dsn_postfix_soft_bounce_4.2.2_expired_after_retries.eml"]
    assert [(r.kind, r.status) for r in expired] == [("bounce_soft", "4.2.2")]
    (complaint,) = parsed["arf_complaint_abuse_rfc5965.eml"]
    assert (complaint.kind, complaint.recipient, complaint.detail) == (
        "complaint", "wang.fang@mail.example", "abuse (MailExampleFBL/2.1)",
    )  # fmt: skip
    assert complaint.return_path == SAMPLE_PATHS["arf_complaint_abuse_rfc5965.eml"]


@pytest.mark.parametrize(
    "action, status, kind",
    [("failed", "5.1.1", "bounce_hard"), ("failed", "5.7.1", "bounce_soft"),
     ("failed", "5.2.2", "bounce_soft"), ("failed", "4.4.7", "bounce_soft"),
     ("delayed", "4.2.2", "delayed"), ("delivered", "2.0.0", "")],
)  # fmt: skip
def test_hard_or_soft_is_decided_from_action_and_status(action, status, kind):
    assert reports.classify_status(action, status) == kind


def test_a_return_path_names_one_message_and_survives_lower_casing(team_a, settings):
    settings.BOUNCE_DOMAIN = "bounce.yunling-tea.example"
    address = verp.return_path(team_a.workspace.pk, "7:zhangwei@qq.example")
    assert address.endswith("@bounce.yunling-tea.example") and "zhangwei" not in address
    assert len(address.split("@")[0]) <= 64
    parsed = verp.parse(address.upper())
    assert (parsed.workspace_id, parsed.tag) == (
        team_a.workspace.pk,
        verp.message_tag(team_a.workspace.pk, "7:zhangwei@qq.example"),
    )
    assert verp.return_path(team_a.workspace.pk, "7:other@qq.example") != address
    assert verp.parse("bounces+zhangwei=qq.example@bounce.yunling-tea.example") is None


def test_a_hard_bounce_through_the_receiver_suppresses_at_once_and_lands_on_the_timeline(team_a, receiver):
    controller, handler = receiver
    person = contact(team_a.workspace, "zhangwei@qq.example")
    key, tag = sent_message(team_a.workspace, "zhangwei@qq.example", contact_id=person.pk)
    address = verp.return_path(team_a.workspace.pk, key)
    deliver(controller, address, readdressed("dsn_postfix_hard_bounce_5.1.1.eml", address))
    assert handler.received == 1
    row = Suppression.unscoped.get(workspace=team_a.workspace, email="zhangwei@qq.example")
    assert row.reason == "hard_bounce" and row.detail.startswith("5.1.1")
    event = MailEvent.unscoped.get(kind="bounce_hard")
    assert (event.campaign_id, event.variant, event.message_tag, event.contact_id) == (7, "A", tag, person.pk)
    assert Interaction.unscoped.get(contact=person, kind="email_bounce").payload["event"] == "bounce_hard"


def test_the_same_report_delivered_twice_has_one_effect(team_a, receiver):
    controller, _handler = receiver
    key, _tag = sent_message(team_a.workspace, "zhangwei@qq.example")
    address = verp.return_path(team_a.workspace.pk, key)
    raw = readdressed("dsn_postfix_hard_bounce_5.1.1.eml", address)
    deliver(controller, address, raw)
    deliver(controller, address, raw)
    assert MailEvent.unscoped.filter(kind="bounce_hard").count() == 1


def test_a_forged_bounce_suppresses_nobody(team_a, receiver):
    controller, handler = receiver
    sent_message(team_a.workspace, "zhangwei@qq.example")
    forged = f"nmb-{team_a.workspace.pk}-{'a' * 24}@bounce.yunling-tea.example"
    deliver(controller, forged, readdressed("dsn_postfix_hard_bounce_5.1.1.eml", forged))
    assert handler.received == 0
    assert Suppression.unscoped.count() == 0
    assert MailEvent.unscoped.exclude(kind="sent").count() == 0


def test_the_receiver_refuses_addresses_it_did_not_make(receiver):
    controller, handler = receiver
    with (
        smtplib.SMTP("127.0.0.1", controller.port, timeout=10) as client,
        pytest.raises(smtplib.SMTPRecipientsRefused) as refused,
    ):
        client.sendmail("", ["postmaster@bounce.yunling-tea.example"], b"Subject: hi\r\n\r\nhi\r\n")
    assert refused.value.recipients["postmaster@bounce.yunling-tea.example"][0] == 550
    assert handler.refused == 1


def test_a_delay_warning_changes_nothing(team_a, receiver):
    controller, _handler = receiver
    key, _tag = sent_message(team_a.workspace, "liuyang@126.example")
    address = verp.return_path(team_a.workspace.pk, key)
    deliver(controller, address, readdressed("dsn_postfix_soft_bounce_4.2.2_delayed.eml", address))
    assert MailEvent.unscoped.exclude(kind="sent").count() == 0 and Suppression.unscoped.count() == 0


def test_soft_bounces_suppress_only_past_the_threshold(team_a, receiver, settings):
    settings.SOFT_BOUNCES_TO_SUPPRESS, settings.SOFT_BOUNCE_DAYS = 3, 15
    controller, _handler = receiver
    name = "dsn_postfix_soft_bounce_4.2.2_expired_after_retries.eml"
    for campaign in (1, 2, 3):
        key, _tag = sent_message(team_a.workspace, "liuyang@126.example", campaign_id=campaign)
        address = verp.return_path(team_a.workspace.pk, key)
        deliver(controller, address, readdressed(name, address))
        suppressed = Suppression.unscoped.filter(email="liuyang@126.example").first()
        assert (suppressed is not None) == (campaign == 3)
    assert suppressed.reason == "hard_bounce" and suppressed.detail.startswith("3 soft bounces in 15 days")


def test_soft_bounces_older_than_the_window_do_not_count(team_a, settings):
    settings.SOFT_BOUNCES_TO_SUPPRESS, settings.SOFT_BOUNCE_DAYS = 2, 15
    old = timezone.now() - timedelta(days=20)
    MailEvent.unscoped.create(
        workspace=team_a.workspace, recipient="liuyang@126.example", kind="bounce_soft", at=old
    )
    feedback.apply(feedback.Item(team_a.workspace.pk, "bounce_soft", "liuyang@126.example", "4.2.2"))
    assert Suppression.unscoped.count() == 0


def test_an_arf_complaint_to_the_feedback_address_suppresses_through_the_attached_return_path(
    team_a, receiver
):
    controller, _handler = receiver
    person = contact(team_a.workspace, "wang.fang@mail.example", "王芳")
    key, _tag = sent_message(team_a.workspace, "wang.fang@mail.example", contact_id=person.pk)
    address = verp.return_path(team_a.workspace.pk, key)
    deliver(
        controller, "nmf@bounce.yunling-tea.example", readdressed("arf_complaint_abuse_rfc5965.eml", address)
    )
    assert Suppression.unscoped.get(email="wang.fang@mail.example").reason == "complaint"
    assert Interaction.unscoped.filter(contact=person, kind="email_complaint").count() == 1


def test_a_bounce_for_workspace_a_never_touches_workspace_b(team_a, team_b, receiver):
    controller, _handler = receiver
    key, _tag = sent_message(team_a.workspace, "zhangwei@qq.example")
    sent_message(team_b.workspace, "zhangwei@qq.example")
    address = verp.return_path(team_a.workspace.pk, key)
    deliver(controller, address, readdressed("dsn_postfix_hard_bounce_5.1.1.eml", address))
    assert list(Suppression.unscoped.values_list("workspace_id", flat=True)) == [team_a.workspace.pk]
    # the same tag replayed against B's id does not verify: tags are per workspace
    replayed = address.replace(f"nmb-{team_a.workspace.pk}-", f"nmb-{team_b.workspace.pk}-")
    deliver(controller, replayed, readdressed("dsn_postfix_hard_bounce_5.1.1.eml", replayed))
    assert not Suppression.unscoped.filter(workspace=team_b.workspace).exists()
