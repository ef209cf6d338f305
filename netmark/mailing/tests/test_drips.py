"""Drip sequences through a real SMTP server (aiosmtpd) with a driven clock: subscribed -> wait 2
days -> welcome -> wait 1 day -> opened? tag : reminder; leaving between steps; crash safety."""

import email
import re
from datetime import timedelta
from email import policy

import pytest
from django.utils import timezone

from netmark.mailing import drips, sending, tracking
from netmark.mailing.drip_models import DripMessage, Enrollment
from netmark.mailing.tests import campaign_factories as make
from netmark.mailing.tests import drip_factories as drip
from netmark.mailing.unsubscribe import unsubscribe

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"  # noqa: E501


@pytest.fixture
def the_list(team_a, server_row):
    return make.mailing_list(team_a.workspace, server_row)


def parsed(smtp_server) -> list:
    return [email.message_from_bytes(m.data, policy=policy.default) for m in smtp_server.messages]


def to(smtp_server, address: str) -> list:
    return [m for m in parsed(smtp_server) if m["To"] == address]


def test_the_welcome_sequence_runs_on_the_clock(team_a, the_list, server_row, smtp_server):
    ws = team_a.workspace
    sequence = drip.welcome_sequence(ws, the_list, server_row)
    reader = drip.confirmed(ws, the_list, "wangfang@example.com", "王芳")
    silent = drip.confirmed(ws, the_list, "lina@example.com", "李娜")
    leaver = drip.confirmed(ws, the_list, "zhangwei@example.com", "张伟")
    t0 = timezone.now()  # the clock the job is driven with from here on
    assert Enrollment.unscoped.filter(sequence=sequence).count() == 3  # confirming enrolled them

    drips.tick(t0)
    drips.tick(t0 + timedelta(days=1))
    assert smtp_server.messages == []  # still waiting the two days

    drips.tick(t0 + timedelta(days=2, minutes=1))
    welcome = to(smtp_server, "wangfang@example.com")
    assert len(smtp_server.messages) == 3 and welcome[0]["Subject"] == "王芳，欢迎订阅云岭茶讯"
    assert welcome[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = welcome[0].get_body(("html",)).get_content()
    assert "/mail/t/c/" in html  # links tracked as in campaigns

    # Between the steps: 王芳 opens the welcome, 张伟 unsubscribes with the one-click link.
    pixel = re.search(r"/mail/t/o/([^/]+)\.gif", html).group(1)
    tracking.record_open(pixel, user_agent=BROWSER, ip="198.51.100.20", at=t0 + timedelta(days=2, hours=3))
    link = to(smtp_server, "zhangwei@example.com")[0]["List-Unsubscribe"]
    unsubscribe(re.search(r"/mail/unsubscribe/([^/>]+)/", link).group(1))

    drips.tick(t0 + timedelta(days=3, minutes=2))
    assert list(reader.tags.values_list("name", flat=True)) == ["已读欢迎信"]
    assert [m["Subject"] for m in to(smtp_server, "lina@example.com")] == [
        "李娜，欢迎订阅云岭茶讯",
        "别错过春茶",
    ]
    assert len(to(smtp_server, "wangfang@example.com")) == 1
    assert len(to(smtp_server, "zhangwei@example.com")) == 1  # no reminder after leaving
    states = {e.contact_id: (e.state, e.exit_reason) for e in Enrollment.unscoped.filter(sequence=sequence)}
    assert states == {reader.pk: ("done", ""), silent.pk: ("done", ""), leaver.pk: ("exited", "suppressed")}
    history = Enrollment.unscoped.get(contact=silent).history
    assert [h["result"] for h in history] == ["waited", "sent", "waited", "no", "sent"]

    drips.tick(t0 + timedelta(days=9))  # nothing left to do: nothing happens twice
    assert len(smtp_server.messages) == 4
    assert silent.tags.count() == 0


def test_enrolment_is_once_per_contact_unless_re_entry_is_allowed(team_a, the_list, server_row):
    from netmark.mailing import drip_triggers

    sequence = drip.welcome_sequence(team_a.workspace, the_list, server_row)
    contact = drip.confirmed(team_a.workspace, the_list, "chenjing@example.com", "陈静")
    assert drip_triggers.enroll(sequence, contact) is None  # already in
    Enrollment.unscoped.filter(sequence=sequence).update(state="done")
    assert drip_triggers.enroll(sequence, contact) is None
    sequence.allow_reentry = True
    sequence.save()
    assert drip_triggers.enroll(sequence, contact).round == 2


def test_a_paused_sequence_holds_its_enrollments(team_a, the_list, server_row, smtp_server):
    sequence = drip.welcome_sequence(team_a.workspace, the_list, server_row, steps=[("email", drip.REMINDER)])
    drip.confirmed(team_a.workspace, the_list, "liuyang@example.com", "刘洋")
    sequence.status = "paused"
    sequence.save()
    drips.tick(timezone.now() + timedelta(minutes=1))
    assert smtp_server.messages == []
    sequence.status = "active"
    sequence.save()
    drips.tick(timezone.now() + timedelta(minutes=2))
    assert len(smtp_server.messages) == 1


def test_a_worker_killed_after_the_hand_over_resends_with_the_same_message_id(
    team_a, the_list, server_row, smtp_server
):
    sequence = drip.welcome_sequence(team_a.workspace, the_list, server_row, steps=[("email", drip.REMINDER)])
    contact = drip.confirmed(team_a.workspace, the_list, "yanglei@example.com", "杨磊")
    now = timezone.now() + timedelta(minutes=1)
    # The first worker claims, marks the row sending, hands it to SMTP and dies before recording it.
    [enrollment] = drips.claim("dead-worker", now)
    step = sequence.steps.get()
    row, outgoing = drips.begin_email(enrollment, step, "dead-worker", now)
    sending.send_one(server_row, outgoing.message, row.email)
    sending.close_connections()
    assert DripMessage.unscoped.get(pk=row.pk).state == "sending"

    drips.tick(now + timedelta(seconds=10))  # the lease still runs: nobody touches it
    assert len(smtp_server.messages) == 1
    later = now + timedelta(seconds=drips.lease_seconds() + 1)
    drips.tick(later)
    first, second = parsed(smtp_server)
    assert first["Message-ID"] == second["Message-ID"]
    row.refresh_from_db()
    assert (row.state, row.attempts, row.was_uncertain) == ("sent", 2, True)
    enrollment = Enrollment.unscoped.get(contact=contact)
    assert enrollment.state == "done" and [h["result"] for h in enrollment.history] == ["sent"]
    drips.tick(later + timedelta(days=1))
    assert len(smtp_server.messages) == 2


def test_a_step_run_by_a_worker_that_lost_its_lease_leaves_no_effect(team_a, the_list, server_row):
    sequence = drip.welcome_sequence(
        team_a.workspace,
        the_list,
        server_row,
        steps=[("tag", {"tag": "新客"}), ("stage", {"stage": "customer"})],
    )
    contact = drip.confirmed(team_a.workspace, the_list, "zhaomin@example.com", "赵敏")
    now = timezone.now() + timedelta(minutes=1)
    [stale] = drips.claim("slow-worker", now)
    later = now + timedelta(seconds=drips.lease_seconds() + 1)
    assert drips.tick(later) == {"next": 2}  # another worker took over and ran both steps
    assert drips.process(stale, "slow-worker", later) == ["lease lost"]
    contact.refresh_from_db()
    assert (list(contact.tags.values_list("name", flat=True)), contact.stage) == (["新客"], "customer")
    enrollment = Enrollment.unscoped.get(sequence=sequence)
    assert [h["result"] for h in enrollment.history] == ["done", "done"]
