"""Sending through a real SMTP server (aiosmtpd on 127.0.0.1): what arrives, pooling, DKIM, and
MAIL-FAULT (421/451 temporary, 550 permanent and suppressed, a cut in DATA uncertain)."""

import email
import socket
import time
from email import policy

import dkim as dkimpy
import pytest

from netmark.mailing import dkim, mime, sending, smtp
from netmark.mailing.models import DkimKey, Suppression
from netmark.mailing.sealing import seal
from netmark.mailing.suppression import is_suppressed, suppress
from netmark.mailing.tests.smtpd import free_port

pytestmark = pytest.mark.django_db
SUBJECT = "春季新品：云南古树红茶 限时八折"


def message(recipient: str, key: str | None = None):
    return mime.build_message(
        sender=mime.address("云岭茶业", "news@yunling-tea.example"),
        recipient=recipient,
        subject=SUBJECT,
        html="<p>你好，小明！新茶到了。</p>",
        key=key or f"c1:{recipient}",
        list_id=mime.list_id("春季新品", "spring", "yunling-tea.example"),
        unsubscribe=mime.Unsubscribe(
            "https://mk.example.com/mail/unsubscribe/t/", "unsub@yunling-tea.example"
        ),
    )


def test_a_message_arrives_with_its_headers_parts_and_crlf(server_row, smtp_server):
    outcome = sending.send_one(server_row, message("xiaoming@qq.com"), "xiaoming@qq.com")
    assert (outcome.status, outcome.code) == (smtp.SENT, 250)
    [received] = smtp_server.messages
    assert received.mail_from == "news@yunling-tea.example" and received.rcpt_tos == ["xiaoming@qq.com"]
    assert b"\n" not in received.data.replace(b"\r\n", b"")
    parsed = email.message_from_bytes(received.data, policy=policy.default)
    assert parsed["Subject"] == SUBJECT
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["List-Unsubscribe"].startswith("<https://mk.example.com/mail/unsubscribe/t/>")
    assert parsed["Message-ID"] == message("xiaoming@qq.com")["Message-ID"]
    assert [part.get_content_type() for part in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert parsed.get_body(("plain",)).get_content().strip() == "你好，小明！新茶到了。"


@pytest.mark.parametrize("algorithms", [(dkim.RSA,), (dkim.ED25519,), (dkim.RSA, dkim.ED25519)])
def test_messages_arrive_signed_and_dkimpy_verifies_every_signature(server_row, smtp_server, algorithms):
    records = {}
    for index, algorithm in enumerate(algorithms):
        pair = dkim.generate_key(algorithm)
        selector = f"nm{index}"
        DkimKey.unscoped.create(
            workspace=server_row.workspace, domain="yunling-tea.example", selector=selector,
            algorithm=algorithm, private_key_sealed=seal(pair.private_pem), public_key=pair.public_b64,
        )  # fmt: skip
        records[f"{selector}._domainkey.yunling-tea.example.".encode()] = dkim.dns_value(
            algorithm, pair.public_b64
        ).encode()
    assert sending.send_one(server_row, message("a@163.com"), "a@163.com").status == smtp.SENT
    data = smtp_server.messages[0].data
    assert data.count(b"DKIM-Signature:") == len(algorithms)
    for index in range(len(algorithms)):
        verifier = dkimpy.DKIM(data)
        assert verifier.verify(idx=index, dnsfunc=lambda name, timeout=5: records.get(name))


def test_one_connection_carries_many_messages(server_row, smtp_server):
    for index in range(20):
        recipient = f"u{index}@example.org"
        assert sending.send_one(server_row, message(recipient), recipient).status == smtp.SENT
    assert len(smtp_server.messages) == 20
    assert len({received.peer for received in smtp_server.messages}) == 1
    assert sending.pool().connections[server_row.pk].stats["connections"] == 1


def test_a_dropped_idle_connection_is_reopened_and_nothing_is_lost(server_row, smtp_server):
    assert sending.send_one(server_row, message("a@example.org"), "a@example.org").status == smtp.SENT
    connection = sending.pool().connections[server_row.pk]
    connection.smtp.sock.shutdown(socket.SHUT_RDWR)  # the session was cut while idle
    assert sending.send_one(server_row, message("b@example.org"), "b@example.org").status == smtp.SENT
    assert [m.rcpt_tos for m in smtp_server.messages] == [["a@example.org"], ["b@example.org"]]
    assert connection.stats["connections"] == 2


def test_temporary_replies_are_classified_and_nothing_is_suppressed(server_row, smtp_server):
    for recipient, code in (("temp-1@qq.com", 451), ("busy-1@qq.com", 421)):
        outcome = sending.send_one(server_row, message(recipient), recipient)
        assert (outcome.status, outcome.code, outcome.stage) == (smtp.TEMPORARY, code, "rcpt")
        assert not is_suppressed(server_row.workspace_id, recipient)
    assert sending.send_one(server_row, message("ok@qq.com"), "ok@qq.com").status == smtp.SENT
    assert smtp.backoff(1) < smtp.backoff(2) < smtp.backoff(3)


def test_temporary_failures_are_retried_with_backoff_until_accepted(server_row, smtp_server):
    waits = []
    outcome = sending.send_with_retries(
        server_row, message("flaky2-a@qq.com"), "flaky2-a@qq.com", attempts=4, sleep=waits.append
    )
    assert outcome.status == smtp.SENT
    assert waits == [smtp.backoff(1), smtp.backoff(2)]
    assert smtp_server.handler.attempts["flaky2-a@qq.com"] == 3 and len(smtp_server.messages) == 1


def test_a_permanent_refusal_suppresses_the_address_and_the_next_send_is_not_attempted(
    server_row, smtp_server
):
    outcome = sending.send_one(server_row, message("gone-1@qq.com"), "gone-1@qq.com")
    assert (outcome.status, outcome.code, outcome.suppress) == (smtp.PERMANENT, 550, True)
    row = Suppression.unscoped.get(workspace=server_row.workspace, email="gone-1@qq.com")
    assert row.reason == Suppression.Reason.HARD_BOUNCE and "550" in row.detail
    again = sending.send_one(server_row, message("gone-1@qq.com"), "gone-1@qq.com")
    assert again.status == smtp.SUPPRESSED
    assert smtp_server.handler.attempts["gone-1@qq.com"] == 1


def test_a_cut_in_data_is_uncertain_and_the_next_message_goes_on_a_new_connection(server_row, smtp_server):
    outcome = sending.send_one(server_row, message("cut-1@qq.com"), "cut-1@qq.com")
    assert (outcome.status, outcome.stage) == (smtp.UNCERTAIN, "content")
    assert not is_suppressed(server_row.workspace_id, "cut-1@qq.com")
    assert sending.send_one(server_row, message("after@qq.com"), "after@qq.com").status == smtp.SENT
    stats = sending.pool().connections[server_row.pk].stats
    assert (stats["uncertain"], stats["sent"], stats["connections"]) == (1, 1, 2)


def test_suppressed_addresses_are_never_contacted(server_row, smtp_server, team_b):
    suppress(server_row.workspace_id, "Unsub@QQ.com", Suppression.Reason.UNSUBSCRIBE)
    assert sending.send_one(server_row, message("unsub@qq.com"), "unsub@qq.com").status == smtp.SUPPRESSED
    assert smtp_server.handler.attempts == {}
    assert not is_suppressed(team_b.workspace.pk, "unsub@qq.com")


def test_loopback_is_refused_unless_the_policy_allows_it(server_row, smtp_server, settings):
    settings.ALLOW_PRIVATE_ADDRESSES = False
    outcome = sending.send_one(server_row, message("a@qq.com"), "a@qq.com")
    assert (outcome.status, outcome.stage) == (smtp.BLOCKED, "connect")
    assert smtp_server.messages == []


def test_an_unreachable_server_is_temporary(server_row, smtp_server):
    server_row.port = free_port()  # nothing listens there
    outcome = sending.send_one(server_row, message("a@qq.com"), "a@qq.com")
    assert (outcome.status, outcome.stage) == (smtp.TEMPORARY, "connect")
    assert "ConnectionRefused" in outcome.detail or "refused" in outcome.detail.lower()


def _send_many(server_row, prefix: str, count: int) -> tuple[float, list[float]]:
    """Total seconds, and the seconds each ``send_one`` spent after its throttle wait (the send)."""
    throttle = sending.throttle_for(server_row)
    waits: list[float] = []
    real_sleep = throttle.sleep
    throttle.sleep = lambda seconds: (waits.append(seconds), real_sleep(seconds))
    durations, started = [], time.monotonic()
    try:
        for index in range(count):
            before, slept = time.monotonic(), len(waits)
            recipient = f"{prefix}{index}@example.org"
            assert sending.send_one(server_row, message(recipient), recipient).status == smtp.SENT
            durations.append(time.monotonic() - before - sum(waits[slept:]))
    finally:
        throttle.sleep = real_sleep
    return time.monotonic() - started, durations


def test_throttle_is_respected_within_five_percent(server_row, smtp_server):
    """Never faster than the pace (within 5 %); never slower either, except for the time sends
    themselves took beyond their interval (a loaded machine), which the throttle cannot give back."""
    server_row.per_second = 20
    count, interval = 40, 1 / 20
    elapsed, durations = _send_many(server_row, "paced", count + 1)  # the first send starts the pace
    expected = count * interval
    lost = sum(max(0.0, duration - interval) for duration in durations)
    assert elapsed >= expected * 0.95, elapsed
    assert elapsed <= expected * 1.05 + lost, (elapsed, lost)
