"""XSS: plan names, lessons, link labels and campaign names with payloads appear escaped in the
run's HTML, the PDF's source HTML, the share page and the SVG charts."""

import datetime
from html.parser import HTMLParser

import pytest
from django.test import Client

from netmark.analytics.stores import get_store
from netmark.analytics.tests.helpers import event, make_site
from netmark.planning import services as planning
from netmark.planning.tests.factories import make_plan
from netmark.reports import rendering, services, shares
from netmark.reports.models import Report
from netmark.reports.sections import ReportPeriod
from netmark.reports.tests.conftest import make_report

pytestmark = pytest.mark.django_db
PAYLOAD = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
CAMPAIGN = '"><svg onload=alert(3)>'


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def _injected(html: str) -> list:
    parser = Elements()
    parser.feed(html)
    bad = []
    for tag, attrs in parser.found:
        if tag == "img" or any(name.startswith("on") for name in attrs):
            bad.append((tag, attrs))
        ours = (attrs.get("src") or "").startswith("/static/") or attrs.get("type") == "application/json"
        if tag == "script" and not ours:
            bad.append((tag, attrs))
    return bad


@pytest.fixture
def hostile_report(team_a):
    plan = make_plan(
        team_a.owner,
        name=f"春茶 {PAYLOAD}",
        status="running",
        targets=[{"kpi": "visits", "target": "2"}],
        utm_campaign="spring",
    )
    planning.record_lessons(team_a.owner, plan.pk, PAYLOAD)
    site = make_site(team_a.workspace)
    site.name = f"站点 {PAYLOAD}"
    site.save()
    ts = int(datetime.datetime(2026, 3, 3, 2, tzinfo=datetime.UTC).timestamp() * 1000)
    get_store().append([event(site, ts, 1, path="/", utm_campaign=CAMPAIGN, channel=PAYLOAD)])
    get_store().process_all()
    Plan = type(plan)
    Plan.unscoped.filter(pk=plan.pk).update(ends_on=datetime.date(2026, 3, 8))
    return make_report(
        team_a.owner, name=f"报告 {PAYLOAD}", sections=["plans", "traffic", "links", "lessons"]
    )


def test_payloads_are_escaped_in_the_html_and_the_pdf_source(hostile_report):
    report = Report.unscoped.select_related("workspace").get(pk=hostile_report.pk)
    document = rendering.build_document(
        report, ReportPeriod(datetime.date(2026, 3, 2), datetime.date(2026, 3, 8))
    )
    assert document.body.count("&lt;script&gt;alert(2)&lt;/script&gt;") >= 4  # title, plan, site, lessons
    assert "&quot;&gt;&lt;svg onload=alert(3)&gt;" in document.body  # the campaign, in a table cell
    assert _injected(document.body) == []
    source = rendering.pdf_source(report, document)
    assert _injected(source) == []
    assert "<script>alert" not in source


def test_payloads_are_escaped_on_the_run_page_and_the_share_page(hostile_report, team_a):
    run = services.request_run(team_a.owner, hostile_report.pk, inline=True)
    client = team_a.browser_client()
    page = client.get(f"/w/{team_a.workspace.slug}/reports/{hostile_report.pk}/runs/{run.pk}/")
    assert page.status_code == 200
    assert _injected(page.content.decode()) == []
    share = services.create_share(team_a.owner, run.pk)
    public = Client().get(f"/r/{shares.token_for(share)}/")
    assert public.status_code == 200 and _injected(public.content.decode()) == []
    listing = client.get(f"/w/{team_a.workspace.slug}/reports/")
    assert _injected(listing.content.decode()) == []
