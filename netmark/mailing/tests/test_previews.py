"""A campaign's preview in both languages and its test send through a real SMTP server (issue 7)."""

import email
import re
from email import policy
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from netmark.core.roles import Role
from netmark.mailing import dkim, previews, smtp
from netmark.mailing.campaign_models import Recipient, Variant
from netmark.mailing.models import DkimKey
from netmark.mailing.sealing import seal
from netmark.mailing.tests import campaign_factories as make

SUBJECT = "{{ contact.first_name | default('朋友') }}，新茶到了"


@pytest.fixture
def campaign(team_a, server_row):
    the_list = make.mailing_list(team_a.workspace, server_row)
    html = (
        '<p title="a &quot;q&quot;">{{ contact.first_name }}：龙井 <b>上市</b></p>'
        '<a href="{{ preferences_url }}">偏好</a>'
    )
    return make.campaign(team_a.workspace, the_list, server_row, subject=SUBJECT, html=html)


def _url(team, campaign, name="campaign_preview"):
    return reverse(f"mailing:{name}", args=[team.workspace.slug, campaign.pk])


class _Frames(HTMLParser):
    def __init__(self):
        super().__init__()
        self.frames = []

    def handle_starttag(self, tag, attrs):
        if tag == "iframe":
            self.frames.append(dict(attrs))


def _frames(page: str) -> list[dict]:
    parser = _Frames()
    parser.feed(page)
    return parser.frames


@pytest.mark.parametrize(("language", "name"), [("zh-hans", "王芳"), ("en", "Alex")])
def test_the_preview_renders_subject_html_and_text_for_a_sample_contact(team_a, campaign, language, name):
    page = team_a.browser_client(Role.VIEWER).get(_url(team_a, campaign) + f"?lang={language}")
    html = page.content.decode()
    assert page.status_code == 200
    shown = previews.preview(team_a.workspace, campaign.pk, language=language)
    assert shown.subject == f"{name}，新茶到了" and f"data-preview-subject>{shown.subject}<" in html
    (frame,) = _frames(html)
    assert "sandbox" in frame and frame["sandbox"] in ("", None)  # no allow-* tokens
    assert frame["srcdoc"] == shown.html  # escaped in the attribute, exact once parsed
    assert f"{name}：龙井 <b>上市</b>" in frame["srcdoc"] and 'href="#preferences"' in frame["srcdoc"]
    assert f"{name}：龙井 上市" in shown.text and "<b>" not in shown.text
    assert 'data-lang="zh-hans"' in html and 'data-lang="en"' in html


def test_a_failing_template_shows_its_error_not_a_server_error(team_a, campaign):
    campaign.html = "<p>{{ contact.nickname }}</p>{% for x in %}"
    campaign.save()
    page = team_a.browser_client(Role.VIEWER).get(_url(team_a, campaign) + "?lang=en")
    html = page.content.decode()
    assert page.status_code == 200 and "data-preview-errors" in html and "Line 1" in html
    assert _frames(html) == []
    campaign.html = "<p>{{ contact.nickname }}</p>"
    campaign.save()
    html = team_a.browser_client(Role.VIEWER).get(_url(team_a, campaign) + "?lang=en").content.decode()
    assert "data-preview-errors" in html and "nickname" in html


def test_a_variant_is_previewed_with_its_own_subject_and_unknown_ones_are_refused(team_a, campaign):
    Variant.unscoped.create(
        workspace=team_a.workspace, campaign=campaign, key="A", subject="A：{{ contact.city }}"
    )
    Variant.unscoped.create(workspace=team_a.workspace, campaign=campaign, key="B", subject="B")
    client = team_a.browser_client(Role.VIEWER)
    html = client.get(_url(team_a, campaign) + "?variant=A&lang=zh-hans").content.decode()
    assert "data-preview-subject>A：杭州<" in html and 'data-variant="B"' in html
    for query in ("?variant=Z", "?lang=fr", "?variant=%00"):
        answer = client.get(_url(team_a, campaign) + query)
        assert answer.status_code == 400 and answer.content.decode()


def _sent(smtp_server):
    (received,) = smtp_server.messages
    return received, email.message_from_bytes(received.data, policy=policy.default)


def test_a_test_send_arrives_prefixed_untracked_and_is_not_a_recipient(team_a, campaign, smtp_server):
    client = team_a.browser_client(Role.IMPLEMENTER)
    detail = client.get(_url(team_a, campaign, "campaign_detail")).content.decode()
    assert f'action="{_url(team_a, campaign, "campaign_test_send")}"' in detail and "data-test-send" in detail
    viewer_page = team_a.browser_client(Role.VIEWER).get(_url(team_a, campaign, "campaign_detail"))
    assert "data-test-send" not in viewer_page.content.decode()
    answer = client.post(_url(team_a, campaign, "campaign_test_send"),
                         {"email": "Tester@Example.org", "lang": "zh-hans", "variant": ""})  # fmt: skip
    assert answer.status_code == 302 and "lang=zh-hans" in answer["Location"]
    received, parsed = _sent(smtp_server)
    assert received.rcpt_tos == ["tester@example.org"]
    assert parsed["Subject"] == "[Test] 王芳，新茶到了"
    body = parsed.get_body(("html",)).get_content()
    assert "王芳：龙井" in body and "/mail/t/" not in body  # no pixel, no tracked links
    assert parsed["List-Unsubscribe"].strip().startswith("<http://127.0.0.1:8000/mail/unsubscribe/")
    preferences = re.search(r'href="http://127\.0\.0\.1:8000(/mail/preferences/[^"]+)"', body).group(1)
    assert Client().get(preferences).status_code == 200  # the same token opens the preference centre
    assert Recipient.unscoped.filter(campaign=campaign).count() == 0
    page = client.get(answer["Location"]).content.decode()
    assert "Test message sent to Tester@Example.org." in page


def test_a_test_send_is_signed_when_the_sender_domain_has_a_key(team_a, campaign, smtp_server):
    pair = dkim.generate_key(dkim.ED25519)
    DkimKey.unscoped.create(
        workspace=team_a.workspace, domain="yunling-tea.example", selector="nm1", algorithm=dkim.ED25519,
        private_key_sealed=seal(pair.private_pem), public_key=pair.public_b64,
    )  # fmt: skip
    outcome = previews.send_test(team_a.member(Role.OWNER), campaign.pk, "qa@example.org", language="en")
    assert outcome.status == smtp.SENT
    received, parsed = _sent(smtp_server)
    assert received.data.count(b"DKIM-Signature:") == 1 and parsed["Subject"] == "[Test] Alex，新茶到了"


def test_a_viewer_cannot_send_a_test_and_bad_addresses_are_told(team_a, campaign, smtp_server):
    viewer = team_a.browser_client(Role.VIEWER)
    assert (
        viewer.post(_url(team_a, campaign, "campaign_test_send"), {"email": "a@example.org"}).status_code
        == 403
    )
    client = team_a.browser_client(Role.IMPLEMENTER)
    answer = client.post(
        _url(team_a, campaign, "campaign_test_send"), {"email": "not an address"}, follow=True
    )
    assert "Enter a valid email address." in answer.content.decode()
    assert smtp_server.messages == []


def test_a_test_send_without_a_server_is_refused(team_a, campaign, smtp_server):
    campaign.server = None
    campaign.save()
    client = team_a.browser_client(Role.IMPLEMENTER)
    answer = client.post(
        _url(team_a, campaign, "campaign_test_send"), {"email": "a@example.org"}, follow=True
    )
    assert "Choose the SMTP server to send through." in answer.content.decode()
    assert smtp_server.messages == []


def test_a_refused_test_send_tells_the_smtp_answer(team_a, campaign, smtp_server):
    client = team_a.browser_client(Role.IMPLEMENTER)
    url = _url(team_a, campaign, "campaign_test_send")
    page = client.post(url, {"email": "gone-qa@example.org", "lang": "en"}, follow=True).content.decode()
    assert "The test message was not sent: 550 5.1.1 No such mailbox" in page
    assert smtp_server.messages == [] and Recipient.unscoped.filter(campaign=campaign).count() == 0
