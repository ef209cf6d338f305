"""The reports pages in a real browser (Playwright driving Debian's chromium): the run page draws
its charts with ECharts over the server's SVG, under the strict CSP without a console error; the
client's share page works without sign-in. Screenshots go to test-artifacts/."""

import datetime

import pytest
from django.conf import settings
from django.test import Client

from conftest import SCREENSHOTS
from netmark.analytics.stores import get_store
from netmark.analytics.tests.helpers import event, make_site
from netmark.planning.tests.factories import make_plan
from netmark.reports import services, shares
from netmark.reports.tests.conftest import make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _signed_in(chromium, live_server, member):
    client = Client()
    client.force_login(member.user)
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    host = live_server.url.split("//", 1)[1].split(":", 1)[0]
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "domain": host, "path": "/"},
        ]
    )
    return context


def _errors(page) -> list:
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_the_run_page_draws_echarts_and_the_share_page_opens(team_a, chromium, live_server):
    today = datetime.date.today()
    make_plan(
        team_a.owner, name="双十一预热", status="running", utm_campaign="d11",
        starts_on=today - datetime.timedelta(days=20), ends_on=today + datetime.timedelta(days=5),
        targets=[{"kpi": "visits", "target": "10"}],
    )  # fmt: skip
    site = make_site(team_a.workspace)
    start = datetime.datetime.combine(
        today - datetime.timedelta(days=14), datetime.time(3), tzinfo=datetime.UTC
    )
    events = [
        event(site, int((start + datetime.timedelta(days=day)).timestamp() * 1000), day * 10 + n, path="/",
              utm_campaign="d11", channel="social")
        for day in range(7) for n in range(day % 4 + 1)
    ]  # fmt: skip
    get_store().append(events)
    get_store().process_all()
    report = make_report(team_a.owner, name="双十一周报", sections=["plans", "traffic", "lessons"])
    run = services.request_run(team_a.owner, report.pk, inline=True)
    context = _signed_in(chromium, live_server, team_a.owner)
    page = context.new_page()
    errors = _errors(page)
    page.goto(f"/w/{team_a.workspace.slug}/reports/{report.pk}/runs/{run.pk}/")
    # ECharts draws paths; the server's SVG has none.
    page.wait_for_selector("[data-report-chart] svg path", state="attached")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "reports-run.png"), full_page=True)
    assert page.locator("h1").first.inner_text()
    assert errors == []
    share = services.create_share(team_a.owner, run.pk)
    public = chromium.new_context(base_url=live_server.url).new_page()
    public_errors = _errors(public)
    public.goto(f"/r/{shares.token_for(share)}/")
    public.wait_for_selector("[data-report-chart] svg path", state="attached")
    public.screenshot(path=str(SCREENSHOTS / "reports-shared.png"), full_page=True)
    assert "双十一周报" in public.content() and public_errors == []
    context.close()
