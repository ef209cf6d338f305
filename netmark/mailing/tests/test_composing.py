"""One compose for campaigns and drips: the same message shape (tracking, List-Id, one-click
unsubscribe), a Message-ID and tag fixed by the key, and the tag handed back with the message so
the sender's ``sent`` row, the tracking tokens and the VERP return path agree."""

import email
import re
from datetime import timedelta
from email import policy

import pytest
from django.utils import timezone

from netmark.mailing import campaigns, delivery, drips, tracking, verp
from netmark.mailing.drip_models import DripMessage
from netmark.mailing.tests import campaign_factories as make
from netmark.mailing.tests import drip_factories as drip

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r"/mail/t/c/([^\"/]+)/")


@pytest.fixture
def the_list(team_a, server_row):
    return make.mailing_list(team_a.workspace, server_row)


def tokens_tag(outgoing) -> set[str]:
    parsed = email.message_from_bytes(outgoing.message.to_bytes(), policy=policy.default)
    html = parsed.get_body(("html",)).get_content()
    assert TOKEN.findall(html)
    return {tracking.read_token(tracking.CLICK, token).message_tag for token in TOKEN.findall(html)}


def test_a_campaign_message_carries_one_tag_everywhere(team_a, the_list, server_row, settings):
    settings.VERP, settings.BOUNCE_DOMAIN = True, "bounce.yunling-tea.example"
    make.audience(team_a.workspace, the_list, ["wangfang@example.com"])
    html = make.HTML + '<p><a href="https://yunling-tea.example/new">新茶</a></p>'
    campaign = make.campaign(team_a.workspace, the_list, server_row, html=html)
    campaigns.start_campaign(team_a.owner, campaign.pk)  # the sending jobs wait for a commit
    [row] = delivery.claim(campaign, "w1")
    first, again = delivery.compose(campaign, row), delivery.compose(campaign, row)
    key = f"campaign:{campaign.pk}:wangfang@example.com"
    assert (first.key, first.tag) == (key, verp.message_tag(team_a.workspace.pk, key))
    assert first.envelope_from == verp.return_path(team_a.workspace.pk, key)
    assert first.message["Message-ID"] == again.message["Message-ID"]
    assert first.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert tokens_tag(first) == {first.tag}


def test_a_drip_message_is_built_by_the_same_compose(team_a, the_list, server_row, settings):
    settings.VERP, settings.BOUNCE_DOMAIN = True, "bounce.yunling-tea.example"
    drip.welcome_sequence(team_a.workspace, the_list, server_row, steps=[("email", drip.WELCOME)])
    drip.confirmed(team_a.workspace, the_list, "lina@example.com", "李娜")
    now = timezone.now() + timedelta(seconds=1)
    [enrollment] = drips.claim("w1", now)
    row, outgoing = drips.begin_email(enrollment, enrollment.sequence.steps.get(), "w1", now)
    key = f"drip:{enrollment.pk}:{row.step_id}"
    assert (outgoing.key, outgoing.tag, outgoing.envelope_from) == (
        key, verp.message_tag(team_a.workspace.pk, key), verp.return_path(team_a.workspace.pk, key),
    )  # fmt: skip
    stored = DripMessage.unscoped.get(pk=row.pk)
    assert (stored.state, stored.message_tag, stored.message_id) == (
        "sending", outgoing.tag, outgoing.message["Message-ID"],
    )  # fmt: skip
    assert outgoing.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert tokens_tag(outgoing) == {outgoing.tag}
