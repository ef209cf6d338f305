"""A/B winner logic on constructed results (two-proportion z-test, Bonferroni over the comparisons),
the audience split, and a whole A/B campaign: test share, wait, winner to the rest."""

import email
import math
import re
from datetime import timedelta
from email import policy

import pytest
from django.utils import timezone

from netmark.mailing import abtest, campaigns, tracking
from netmark.mailing.abtest import Counts, decide
from netmark.mailing.campaign_models import Campaign, Recipient
from netmark.mailing.tests import campaign_factories as make

PIXEL = re.compile(r'/mail/t/o/([^"/]+)\.gif')
PERSON = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"
PROXY = "Mozilla/5.0 (via ggpht.com GoogleImageProxy)"


def test_a_clear_difference_in_opens_is_a_significant_winner():
    decision = decide({"A": Counts(1000, opens=200), "B": Counts(1000, opens=260)}, alpha=0.05)
    assert (decision.winner, decision.significant, decision.reason) == ("B", True, "significant")
    assert decision.p_value == pytest.approx(0.00149, abs=2e-4)  # z = 3.17
    assert decision.rates == {"A": 0.2, "B": 0.26}


def test_a_small_difference_is_no_significant_winner_and_the_control_is_sent():
    decision = decide({"A": Counts(200, opens=40), "B": Counts(200, opens=46)})
    assert (decision.winner, decision.significant, decision.reason) == ("A", False, "no significant winner")
    assert decision.p_value > 0.05


def test_without_a_significant_winner_the_users_choice_is_sent():
    decision = decide({"A": Counts(200, opens=40), "B": Counts(200, opens=46)}, fallback="B")
    assert (decision.winner, decision.significant) == ("B", False)


def test_clicks_decide_when_asked_and_opens_are_ignored():
    counts = {"A": Counts(500, opens=300, clicks=10), "B": Counts(500, opens=100, clicks=45)}
    assert decide(counts, metric="clicks").winner == "B"
    assert decide(counts, metric="opens").winner == "A"


def test_with_three_variants_the_best_must_beat_each_other_after_bonferroni():
    # B beats A clearly, but not C: no significant winner.
    counts = {"A": Counts(1000, opens=200), "B": Counts(1000, opens=260), "C": Counts(1000, opens=250)}
    decision = decide(counts)
    assert (decision.winner, decision.significant) == ("A", False)
    # p between alpha/2 and alpha against the runner-up: significant alone, not after the correction.
    p = abtest.two_proportion_p(260, 1000, 222, 1000)
    assert 0.025 < p < 0.05
    counts = {"A": Counts(1000, opens=200), "B": Counts(1000, opens=260), "C": Counts(1000, opens=222)}
    assert decide(counts).significant is False
    assert decide({"A": Counts(1000, opens=222), "B": Counts(1000, opens=260)}).significant is True


def test_no_data_is_never_a_winner():
    decision = decide({"A": Counts(0), "B": Counts(0)})
    assert (decision.winner, decision.significant, decision.p_value) == ("A", False, 1.0)
    assert abtest.two_proportion_p(0, 100, 0, 100) == 1.0
    assert decide({"A": Counts(100, opens=5)}).reason == "one variant only"


def test_the_p_value_matches_the_normal_tail():
    z = (0.3 - 0.2) / math.sqrt(0.25 * 0.75 * (2 / 400))
    assert abtest.two_proportion_p(120, 400, 80, 400) == pytest.approx(math.erfc(z / math.sqrt(2)))


def test_the_split_gives_the_test_share_evenly_and_holds_the_rest():
    plan = abtest.split(100, 20, ["A", "B"])
    assert (plan.count("A"), plan.count("B"), plan.count("")) == (10, 10, 80)
    assert abtest.split(5, 0, ["A", "B"]) == ["A", "B", "A", "B", "A"]
    assert abtest.split(3, 10, ["A", "B"]) == ["A", "B", ""]


@pytest.mark.django_db
def test_an_ab_campaign_sends_the_test_share_waits_then_sends_the_winner(
    team_a, server_row, smtp_server, django_capture_on_commit_callbacks
):
    the_list = make.mailing_list(team_a.workspace, server_row)
    make.audience(team_a.workspace, the_list, [f"ab{i}@example.com" for i in range(40)])
    campaign = make.campaign(team_a.workspace, the_list, server_row, test_percent=50, test_wait_minutes=60)
    campaigns.set_variants(team_a.owner, campaign.pk, [
        {"key": "A", "subject": "春茶上市"}, {"key": "B", "subject": "{{ contact.first_name }}，您的春茶"},
    ])  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.start_campaign(team_a.owner, campaign.pk)
    campaign.refresh_from_db()
    assert (campaign.status, len(smtp_server.messages)) == (Campaign.Status.WAITING, 20)
    assert campaign.test_ends_at > timezone.now() + timedelta(minutes=59)
    # People open 2 of variant A's messages and 9 of B's, through the real pixel of each message;
    # an image proxy opening all of A's counts for nothing.
    variants = dict(Recipient.unscoped.filter(campaign=campaign).values_list("email", "variant"))
    later = timezone.now() + timedelta(minutes=5)
    opened = {"A": 0, "B": 0}
    for message in smtp_server.messages:
        variant = variants[message.rcpt_tos[0]]
        token = PIXEL.search(email.message_from_bytes(message.data, policy=policy.default)
                             .get_body(("html",)).get_content()).group(1)  # fmt: skip
        tracking.record_open(token, user_agent=PROXY, ip="66.249.84.1")
        if opened[variant] < {"A": 2, "B": 9}[variant]:
            tracking.record_open(token, user_agent=PERSON, ip="203.0.113.7", at=later)
            opened[variant] += 1
    counts = abtest.campaign_counts(campaign)
    assert (counts["A"].opens, counts["B"].opens, counts["A"].sent, counts["B"].sent) == (2, 9, 10, 10)
    assert campaigns.advance()["released"] == 0  # the window is still open
    with django_capture_on_commit_callbacks(execute=True):
        result = campaigns.advance(now=timezone.now() + timedelta(minutes=61))
    assert result["released"] == 1
    campaign.refresh_from_db()
    assert (campaign.status, campaign.winner, campaign.decision["significant"]) == ("done", "B", True)
    assert len(smtp_server.messages) == 40
    rows = Recipient.unscoped.filter(campaign=campaign)
    assert rows.filter(variant="B").count() == 30 and rows.filter(variant="A").count() == 10
    assert campaigns.progress(campaign)["variants"]["B"]["sent"] == 30
