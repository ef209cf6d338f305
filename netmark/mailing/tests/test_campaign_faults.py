"""MAIL-FAULT for campaigns against a real SMTP server answering by recipient (``smtpd.FaultHandler``):
4xx -> pending again after ``smtp.backoff``, then sent; 5xx -> failed (and suppressed at RCPT);
a cut after the content -> uncertain, sent again with the same Message-ID; attempts are bounded."""

import email
from datetime import timedelta

import pytest
from django.utils import timezone

from netmark.mailing import campaigns, delivery, smtp
from netmark.mailing.campaign_models import Recipient
from netmark.mailing.suppression import is_suppressed
from netmark.mailing.tests import campaign_factories as make

pytestmark = pytest.mark.django_db
State = Recipient.State


@pytest.fixture
def campaign(team_a, server_row, django_capture_on_commit_callbacks):
    the_list = make.mailing_list(team_a.workspace, server_row)
    make.audience(team_a.workspace, the_list, [
        "ok@example.com", "flaky1-a@example.com", "temp-b@example.com", "busy-c@example.com",
        "gone-d@example.com", "cut-e@example.com",
    ])  # fmt: skip
    campaign = make.campaign(team_a.workspace, the_list, server_row)
    with django_capture_on_commit_callbacks(execute=False):
        campaigns.start_campaign(team_a.owner, campaign.pk)
    return campaign


def rows(campaign) -> dict[str, Recipient]:
    return {row.email: row for row in Recipient.unscoped.filter(campaign=campaign)}


def make_due(campaign) -> None:
    Recipient.unscoped.filter(campaign=campaign, next_attempt_at__isnull=False).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_each_fault_gets_its_state_on_the_first_pass(campaign, smtp_server):
    before = timezone.now()
    delivery.work(campaign.pk)
    found = rows(campaign)
    states = {address: (row.state, row.attempts, row.last_code) for address, row in found.items()}
    assert states == {
        "ok@example.com": (State.SENT, 1, 250),
        "flaky1-a@example.com": (State.PENDING, 1, 451),
        "temp-b@example.com": (State.PENDING, 1, 451),
        "busy-c@example.com": (State.PENDING, 1, 421),
        "gone-d@example.com": (State.FAILED, 1, 550),
        "cut-e@example.com": (State.UNCERTAIN, 1, 0),
    }
    first_wait = timedelta(seconds=smtp.backoff(1))
    for address in ("flaky1-a@example.com", "temp-b@example.com", "busy-c@example.com"):
        assert before + first_wait <= found[address].next_attempt_at <= timezone.now() + first_wait
    assert found["cut-e@example.com"].was_uncertain
    assert is_suppressed(campaign.workspace_id, "gone-d@example.com")
    assert delivery.work(campaign.pk) == {}  # nothing is due before the backoff ends


def test_retries_follow_the_backoff_and_stop_after_the_last_attempt(campaign, smtp_server):
    delivery.work(campaign.pk)
    make_due(campaign)
    delivery.work(campaign.pk)
    found = rows(campaign)
    assert (found["flaky1-a@example.com"].state, found["flaky1-a@example.com"].attempts) == (State.SENT, 2)
    temp = found["temp-b@example.com"]
    assert (temp.state, temp.attempts) == (State.PENDING, 2)
    assert temp.next_attempt_at - timezone.now() > timedelta(seconds=smtp.backoff(2) - 5)
    for _attempt in range(delivery.MAX_ATTEMPTS):
        make_due(campaign)
        delivery.work(campaign.pk)
    found = rows(campaign)
    assert {
        a: (r.state, r.attempts) for a, r in found.items() if a.split("-")[0] in ("temp", "busy", "cut")
    } == {
        "temp-b@example.com": (State.FAILED, delivery.MAX_ATTEMPTS),
        "busy-c@example.com": (State.FAILED, delivery.MAX_ATTEMPTS),
        "cut-e@example.com": (State.FAILED, delivery.MAX_ATTEMPTS),
    }
    assert campaigns.finish_if_complete(campaign.pk) == "done"
    report = campaigns.progress(campaign)
    assert (report["states"]["sent"], report["states"]["failed"], report["uncertain"]) == (2, 4, 1)
    delivered = [m for m in smtp_server.messages if m.rcpt_tos == ["flaky1-a@example.com"]]
    assert len(delivered) == 1
    assert (
        email.message_from_bytes(delivered[0].data)["Message-ID"] == found["flaky1-a@example.com"].message_id
    )


def test_the_hourly_pace_defers_without_spending_an_attempt(campaign, smtp_server):
    campaign.server.per_hour = 1
    campaign.server.save()
    delivery.work(campaign.pk)
    found = rows(campaign)
    assert sorted(r.attempts for r in found.values()) == [0, 0, 0, 0, 0, 1]  # one went to the server
    assert len(smtp_server.handler.attempts) == 1
    deferred = [r for r in found.values() if r.state == State.PENDING and r.attempts == 0]
    assert len(deferred) == 5  # everyone else waits for the hour, attempts untouched
    assert all(r.next_attempt_at > timezone.now() + timedelta(minutes=30) for r in deferred)
