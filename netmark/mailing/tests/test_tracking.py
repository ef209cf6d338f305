"""Open and click tracking: signed per-recipient links, no open redirect, machine opens and
scanner clicks flagged apart, events in the store and on the timeline (TOKEN, REDIRECT)."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from netmark.contacts.models import Interaction
from netmark.core import signing
from netmark.mailing import events, tracking
from netmark.mailing.feedback_models import MailEvent
from netmark.mailing.tests.feedback_helpers import contact, sent_message, store_events

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"  # noqa: E501
GMAIL = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"
UTM = {"utm_source": "edm", "utm_medium": "email", "utm_campaign": "shuang11"}
HTML = (
    '<html><body><p>你好</p><a href="https://shop.yunling-tea.example/tea?id=1&amp;x=2">新茶</a>'
    "<a href='https://yunling-tea.example/?utm_campaign=own'>官网</a>"
    '<a href="mailto:kefu@yunling-tea.example">客服</a>'
    '<a href="http://127.0.0.1:8000/mail/unsubscribe/abc/">退订</a></body></html>'
)


def decorate(workspace, key: str, contact_id=None, html: str = HTML) -> str:
    return tracking.decorate_html(
        html, workspace_id=workspace.pk, campaign_id=7, variant="A", contact_id=contact_id,
        recipient="zhangwei@qq.example", message_key=key, utm=UTM,
    )  # fmt: skip


def tracked_links(html: str) -> list[str]:
    return re.findall(r'href="(http://[^"]+/mail/t/c/[^"]+/)"', html)


def path(url: str) -> str:
    return urlsplit(url).path


@pytest.fixture
def message(team_a):
    person = contact(team_a.workspace)
    key, tag = sent_message(team_a.workspace, "zhangwei@qq.example", contact_id=person.pk)
    return person, key, tag


def test_every_web_link_is_rewritten_to_a_signed_click_url_and_the_rest_left_alone(team_a, message):
    person, key, _tag = message
    html = decorate(team_a.workspace, key, person.pk)
    links = tracked_links(html)
    assert len(links) == 2
    assert 'href="mailto:kefu@yunling-tea.example"' in html
    assert 'href="http://127.0.0.1:8000/mail/unsubscribe/abc/"' in html
    assert "zhangwei" not in html  # no address in any URL
    assert html.count("/mail/t/o/") == 1 and html.count("/mail/t/h/") == 1
    assert html.index("/mail/t/h/") < html.index("新茶")  # the honeypot comes first
    assert html.index("/mail/t/o/") > html.index("退订")  # the pixel comes last


def test_a_click_redirects_to_the_target_tagged_with_the_promotion_utm(team_a, message):
    person, key, tag = message
    first, second = tracked_links(decorate(team_a.workspace, key, person.pk))
    response = Client().get(path(first), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert (target.netloc, target.path) == ("shop.yunling-tea.example", "/tea")
    assert parse_qs(target.query) == {"id": ["1"], "x": ["2"], **{k: [v] for k, v in UTM.items()}}
    own = parse_qs(urlsplit(Client().get(path(second), HTTP_USER_AGENT=BROWSER)["Location"]).query)
    assert own["utm_campaign"] == ["own"] and own["utm_source"] == ["edm"]  # the author's value stays
    row = MailEvent.unscoped.get(kind="click", url=response["Location"])
    assert (row.recipient, row.campaign_id, row.variant, row.contact_id, row.message_tag) == (
        "zhangwei@qq.example", 7, "A", person.pk, tag,
    )  # fmt: skip
    assert row.is_machine is False


def test_a_human_open_is_recorded_in_the_store_and_on_the_timeline(team_a, message):
    person, key, _tag = message
    html = decorate(team_a.workspace, key, person.pk)
    pixel = re.search(r'src="(http://[^"]+/mail/t/o/[^"]+\.gif)"', html).group(1)
    response = Client().get(path(pixel), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert response.content == tracking.GIF and "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    row = MailEvent.unscoped.get(kind="open")
    assert (row.is_machine, row.contact_id) == (False, person.pk)
    stored = store_events(team_a.workspace.pk)
    assert [(e["name"], e["contact_id"], e["utm_campaign"], e["is_bot"]) for e in stored] == [
        ("email_open", person.pk, "shuang11", False)
    ]
    assert stored[0]["props"] == {"campaign_id": "7", "variant": "A", **UTM}
    entry = Interaction.unscoped.get(contact=person, kind="email_open")
    assert entry.payload["campaign_id"] == 7


@pytest.mark.parametrize(
    "agent, ip, reason",
    [
        ("Mozilla/5.0", "198.51.100.7", "apple_mpp"),
        (BROWSER, "17.58.101.3", "apple_mpp"),
        (GMAIL, "203.0.113.5", "gmail_proxy"),
        ("Mozilla/5.0 (compatible; QQMail image proxy)", "203.0.113.6", "qq_proxy"),
        ("Mozilla/5.0 NetEase-MailImageProxy", "203.0.113.9", "netease_proxy"),
        ("python-requests/2.32", "203.0.113.8", "scanner"),
        ("", "203.0.113.8", "no_user_agent"),
    ],
)  # fmt: skip
def test_machine_opens_are_flagged_with_their_reason(team_a, message, agent, ip, reason):
    person, key, _tag = message
    pixel = re.search(r'src="(http://[^"]+\.gif)"', decorate(team_a.workspace, key, person.pk)).group(1)
    Client().get(path(pixel), HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    row = MailEvent.unscoped.get(kind="open")
    assert (row.is_machine, row.machine_reason) == (True, reason)
    assert store_events(team_a.workspace.pk)[0]["is_bot"] is True


def test_opens_and_clicks_within_seconds_of_delivery_are_machines(team_a):
    person = contact(team_a.workspace)
    key, _tag = sent_message(team_a.workspace, "zhangwei@qq.example", contact_id=person.pk, seconds_ago=2)
    html = decorate(team_a.workspace, key, person.pk)
    Client().get(path(re.search(r'src="(http://[^"]+\.gif)"', html).group(1)), HTTP_USER_AGENT=BROWSER)
    Client().get(path(tracked_links(html)[0]), HTTP_USER_AGENT=BROWSER)
    assert sorted(MailEvent.unscoped.filter(is_machine=True).values_list("kind", "machine_reason")) == [
        ("click", "too_soon"),
        ("open", "too_soon"),
    ]


def test_the_honeypot_link_marks_a_scanner_click_and_redirects_nowhere(team_a, message):
    person, key, _tag = message
    trap = re.search(r'href="(http://[^"]+/mail/t/h/[^"]+/)"', decorate(team_a.workspace, key, person.pk))
    response = Client().get(path(trap.group(1)), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200 and "Location" not in response
    row = MailEvent.unscoped.get(kind="click")
    assert (row.is_machine, row.machine_reason, row.url) == (True, "honeypot", "")


def test_a_datacenter_click_is_a_scanner_click(team_a, message):
    person, key, _tag = message
    link = tracked_links(decorate(team_a.workspace, key, person.pk))[0]
    assert Client().get(path(link), HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="40.107.22.10").status_code == 302
    assert MailEvent.unscoped.get(kind="click").machine_reason == "datacenter"


def test_head_requests_record_nothing(team_a, message):
    person, key, _tag = message
    html = decorate(team_a.workspace, key, person.pk)
    assert Client().head(path(tracked_links(html)[0])).status_code == 302
    Client().head(path(re.search(r'src="(http://[^"]+\.gif)"', html).group(1)))
    assert MailEvent.unscoped.exclude(kind="sent").count() == 0


def test_a_token_of_another_purpose_or_with_a_changed_target_is_refused(team_a, message):
    person, key, _tag = message
    html = decorate(team_a.workspace, key, person.pk)
    pixel_token = re.search(r"/mail/t/o/([^\"]+)\.gif", html).group(1)
    assert Client().get(f"/mail/t/c/{pixel_token}/").status_code == 404
    forged = signing.sign(
        "mailing.unsubscribe", {"w": team_a.workspace.pk, "t": "x" * 24, "u": "https://evil.example/"}
    )
    assert Client().get(f"/mail/t/c/{forged}/").status_code == 404
    script = signing.sign(
        tracking.CLICK, {"w": team_a.workspace.pk, "t": "x" * 24, "u": "javascript:alert(1)"}
    )
    assert Client().get(f"/mail/t/c/{script}/").status_code == 404
    assert MailEvent.unscoped.exclude(kind="sent").count() == 0


@hypothesis_settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(position=st.integers(min_value=0, max_value=10_000), replacement=st.sampled_from("AZaz09-_:"))
def test_mutated_click_tokens_never_redirect(team_a, message, position, replacement):
    person, key, _tag = message
    token = urlsplit(tracked_links(decorate(team_a.workspace, key, person.pk))[0]).path.split("/")[-2]
    index = position % len(token)
    if token[index] == replacement:
        return
    mutated = token[:index] + replacement + token[index + 1 :]
    response = Client().get(f"/mail/t/c/{mutated}/")
    assert response.status_code in (404, 429) and "Location" not in response


def test_query_parameters_never_change_where_a_click_leads(team_a, message):
    person, key, _tag = message
    link = path(tracked_links(decorate(team_a.workspace, key, person.pk))[0])
    response = Client().get(link + "?next=https://evil.example/&u=https://evil.example/")
    assert urlsplit(response["Location"]).netloc == "shop.yunling-tea.example"


def test_campaign_counts_report_humans_and_machines_apart(team_a):
    workspace = team_a.workspace
    now = timezone.now()
    for n, variant in enumerate(["A", "A", "A", "B"]):
        sent_message(workspace, f"reader{n}@163.example", variant=variant)
    tags = list(MailEvent.unscoped.filter(kind="sent").order_by("id").values_list("message_tag", "variant"))

    def add(index, kind, machine=False, url=""):
        tag, variant = tags[index]
        recipient = f"reader{index}@163.example"
        occurrence = events.Occurrence(workspace.pk, kind, recipient, campaign_id=7, variant=variant)
        occurrence.message_tag, occurrence.at, occurrence.is_machine, occurrence.url = tag, now, machine, url
        events.record(occurrence)

    add(0, "open"), add(0, "open", machine=True), add(1, "open", machine=True), add(1, "open", machine=True)
    add(0, "click", url="https://a.example/"), add(0, "click", url="https://a.example/")
    add(2, "click", machine=True, url="https://a.example/"), add(2, "bounce_soft"), add(3, "complaint")
    add(3, "unsubscribe"), add(3, "open")
    counts = events.campaign_counts(workspace.pk, 7)
    assert counts["A"] == {
        "sent": 3, "delivered": 0, "human_opens": 1, "machine_opens": 1, "open_events": 4, "clicks": 2,
        "human_clickers": 1, "scanner_clicks": 1, "clicks_per_link": {"https://a.example/": 2},
        "bounces": {"hard": 0, "soft": 1},
        "complaints": 0, "unsubscribes": 0,
    }  # fmt: skip
    assert (counts["B"]["complaints"], counts["B"]["unsubscribes"], counts["B"]["human_opens"]) == (1, 1, 1)
    assert events.campaign_counts(team_a.workspace.pk + 1000, 7) == {}


def test_a_click_in_another_workspace_is_not_counted_in_this_one(team_a, team_b, message):
    person, key, _tag = message
    Client().get(path(tracked_links(decorate(team_a.workspace, key, person.pk))[0]), HTTP_USER_AGENT=BROWSER)
    assert events.campaign_counts(team_b.workspace.pk, 7) == {}
    assert events.campaign_counts(team_a.workspace.pk, 7)["A"]["clicks"] == 1


def test_sent_events_are_old_enough_for_a_later_click_to_count_as_human(team_a):
    person = contact(team_a.workspace)
    key, _tag = sent_message(team_a.workspace, "zhangwei@qq.example", contact_id=person.pk, seconds_ago=0)
    link = tracked_links(decorate(team_a.workspace, key, person.pk))[0]
    later = timezone.now() + timedelta(minutes=5)
    tracking.record_click(
        urlsplit(link).path.split("/")[-2], user_agent=BROWSER, ip="198.51.100.20", at=later
    )
    assert MailEvent.unscoped.get(kind="click").is_machine is False


def test_a_one_click_unsubscribe_is_counted_for_its_campaign_and_on_the_timeline(team_a, message):
    from netmark.mailing import unsubscribe

    person, _key, _tag = message
    token = unsubscribe.make_token(team_a.workspace.pk, "zhangwei@qq.example", campaign_key="7")
    assert Client().post(f"/mail/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Client().post(f"/mail/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert events.campaign_counts(team_a.workspace.pk, 7)["A"]["unsubscribes"] == 1
    assert MailEvent.unscoped.filter(kind="unsubscribe").count() == 1
    assert Interaction.unscoped.filter(contact=person, kind="email_unsubscribe").count() == 1


def test_a_flood_from_one_address_is_answered_but_not_recorded(team_a, message, settings):
    settings.TRACKING_RECORDS_PER_MINUTE = 5
    person, key, _tag = message
    pixel = path(re.search(r'src="(http://[^"]+\.gif)"', decorate(team_a.workspace, key, person.pk)).group(1))
    answers = {Client().get(pixel, HTTP_USER_AGENT=BROWSER).status_code for _ in range(20)}
    assert answers == {200}
    assert MailEvent.unscoped.filter(kind="open").count() == 5
