"""The drip "notify owner" step: the timeline note and an email, after the commit, to the contact's
owner (the workspace's owner when it has none) through the SMTP server, in the workspace's language,
linking to the contact page; once, even when the job runs again (real aiosmtpd)."""

import email
from datetime import timedelta
from email import policy

import pytest
from django.conf import settings
from django.utils import timezone

from netmark.contacts.models import Interaction
from netmark.core.roles import Role
from netmark.mailing import drip_notify, drips
from netmark.mailing.drip_models import DripMessage, Enrollment
from netmark.mailing.tests import campaign_factories as make
from netmark.mailing.tests import drip_factories as drip

pytestmark = pytest.mark.django_db
STEPS = [("notify", {"text": "她问了批发价，请今天回电。"}), ("tag", {"tag": "已通知"})]


@pytest.fixture
def the_list(team_a, server_row):
    return make.mailing_list(team_a.workspace, server_row)


def run(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return drips.tick(timezone.now() + timedelta(seconds=1))


def received(smtp_server) -> list:
    parse = email.message_from_bytes
    return [(m.rcpt_tos, parse(m.data, policy=policy.default)) for m in smtp_server.messages]


def test_the_contacts_owner_gets_an_email_in_the_workspaces_language_with_the_contact_link(
    team_a, the_list, server_row, smtp_server, django_capture_on_commit_callbacks
):
    team_a.workspace.language = "zh-hans"
    team_a.workspace.save()
    sequence = drip.welcome_sequence(team_a.workspace, the_list, server_row, steps=STEPS)
    contact = drip.confirmed(team_a.workspace, the_list, "wangfang@example.com", "王芳")
    planner = team_a.member(Role.PLANNER)
    contact.owner = planner
    contact.save()
    run(django_capture_on_commit_callbacks)
    [(to, message)] = received(smtp_server)
    assert to == [planner.user.email]
    assert message["Subject"] == f"{sequence.name}：跟进 王芳"
    body = message.get_body(("html",)).get_content()
    link = f"{settings.PUBLIC_URL}/w/{team_a.workspace.slug}/contacts/{contact.pk}/"
    assert link in body and "她问了批发价，请今天回电。" in body and "/mail/t/" not in body
    note = Interaction.unscoped.get(contact=contact, kind="drip_note")
    assert note.payload == {"text": "她问了批发价，请今天回电。", "sequence": sequence.name}
    assert Enrollment.unscoped.get(sequence=sequence).state == "done"


def test_without_an_owner_the_workspace_owner_is_told_and_a_second_run_sends_nothing(
    team_a, the_list, server_row, smtp_server, django_capture_on_commit_callbacks
):
    team_a.workspace.language = "en"
    team_a.workspace.save()
    sequence = drip.welcome_sequence(team_a.workspace, the_list, server_row, steps=STEPS)
    contact = drip.confirmed(team_a.workspace, the_list, "lina@example.com", "Lina Li")
    run(django_capture_on_commit_callbacks)
    [(to, message)] = received(smtp_server)
    assert (to, message["Subject"]) == ([team_a.owner.user.email], f"{sequence.name}: follow up Lina Li")
    enrollment = Enrollment.unscoped.get(sequence=sequence)
    step = sequence.steps.get(kind="notify")
    assert drip_notify.send_notice(enrollment.pk, step.pk) == "sent"  # the job again: no second email
    assert len(smtp_server.messages) == 1
    row = DripMessage.unscoped.get(enrollment=enrollment, step=step)
    assert (row.state, row.email, row.message_id) == ("sent", team_a.owner.user.email, message["Message-ID"])
    assert contact.tags.filter(name="已通知").exists()


def test_a_worker_that_lost_its_lease_leaves_no_note_and_sends_no_email(
    team_a, the_list, server_row, smtp_server, django_capture_on_commit_callbacks
):
    drip.welcome_sequence(team_a.workspace, the_list, server_row, steps=STEPS)
    drip.confirmed(team_a.workspace, the_list, "zhangwei@example.com", "张伟")
    now = timezone.now() + timedelta(seconds=1)
    [slow] = drips.claim("worker-a", now)
    later = now + timedelta(seconds=drips.lease_seconds() + 1)
    assert len(drips.claim("worker-b", later)) == 1  # worker A's lease ran out: B holds it now
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert drips.process(slow, "worker-a", later) == ["lease lost"]
    notes = Interaction.unscoped.filter(kind="drip_note").count()
    assert (callbacks, smtp_server.messages, notes) == ([], [], 0)
