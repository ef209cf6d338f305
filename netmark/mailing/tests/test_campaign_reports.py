"""What a campaign brought: conversions and revenue credited to the campaign and to each A/B variant
through the roi attribution service, from visits that carry the UTM of the campaign's real click
links (sent through aiosmtpd), and the engagement report as CSV."""

import codecs
import csv
import email
import io
import json
import re
from datetime import timedelta
from email import policy
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from netmark.analytics.stores import get_store
from netmark.analytics.stores.base import CONVERSION
from netmark.analytics.tests.helpers import event, make_site
from netmark.core.roles import Role
from netmark.mailing import campaign_reports, campaigns, tracking
from netmark.mailing.tests import campaign_factories as make
from netmark.planning.tests.factories import make_plan

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CLICK = re.compile(r'href="[^"]*/mail/t/c/([^"/]+)/"')
PERSON = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
HOUR = 3_600_000
EMAILS = ["wangfang@example.com", "lina@example.com", "zhangwei@example.com", "liuyang@example.com"]


@pytest.fixture
def ab_campaign(team_a, server_row, smtp_server):
    plan = make_plan(team_a.owner, name="春茶上新 Spring launch", utm_campaign="spring-launch")
    the_list = make.mailing_list(team_a.workspace, server_row)
    make.audience(team_a.workspace, the_list, EMAILS)
    html = make.HTML + '<p><a href="https://shop.example.com/longjing">龙井</a></p>'
    campaign = make.campaign(team_a.workspace, the_list, server_row, html=html, plan=plan, test_percent=0)
    campaigns.set_variants(
        team_a.owner, campaign.pk, [{"key": "A", "subject": "新茶到了"}, {"key": "B", "subject": "春茶上市"}]
    )
    campaigns.start_campaign(team_a.owner, campaign.pk)
    campaign.refresh_from_db()
    return campaign


def landing_url(smtp_server, address: str) -> str:
    """The URL a person lands on after clicking the message's product link (the signed click)."""
    message = next(m for m in smtp_server.messages if m.rcpt_tos == [address])
    html = email.message_from_bytes(message.data, policy=policy.default).get_body(("html",)).get_content()
    token = CLICK.findall(html)[-1]
    later = timezone.now() + timedelta(minutes=5)
    return tracking.record_click(token, user_agent=PERSON, ip="203.0.113.7", at=later)


def visit(site, ts: int, visitor: int, url: str = "", **fields):
    """A pageview of the landing URL, with the UTM analytics reads from it (lower-case, as ingested)."""
    query = {key: values[0].lower() for key, values in parse_qs(urlsplit(url).query).items()}
    utm = {key: value for key, value in query.items() if key.startswith("utm_")}
    return event(site, ts, visitor, path=urlsplit(url).path or "/", **utm, **fields)


def sale(site, ts: int, visitor: int, yuan: int):
    return event(site, ts, visitor, kind=CONVERSION, name="Purchase", revenue_micros=yuan * 1_000_000,
                 currency="CNY")  # fmt: skip


def load(*events):
    store = get_store()
    store.append(list(events))
    store.process_all()


def seed_journeys(team_a, ab_campaign, smtp_server):
    """Four people who got the campaign, one who did not, and another campaign's visitor."""
    site = make_site(team_a.workspace, timezone="Asia/Shanghai")
    variant = {r.email: r.variant for r in ab_campaign.recipients.all()}
    by_variant = {key: [a for a in EMAILS if variant[a] == key] for key in ("A", "B")}
    a1, a2 = by_variant["A"]
    b1, b2 = by_variant["B"]
    # Five minutes past midnight of the site's day: every event falls on the day the campaign started.
    midnight = timezone.localtime(timezone=ZoneInfo(site.timezone)).replace(hour=0, minute=5, second=0)
    t0 = int(midnight.timestamp() * 1000)
    load(
        # A, clicked and bought at once: 300 yuan.
        visit(site, t0, 1, landing_url(smtp_server, a1), channel="email"), sale(site, t0 + 60_000, 1, 300),
        # B, clicked, came back from Baidu two hours later and bought: 200 yuan.
        visit(site, t0, 2, landing_url(smtp_server, b1), channel="email"),
        visit(site, t0 + 2 * HOUR, 2, "https://shop.example.com/?utm_source=baidu", channel="search"),
        sale(site, t0 + 2 * HOUR + 60_000, 2, 200),
        # A again, clicked and left; B clicked and left.
        visit(site, t0, 3, landing_url(smtp_server, a2), channel="email"),
        visit(site, t0, 4, landing_url(smtp_server, b2), channel="email"),
        # Someone from search only: 100 yuan, no credit to the campaign.
        visit(site, t0, 5, "https://shop.example.com/", channel="search"), sale(site, t0 + 60_000, 5, 100),
        # Another campaign's variant A: 50 yuan, not this one's.
        visit(site, t0, 6, f"https://shop.example.com/?utm_content=campaign-{ab_campaign.pk + 1}-a",
              channel="email"),
        sale(site, t0 + 60_000, 6, 50),
    )  # fmt: skip


def test_the_click_links_name_the_campaign_and_the_variant_in_utm_content(team_a, ab_campaign, smtp_server):
    variant = {r.email: r.variant for r in ab_campaign.recipients.all()}
    for address in EMAILS:
        query = parse_qs(urlsplit(landing_url(smtp_server, address)).query)
        assert query["utm_content"] == [f"campaign-{ab_campaign.pk}-{variant[address].lower()}"]
        assert (query["utm_campaign"], query["utm_medium"]) == (["spring-launch"], ["email"])


def test_last_click_credits_the_variant_whose_visit_closed_the_sale(team_a, ab_campaign, smtp_server):
    seed_journeys(team_a, ab_campaign, smtp_server)
    report = campaign_reports.conversions(ab_campaign)
    assert report["model"] == "last_touch"
    assert report["variants"] == {
        "A": {"conversions": 1.0, "revenue": 300.0},
        "B": {"conversions": 0.0, "revenue": 0.0},  # Baidu closed B's sale
    }
    assert (report["conversions"], report["revenue"]) == (1.0, 300.0)
    assert (report["all_conversions"], report["all_revenue"]) == (4, 650.0)


def test_other_models_share_the_sale_b_opened(team_a, ab_campaign, smtp_server):
    seed_journeys(team_a, ab_campaign, smtp_server)
    first = campaign_reports.conversions(ab_campaign, model="first_touch")
    assert first["variants"]["B"] == {"conversions": 1.0, "revenue": 200.0}
    linear = campaign_reports.conversions(ab_campaign, model="linear")
    assert linear["variants"] == {
        "A": {"conversions": 1.0, "revenue": 300.0},
        "B": {"conversions": 0.5, "revenue": 100.0},
    }
    assert (linear["conversions"], linear["revenue"]) == (1.5, 400.0)


def test_a_goal_counts_only_its_conversions_and_a_later_period_nothing(team_a, ab_campaign, smtp_server):
    seed_journeys(team_a, ab_campaign, smtp_server)
    signup = campaign_reports.conversions(ab_campaign, goals=["event:Signup"])
    assert signup["variants"] == {key: {"conversions": 0.0, "revenue": 0.0} for key in ("A", "B")}
    later = timezone.localdate() + timedelta(days=3)
    assert campaign_reports.conversions(ab_campaign, start=later, end=later)["all_conversions"] == 0


def test_the_api_progress_answer_carries_the_credit_and_the_model(team_a, ab_campaign, smtp_server):
    seed_journeys(team_a, ab_campaign, smtp_server)
    api, url = team_a.api(Role.VIEWER), f"/api/v1/campaigns/{ab_campaign.pk}/progress"
    answer = api.get(url, {"model": "first_touch"}).json()["attribution"]
    assert answer["model"] == "first_touch"
    assert answer["variants"]["B"] == {"conversions": 1.0, "revenue": 200.0}
    assert api.get(url).json()["attribution"]["model"] == "last_touch"
    assert api.get(url, {"model": "guess"}).status_code == 422
    exported = api.get(f"/api/v1/campaigns/{ab_campaign.pk}/report/export", {"model": "linear"})
    assert exported["Content-Disposition"] == f'attachment; filename="campaign-{ab_campaign.pk}-report.csv"'
    assert ",1.5," not in exported.content.decode("utf-8-sig")  # per variant, never the sum
    assert ",0.5,100.0," in exported.content.decode("utf-8-sig")


def test_the_engagement_report_csv_has_a_row_per_variant_and_per_link(team_a, ab_campaign, smtp_server):
    seed_journeys(team_a, ab_campaign, smtp_server)
    data = campaign_reports.export_report(ab_campaign, campaign_reports.conversions(ab_campaign))
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    totals = {row["variant"]: row for row in rows if not row["link"]}
    columns = ("sent", "clicks", "conversions", "revenue")
    assert {key: tuple(row[name] for name in columns) for key, row in totals.items()} == {
        "A": ("2", "2", "1.0", "300.0"),
        "B": ("2", "2", "0.0", "0.0"),
    }
    links = [(row["variant"], row["link"], row["link_clicks"]) for row in rows if row["link"]]
    assert sorted((variant, clicks) for variant, _link, clicks in links) == [("A", "2"), ("B", "2")]
    assert all(link.startswith("https://shop.example.com/longjing?") for _v, link, _c in links)


def test_a_campaign_not_started_has_no_credit_yet(team_a, server_row):
    the_list = make.mailing_list(team_a.workspace, server_row)
    draft = make.campaign(team_a.workspace, the_list, server_row)
    assert campaign_reports.conversions(draft) is None


def test_the_page_shows_the_credit_under_the_chosen_model_and_exports_it(team_a, ab_campaign, smtp_server):
    seed_journeys(team_a, ab_campaign, smtp_server)
    browser = team_a.browser_client(Role.VIEWER)
    url = f"/w/{team_a.workspace.slug}/mailing/campaigns/{ab_campaign.pk}/"
    shell = browser.get(url, {"model": "linear"}).content.decode()
    assert "?part=credit&amp;model=linear&amp;goal=" in shell  # the card loads after the page
    page = browser.get(url, {"part": "credit"}).content.decode()
    assert '<option value="last_touch" selected>' in page
    assert 'data-variant="A"><td>A</td><td class="num" data-count="conversions">1</td>' in page
    chosen = browser.get(url, {"part": "credit", "model": "linear"}).content.decode()
    assert 'data-variant="B"><td>B</td><td class="num" data-count="conversions">0.50</td>' in chosen
    assert '<td class="num" data-count="revenue">100.00</td>' in chosen
    unknown = browser.get(url, {"part": "credit", "model": "guess"})
    assert unknown.status_code == 200 and "Unknown attribution model." in unknown.content.decode()
    bad = browser.get(url, {"part": "credit", "goal": "purchase"})  # not event: or page:
    assert bad.status_code == 200 and 'class="error"' in bad.content.decode()
    export = browser.get(url + "report/export/", {"model": "first_touch"})
    assert export.status_code == 200 and ",1.0,200.0," in export.content.decode("utf-8-sig")
    assert browser.get(url + "report/export/", {"model": "guess"}).status_code == 400


def test_the_cli_prints_the_credit_and_writes_the_report(
    team_a, ab_campaign, smtp_server, netmark_cli, tmp_path
):
    seed_journeys(team_a, ab_campaign, smtp_server)
    code, out, _err = netmark_cli(f"mailing campaign-progress {ab_campaign.pk} --model first_touch --json")
    credit = json.loads(out)["attribution"]
    assert (code, credit["model"], credit["conversions"], credit["revenue"]) == (0, "first_touch", 2.0, 500.0)
    target = tmp_path / "report.csv"
    code, _out, _err = netmark_cli(f"mailing campaign-report {ab_campaign.pk} --file {target}")
    totals = [row for row in csv.DictReader(io.StringIO(target.read_text("utf-8-sig"))) if not row["link"]]
    assert code == 0 and [(r["variant"], r["revenue"]) for r in totals] == [("A", "300.0"), ("B", "0.0")]
