"""A campaign and what comes back, end to end: every message's links are signed click URLs that
land on the target tagged with the promotion's UTM, a person's click is counted apart from a
scanner's, the envelope sender is the message's VERP return path, and a bounce to it suppresses
the address (real aiosmtpd for sending and for the bounce receiver)."""

import email
import re
from datetime import timedelta
from email import policy
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from netmark.mailing import bounce_server, campaigns, events, tracking
from netmark.mailing.feedback_models import MailEvent
from netmark.mailing.models import Suppression
from netmark.mailing.tests import campaign_factories as make
from netmark.mailing.tests.smtpd import free_port
from netmark.mailing.tests.test_bounces import deliver, readdressed
from netmark.planning.tests.factories import make_plan

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CLICK = re.compile(r'href="[^"]*/mail/t/c/([^"/]+)/"')
PERSON = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


@pytest.fixture
def sent_campaign(team_a, server_row, smtp_server, settings):
    settings.VERP = True
    settings.BOUNCE_DOMAIN = "bounce.yunling-tea.example"
    plan = make_plan(team_a.owner, name="春茶上新 Spring launch", utm_campaign="spring-launch")
    the_list = make.mailing_list(team_a.workspace, server_row)
    make.audience(team_a.workspace, the_list, ["zhangwei@qq.example", "lina@163.example"])
    html = make.HTML + '<p><a href="https://yunling-tea.example/products/longjing-2026?ref=mail">龙井</a></p>'
    campaign = make.campaign(team_a.workspace, the_list, server_row, html=html, plan=plan)
    campaigns.start_campaign(team_a.owner, campaign.pk)
    return campaign


def html_of(message) -> str:
    return email.message_from_bytes(message.data, policy=policy.default).get_body(("html",)).get_content()


def test_links_are_tracked_and_tagged_and_a_person_is_told_from_a_scanner(team_a, sent_campaign, smtp_server):
    assert len(smtp_server.messages) == 2
    first = next(m for m in smtp_server.messages if m.rcpt_tos == ["zhangwei@qq.example"])
    body = html_of(first)
    assert "yunling-tea.example/products" not in body  # the target is only inside the signed token
    token = CLICK.findall(body)[-1]
    scanner = tracking.record_click(token, user_agent=PERSON, ip="203.0.113.9")  # seconds after sending
    target = tracking.record_click(
        token, user_agent=PERSON, ip="203.0.113.9", at=timezone.now() + timedelta(minutes=3)
    )
    assert scanner == target
    parts = urlsplit(target)
    query = parse_qs(parts.query)
    assert (parts.netloc, parts.path) == ("yunling-tea.example", "/products/longjing-2026")
    assert (
        query["ref"] == ["mail"]
        and query["utm_campaign"] == ["spring-launch"]
        and query["utm_medium"] == ["email"]
    )
    counts = events.campaign_counts(team_a.workspace.pk, sent_campaign.pk)[""]
    assert (counts["sent"], counts["clicks"], counts["scanner_clicks"], counts["human_clickers"]) == (
        2,
        1,
        1,
        1,
    )


def test_the_envelope_sender_is_the_verp_return_path_and_its_bounce_suppresses(
    team_a, sent_campaign, smtp_server
):
    first = next(m for m in smtp_server.messages if m.rcpt_tos == ["zhangwei@qq.example"])
    assert re.fullmatch(r"nmb-\d+-[a-z2-7]{24}@bounce\.yunling-tea\.example", first.mail_from)
    controller, _handler = bounce_server.start("127.0.0.1", free_port())
    try:
        deliver(
            controller, first.mail_from, readdressed("dsn_postfix_hard_bounce_5.1.1.eml", first.mail_from)
        )
    finally:
        controller.stop()
    suppressed = Suppression.unscoped.get(workspace=team_a.workspace, email="zhangwei@qq.example")
    assert suppressed.reason == "hard_bounce"
    bounce = MailEvent.unscoped.get(kind="bounce_hard")
    assert bounce.campaign_id == sent_campaign.pk
    assert not Suppression.unscoped.filter(email="lina@163.example").exists()


def test_the_promotion_counts_its_emails_people_opened_and_clicked(team_a, sent_campaign, smtp_server):
    from netmark.core.kpis import get_kpi

    later = timezone.now() + timedelta(minutes=5)
    for message in smtp_server.messages:
        token = CLICK.findall(html_of(message))[-1]
        tracking.record_click(token, user_agent=PERSON, ip="203.0.113.9", at=later)
        tracking.record_click(token, user_agent=PERSON, ip="203.0.113.9", at=later + timedelta(seconds=30))
        pixel = re.search(r"/mail/t/o/([^\"/]+)\.gif", html_of(message)).group(1)
        tracking.record_open(pixel, user_agent="Mozilla/5.0", ip="17.58.0.1", at=later)  # Apple's proxy
    plan = sent_campaign.plan
    values = {
        name: get_kpi(name).compute(plan, None, None)
        for name in ("emails_sent", "email_opens", "email_clicks")
    }
    assert values == {"emails_sent": 2, "email_opens": 0, "email_clicks": 4}
    assert get_kpi("email_unsubscribes").higher_is_better is False


def test_the_campaign_page_reports_what_came_back_with_machines_apart(team_a, sent_campaign, smtp_server):
    from django.urls import reverse

    from netmark.core.roles import Role

    message = smtp_server.messages[0]
    token = CLICK.findall(html_of(message))[-1]
    tracking.record_click(
        token, user_agent=PERSON, ip="203.0.113.9", at=timezone.now() + timedelta(minutes=2)
    )
    page = team_a.browser_client(Role.VIEWER).get(
        reverse("mailing:campaign_detail", args=[team_a.workspace.slug, sent_campaign.pk])
    )
    html = page.content.decode()
    assert page.status_code == 200 and "data-engagement" in html
    assert 'data-count="human_clickers">1<' in html and "longjing-2026" in html


def test_a_campaign_to_a_segment_reaches_its_consenting_contacts(team_a, server_row, smtp_server):
    from netmark.contacts import segments
    from netmark.contacts.consent import record_consent
    from netmark.contacts.models import Contact, Tag

    club, _created = Tag.unscoped.get_or_create(workspace=team_a.workspace, name="茶友会")
    for address, tagged, consenting in (
        ("a@qq.example", True, True), ("b@qq.example", True, False), ("c@qq.example", False, True)
    ):  # fmt: skip
        person = Contact.unscoped.create(workspace=team_a.workspace, email=address, name=address[0])
        if tagged:
            person.tags.add(club)
        if consenting:
            record_consent(person, "email_marketing", "granted", source="test")
    tree = {"op": "and", "rules": [{"field": "tag", "op": "has", "value": "茶友会"}]}
    segment = segments.create_segment(team_a.owner, name="茶友会", filter=tree)
    campaign = make.campaign(team_a.workspace, None, server_row, segment_id=segment.pk)
    campaigns.start_campaign(team_a.owner, campaign.pk)
    # The segment's two contacts get a row; the one without consent is skipped at her turn.
    assert [m.rcpt_tos for m in smtp_server.messages] == [["a@qq.example"]]
    rows = dict(campaign.recipients.values_list("email", "state"))
    assert rows == {"a@qq.example": "sent", "b@qq.example": "skipped"}
