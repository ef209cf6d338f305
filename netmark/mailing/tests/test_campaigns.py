"""Campaigns through a real SMTP server (aiosmtpd): who gets mail, the checks before each send,
validation before the first send, pause / resume / cancel, and the report."""

import email
from datetime import timedelta
from email import policy

import pytest
from django.utils import timezone

from netmark.contacts.consent import may_contact, record_consent
from netmark.mailing import campaign_reports, campaigns, delivery
from netmark.mailing.campaign_models import Campaign, Recipient
from netmark.mailing.models import Suppression
from netmark.mailing.suppression import suppress
from netmark.mailing.tests import campaign_factories as make

pytestmark = pytest.mark.django_db
State = Recipient.State


@pytest.fixture
def the_list(team_a, server_row):
    return make.mailing_list(team_a.workspace, server_row)


def start(member, campaign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return campaigns.start_campaign(member, campaign.pk)


def test_a_campaign_reaches_every_confirmed_subscriber_once(
    team_a, the_list, server_row, smtp_server, django_capture_on_commit_callbacks
):
    emails = [f"reader{i}@example.com" for i in range(12)]
    make.audience(team_a.workspace, the_list, emails)
    campaign = make.campaign(team_a.workspace, the_list, server_row)
    start(team_a.owner, campaign, django_capture_on_commit_callbacks)
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == sorted(emails)
    parsed = [email.message_from_bytes(m.data, policy=policy.default) for m in smtp_server.messages]
    first = next(p for p in parsed if p["To"] == "reader0@example.com")
    assert first["Subject"] == "王芳，新茶到了"
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "王芳，您好" in first.get_body(("html",)).get_content()
    row = Recipient.unscoped.get(campaign=campaign, email="reader0@example.com")
    assert (row.state, row.attempts, row.message_id) == (State.SENT, 1, first["Message-ID"])
    campaign.refresh_from_db()
    report = campaigns.progress(campaign)
    assert (campaign.status, report["states"]["sent"], report["total"], report["uncertain"]) == (
        "done",
        12,
        12,
        0,
    )


def test_nobody_who_left_before_their_turn_is_sent_to(
    team_a, the_list, server_row, smtp_server, django_capture_on_commit_callbacks
):
    contacts = make.audience(team_a.workspace, the_list, [f"r{i}@example.com" for i in range(8)])
    make.subscriber(team_a.workspace, make.mailing_list(team_a.workspace, name="其他"), "other@example.com")
    campaign = make.campaign(team_a.workspace, the_list, server_row)
    with django_capture_on_commit_callbacks(execute=False):  # rows made, nothing sent yet
        campaigns.start_campaign(team_a.owner, campaign.pk)
    suppress(team_a.workspace.pk, "r0@example.com", Suppression.Reason.COMPLAINT)
    the_list.subscriptions.filter(contact=contacts[1]).update(status="unsubscribed")
    record_consent(contacts[2], "email_marketing", "withdrawn", source="test")
    contacts[3].do_not_contact = True
    contacts[3].save()
    contacts[4].delete()
    delivery.work(campaign.pk)
    sent = sorted(m.rcpt_tos[0] for m in smtp_server.messages)
    assert sent == ["r5@example.com", "r6@example.com", "r7@example.com"]
    skipped = dict(
        Recipient.unscoped.filter(campaign=campaign, state=State.SKIPPED).values_list("email", "last_detail")
    )
    assert skipped == {
        "r0@example.com": "suppressed", "r1@example.com": "not subscribed", "r2@example.com": "no consent",
        "r3@example.com": "no consent", "r4@example.com": "contact deleted",
    }  # fmt: skip
    assert not may_contact(contacts[2], "email_marketing")


def test_a_template_that_fails_for_one_recipient_refuses_the_start(team_a, the_list, server_row, smtp_server):
    make.audience(team_a.workspace, the_list, ["a@example.com", "b@example.com"])
    campaign = make.campaign(team_a.workspace, the_list, server_row, html="<p>{{ contact.city.upper() }}</p>")
    with pytest.raises(campaigns.ValidationFailed) as error:
        campaigns.start_campaign(team_a.owner, campaign.pk)
    assert "a@example.com" in error.value.message
    campaign.refresh_from_db()
    assert (campaign.status, campaign.recipients.count(), smtp_server.messages) == ("draft", 0, [])


def test_pause_stops_the_workers_resume_goes_on_and_cancel_skips_the_rest(
    team_a, the_list, server_row, smtp_server, django_capture_on_commit_callbacks
):
    make.audience(team_a.workspace, the_list, [f"p{i}@example.com" for i in range(30)])
    campaign = make.campaign(team_a.workspace, the_list, server_row)
    with django_capture_on_commit_callbacks(execute=False):
        campaigns.start_campaign(team_a.owner, campaign.pk)
    rows = delivery.claim(campaign, "w1", limit=5)
    for row in rows:
        delivery.deliver(campaign, row, "w1")
    campaigns.pause_campaign(team_a.owner, campaign.pk)
    assert delivery.work(campaign.pk) == {}
    assert len(smtp_server.messages) == 5
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.resume_campaign(team_a.owner, campaign.pk)
    assert len(smtp_server.messages) == 30
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DONE
    with pytest.raises(campaigns.Conflict):
        campaigns.pause_campaign(team_a.owner, campaign.pk)


def test_cancel_skips_everyone_not_yet_sent(
    team_a, the_list, server_row, smtp_server, django_capture_on_commit_callbacks
):
    make.audience(team_a.workspace, the_list, [f"c{i}@example.com" for i in range(6)])
    campaign = make.campaign(team_a.workspace, the_list, server_row)
    with django_capture_on_commit_callbacks(execute=False):
        campaigns.start_campaign(team_a.owner, campaign.pk)
    campaigns.cancel_campaign(team_a.owner, campaign.pk)
    assert delivery.work(campaign.pk) == {}
    assert campaigns.progress(campaign)["states"]["skipped"] == 6
    assert smtp_server.messages == []


def test_two_workers_never_claim_the_same_row(
    team_a, the_list, server_row, django_capture_on_commit_callbacks
):
    make.audience(team_a.workspace, the_list, [f"w{i}@example.com" for i in range(25)])
    campaign = make.campaign(team_a.workspace, the_list, server_row)
    with django_capture_on_commit_callbacks(execute=False):
        campaigns.start_campaign(team_a.owner, campaign.pk)
    first, second, third = (delivery.claim(campaign, w, limit=10) for w in ("w1", "w2", "w3"))
    ids = [r.pk for r in first + second + third]
    assert (len(first), len(second), len(third), len(set(ids))) == (10, 10, 5, 25)
    assert delivery.claim(campaign, "w4") == []


def test_a_stale_lease_is_recovered_and_the_resend_keeps_the_message_id(
    team_a, the_list, server_row, smtp_server, django_capture_on_commit_callbacks
):
    make.audience(team_a.workspace, the_list, ["x@example.com", "y@example.com"])
    campaign = make.campaign(team_a.workspace, the_list, server_row)
    with django_capture_on_commit_callbacks(execute=False):
        campaigns.start_campaign(team_a.owner, campaign.pk)
    x, y = delivery.claim(campaign, "dead-worker")
    message_id = delivery.compose(campaign, x).message["Message-ID"]
    assert delivery._begin(x, "dead-worker", message_id)  # handed over, then the worker died
    Recipient.unscoped.filter(worker="dead-worker").update(lease_until=x.created_at)
    assert delivery.recover(campaign.pk) == {"returned": 1, "uncertain": 1}
    delivery.work(campaign.pk)
    x.refresh_from_db()
    assert (x.state, x.was_uncertain, x.attempts, x.message_id) == (State.SENT, True, 2, message_id)
    received = {m.rcpt_tos[0]: email.message_from_bytes(m.data)["Message-ID"] for m in smtp_server.messages}
    assert received[x.email] == message_id
    assert campaigns.progress(campaign)["uncertain"] == 1


def test_the_recipient_export_is_csv_with_the_states(
    team_a, the_list, server_row, smtp_server, django_capture_on_commit_callbacks
):
    make.audience(team_a.workspace, the_list, ["=cmd@example.com", "ok@example.com"])
    campaign = make.campaign(team_a.workspace, the_list, server_row)
    start(team_a.owner, campaign, django_capture_on_commit_callbacks)
    text = campaigns.export_recipients(campaign).decode("utf-8-sig").splitlines()
    assert text[0] == ",".join(campaign_reports.EXPORT_COLUMNS)
    first, second = sorted(text[1:])
    assert first.startswith("'=cmd@example.com,,sent,1,false,<") and second.startswith(
        "ok@example.com,,sent,1,"
    )


def test_a_scheduled_campaign_starts_when_its_time_comes(
    team_a, the_list, server_row, smtp_server, django_capture_on_commit_callbacks
):
    make.audience(team_a.workspace, the_list, ["s1@example.com", "s2@example.com"])
    campaign = make.campaign(team_a.workspace, the_list, server_row)
    at = timezone.now() + timedelta(hours=2)
    campaigns.start_campaign(team_a.owner, campaign.pk, at=at)
    campaign.refresh_from_db()
    assert (campaign.status, campaign.recipients.count()) == (Campaign.Status.SCHEDULED, 0)
    assert campaigns.advance()["started"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert campaigns.advance(now=at + timedelta(seconds=1))["started"] == 1
    campaign.refresh_from_db()
    assert (campaign.status, len(smtp_server.messages)) == (Campaign.Status.DONE, 2)


def test_the_periodic_step_queues_a_sending_campaign_nobody_works_on(
    team_a, the_list, server_row, smtp_server, django_capture_on_commit_callbacks
):
    make.audience(team_a.workspace, the_list, ["q1@example.com", "q2@example.com"])
    campaign = make.campaign(team_a.workspace, the_list, server_row)
    with django_capture_on_commit_callbacks(execute=False):  # the queued jobs were lost with a crash
        campaigns.start_campaign(team_a.owner, campaign.pk)
    delivery.claim(campaign, "live-worker", limit=1)
    assert campaigns.advance()["queued"] == 0  # someone holds a live lease
    delivery.release("live-worker")
    with django_capture_on_commit_callbacks(execute=True):
        assert campaigns.advance()["queued"] == 1
    campaign.refresh_from_db()
    assert (campaign.status, len(smtp_server.messages)) == (Campaign.Status.DONE, 2)


def test_a_batch_already_claimed_stops_at_the_next_message_on_pause_and_cancel(
    team_a, the_list, server_row, smtp_server, django_capture_on_commit_callbacks
):
    make.audience(team_a.workspace, the_list, [f"b{i}@example.com" for i in range(6)])
    campaign = make.campaign(team_a.workspace, the_list, server_row)
    with django_capture_on_commit_callbacks(execute=False):
        campaigns.start_campaign(team_a.owner, campaign.pk)
    first, second, *rest = delivery.claim(campaign, "w1", limit=6)
    assert delivery.deliver(campaign, first, "w1") == State.SENT
    campaigns.pause_campaign(team_a.owner, campaign.pk)
    assert delivery.deliver(campaign, second, "w1") == ""  # the worker's batch was claimed before
    campaigns.cancel_campaign(team_a.owner, campaign.pk)
    assert [delivery.deliver(campaign, row, "w1") for row in rest][-1] in ("", State.SKIPPED)
    assert [m.rcpt_tos[0] for m in smtp_server.messages] == [first.email]
    assert campaigns.progress(campaign)["states"] == {
        **dict.fromkeys(State.values, 0),
        "sent": 1,
        "skipped": 5,
    }
