"""The UI in Debian's chromium (Playwright) against the live test server: sign in, the dashboard
with its chart, switching to Chinese, every foundation page, and a screenshot of each in
``test-artifacts/screenshots/`` (gitignored). The browser only talks to the loopback live server.

For the lead's catalogue: this test reads the nav label "Dashboard" in zh-hans from the compiled
catalogue; translate msgid "Dashboard" as "概览" (and "Plans" as "推广计划").
"""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation
from playwright.sync_api import expect

from conftest import PASSWORD, SCREENSHOTS, Team
from netmark.core import invitations, services
from netmark.core.roles import Role
from netmark.planning import services as planning
from netmark.positioning import services as positioning

# serialized_rollback: the seeded channel catalogue comes back after each test's flush.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ECHARTS_VENDORED = (Path(settings.PACKAGE_DIR) / "web" / "vendor" / "echarts" / "echarts.min.js").is_file()


def _seed(team: Team) -> None:
    owner = team.owner
    for name in ("明前龙井 West Lake", "白毫银针 Silver Needle", "云南普洱 357g"):
        positioning.create_product(owner, name=name, price=Decimal("268.00"))
    positioning.create_audience(owner, name="上海白领 Office workers")
    positioning.create_audience(owner, name="茶艺爱好者 Tea lovers")
    wechat = planning.create_channel_account(
        owner, channel_type="wechat_official", name="公众号 Official account"
    )
    baidu = planning.create_channel_account(owner, channel_type="baidu_search_ads", name="百度推广 Baidu ads")
    today = timezone.localdate()
    for offset, name, budgets in (
        (2, "春茶上新 Spring launch", [(wechat, "3200"), (baidu, "8000")]),
        (9, "清明茶会 Tasting day", [(wechat, "1500")]),
    ):
        planning.create_plan(
            owner,
            name=name,
            objective="让白领知道明前龙井上市",
            starts_on=today + datetime.timedelta(days=offset),
            ends_on=today + datetime.timedelta(days=offset + 6),
            status="planned",
            channels=[{"channel_account_id": account.pk, "budget": budget} for account, budget in budgets],
        )
    invitations.send_invitation(owner, "new.colleague@example.com", Role.PLANNER)
    services.create_token(owner, "CRM 导入脚本")


@pytest.fixture
def browser_page(live_server, chromium):
    context = chromium.new_context(viewport={"width": 1360, "height": 900}, locale="en-US")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    yield page
    context.close()


def _shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/sign-in/")
    _shot(page, "sign-in")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/sign-in/'] button[type=submit]")


def _switch_language(page, code: str) -> None:
    page.click(f"form.lang-switch button[data-language='{code}']")
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_sign_in_dashboard_and_chinese(browser_page, live_server):
    team = Team("a")
    _seed(team)
    page = browser_page
    _sign_in(page, live_server.url, "owner-a@example.com")
    page.wait_for_url(f"{live_server.url}/w/ws-a/")
    # The workspace's language (zh-hans) is the default until the member chooses.
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    _switch_language(page, "en")
    expect(page.locator("[data-nav='web.dashboard']")).to_have_text("Dashboard")
    expect(page.locator("[data-stat='products'] .stat-value")).to_have_text("3")
    expect(page.locator(".timeline")).to_contain_text("春茶上新 Spring launch")
    chart = page.locator("#budget-chart")
    if ECHARTS_VENDORED:
        expect(chart).to_have_attribute("data-rendered", "echarts")
        expect(chart.locator("svg")).to_have_count(1)
    else:
        expect(chart.locator("table")).to_contain_text("百度推广 Baidu ads")
    _shot(page, "dashboard-en")

    _switch_language(page, "zh-hans")
    with translation.override("zh-hans"):
        chinese_dashboard = translation.gettext("Dashboard")
    expect(page.locator("[data-nav='web.dashboard']")).to_have_text(chinese_dashboard)
    _shot(page, "dashboard-zh-hans")
    assert page.problems == []


SETTINGS_PAGES = [
    ("members", "/settings/members/"),
    ("invitations", "/settings/invitations/"),
    ("tokens", "/settings/tokens/"),
    ("webhooks", "/settings/webhooks/"),
    ("audit-log", "/settings/audit/"),
    ("outbox", "/settings/outbox/"),
]


def test_every_foundation_page_renders_without_script_errors(browser_page, live_server, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    team = Team("a")
    _seed(team)
    page = browser_page
    _sign_in(page, live_server.url, "owner-a@example.com")
    page.wait_for_url(f"{live_server.url}/w/ws-a/")
    _switch_language(page, "en")
    for name, path in SETTINGS_PAGES:
        response = page.goto(f"{live_server.url}/w/ws-a{path}")
        assert response.status == 200, name
        expect(page.locator(f"[data-nav='core.{name.replace('-log', '')}']")).to_have_class("active")
        _shot(page, f"settings-{name}")

    # The audit filter swaps the results in place with htmx (under the strict CSP) and keeps the URL.
    page.goto(f"{live_server.url}/w/ws-a/settings/audit/")
    page.select_option("select[name=action]", "plan.created")
    page.wait_for_url(f"{live_server.url}/w/ws-a/settings/audit/?action=plan.created")
    expect(page.locator("#audit-results tbody tr")).to_have_count(2)
    _shot(page, "settings-audit-log-filtered")

    page.goto(f"{live_server.url}/w/ws-a/settings/outbox/")
    page.click("table a")
    expect(page.locator(".mail-body")).to_contain_text("/invitations/")
    _shot(page, "settings-outbox-message")

    page.goto(f"{live_server.url}/w/ws-a/settings/webhooks/")
    page.fill("input[name=url]", "https://hooks.example.com/netmark")
    page.fill("input[name=events]", "plan.created, plan.updated")
    page.click("form:has(input[name=url]) button[type=submit]")
    expect(page.locator("[data-new-secret]")).to_contain_text("whsec_")
    _shot(page, "settings-webhooks-created")
    page.click("table a")
    expect(page.locator(".meta")).to_contain_text("plan.updated")
    _shot(page, "settings-webhook-detail")

    page.goto(f"{live_server.url}/w/ws-a/settings/tokens/")
    page.fill("input[name=name]", "报表脚本 reports")
    page.click("form:has(input[name=name]) button[type=submit]")
    expect(page.locator("[data-new-secret]")).to_contain_text("nmk_")
    _shot(page, "settings-tokens-created")

    page.goto(f"{live_server.url}/w/ws-a/settings/members/")
    page.fill("input[name=email]", "not-an-address")
    page.click("form:has(input[name=email]) button[type=submit]")
    expect(page.locator(".field.has-error .field-error")).to_have_count(1)
    _shot(page, "settings-members-form-error")

    for name, path in (("two-factor", "/account/two-factor/"), ("password-change", "/account/password/")):
        page.goto(f"{live_server.url}{path}")
        _shot(page, name)
    expect(page.locator("[data-nav='web.dashboard']")).to_have_attribute("href", "/w/ws-a/")
    page.goto(f"{live_server.url}/account/two-factor/")
    expect(page.locator(".qr svg")).to_have_count(1)
    assert page.problems == []


def test_phone_layout_opens_the_navigation(browser_page, live_server):
    Team("a")
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server.url, "viewer-a@example.com")
    page.wait_for_url(f"{live_server.url}/w/ws-a/")
    sidebar = page.locator("#sidebar")
    expect(sidebar).not_to_be_in_viewport()
    _shot(page, "dashboard-phone")
    page.click("[data-toggle-nav]")
    expect(sidebar).to_be_in_viewport()
    for _frame in range(50):  # the slide-in transition ends with the sidebar at the left edge
        if sidebar.bounding_box()["x"] == 0:
            break
        page.wait_for_timeout(20)
    assert sidebar.bounding_box()["x"] == 0
    _shot(page, "dashboard-phone-menu")
    assert page.problems == []


def test_an_invited_person_joins_from_the_email_link(browser_page, live_server, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    team = Team("a")
    invitations.send_invitation(team.owner, "new.colleague@example.com", Role.PLANNER)
    (mail_file,) = (tmp_path / "outbox").iterdir()
    link = next(
        line for line in mail_file.read_text(encoding="utf-8").splitlines() if "/invitations/" in line
    )
    page = browser_page
    page.goto(link.strip().replace(settings.PUBLIC_URL, live_server.url))
    expect(page.locator("h1")).to_contain_text("云岭茶业 a Tea")
    _shot(page, "invitation-accept")
    page.fill("input[name=password1]", "Jasmine-2026-tea")
    page.fill("input[name=password2]", "Jasmine-2026-tea")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{live_server.url}/w/ws-a/")
    expect(page.locator(".flash-success")).to_be_visible()
    _shot(page, "invitation-joined")
    assert page.problems == []
