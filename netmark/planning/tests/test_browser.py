"""The positioning and planning pages in a real browser (Playwright driving Debian's chromium).

A planner creates a plan with two expected results and a channel budget (the rows are added with
HTMX), finds it on the calendar, and every page is screenshotted into test-artifacts/screenshots/.
The pages must run under the strict CSP without a single console error.
"""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from conftest import SCREENSHOTS
from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.planning.models import KpiTarget, Plan, PlanChannel
from netmark.planning.tests.factories import make_channel, make_plan
from netmark.positioning import services as positioning
from netmark.web.access import workspace_time_zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser(chromium):
    return chromium


@pytest.fixture
def page_as(browser, live_server):
    """Opens a page signed in as a member (session cookie from ``force_login``) in ``language``."""
    contexts = []

    def open_page(member, language: str = "en"):
        client = Client()
        client.force_login(member.user)
        context = browser.new_context(viewport={"width": 1360, "height": 900}, base_url=live_server.url)
        host = live_server.url.split("//", 1)[1].split(":", 1)[0]
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "domain": host,
                    "path": "/",
                },
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "domain": host, "path": "/"},
            ]
        )
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda message: _keep_error(page.console_errors, message))
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()


def _keep_error(errors: list, message) -> None:
    """Console errors (CSP refusals, script errors, failed loads), except the browser's own favicon probe."""
    if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
        errors.append(f"{message.text} ({message.location.get('url', '')})")


def shoot(page, name: str) -> None:
    """The whole page: the viewport grows to the page's height (the sticky layout breaks full_page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], height)})
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    page.set_viewport_size(viewport)


def _positioning_data(team) -> None:
    product = positioning.create_product(team.owner, name="明前龙井 250g", price="268.00")
    audience = positioning.create_audience(
        team.owner,
        name="上海白领 Office workers",
        characteristics="25–35 岁，午休喝茶，重视品质",
        needs="提神、不苦、包装好看",
        channel_presence={"wechat_official": 80, "zhihu": 55, "weibo": 30, "email": 20},
    )
    positioning.create_message(
        team.owner,
        title="午后一杯好茶",
        audience_id=audience.pk,
        product_id=product.pk,
        value_proposition="三分钟泡出明前龙井的鲜爽",
        call_to_action="立即试饮",
    )


def test_planner_creates_a_plan_and_finds_it_on_the_calendar(team_a, page_as, live_server):
    _positioning_data(team_a)
    channel = make_channel(team_a.owner, monthly_hours="20")
    make_channel(team_a.owner, name="知乎机构号 Zhihu", channel_type="zhihu", monthly_budget="800")
    today = datetime.datetime.now(workspace_time_zone(team_a.workspace)).date()
    make_plan(team_a.owner, name="中秋礼盒 Mid-autumn", starts_on=today, ends_on=today, status="running")
    slug = team_a.workspace.slug
    page = page_as(team_a.member(Role.PLANNER))

    page.goto(reverse("planning:plan_create", args=[slug]))
    page.fill("#id_name", "春茶上新 · Spring launch")
    page.fill("#id_objective", "让上海白领知道明前龙井上市，带来 300 条线索")
    page.fill("#id_starts_on", today.isoformat())
    page.fill("#id_ends_on", (today + datetime.timedelta(days=2)).isoformat())
    page.select_option("#id_targets-0-kpi", "leads")
    page.fill("#id_targets-0-target", "300")
    page.click("#add-target-row")
    page.wait_for_selector("#id_targets-1-kpi")
    page.select_option("#id_targets-1-kpi", "orders")
    page.fill("#id_targets-1-target", "45")
    page.select_option("#id_channels-0-channel_account_id", str(channel.pk))
    page.fill("#id_channels-0-budget", "3000")
    page.check("#id_schedule_2")  # every month: shows no extra field, hides the weekly ones
    assert page.is_hidden("#id_weeks")
    page.check("#id_schedule_0")
    shoot(page, "plan-form")
    page.click("button[type=submit].btn-primary")
    page.wait_for_selector(".plan-status")

    plan = scoped(Plan, team_a.workspace).get(name="春茶上新 · Spring launch")
    assert page.url == live_server.url + reverse("planning:plan_detail", args=[slug, plan.pk])
    assert sorted(scoped(KpiTarget, team_a.workspace).filter(plan=plan).values_list("kpi", flat=True)) == [
        "leads",
        "orders",
    ]
    assert scoped(PlanChannel, team_a.workspace).get(plan=plan).budget == 3000
    assert page.locator("section:has(h2:text('Expected results')) tbody tr").count() == 2
    shoot(page, "plan-detail")

    page.evaluate("window.beforeStatusClick = true")
    page.click("button:text('Mark Planned')")
    page.wait_for_selector("#plan-status .badge-planned")
    assert page.evaluate("window.beforeStatusClick === true")  # swapped in place by HTMX, no reload
    plan.refresh_from_db()
    assert (plan.status, plan.status_locked) == ("planned", True)

    page.goto(reverse("planning:calendar", args=[slug]))
    chip = page.locator("td.today a.chip", has_text="春茶上新 · Spring launch")
    assert chip.count() == 1
    assert "badge-planned" in chip.get_attribute("class")
    shoot(page, "calendar-month")
    page.goto(reverse("planning:calendar_week_current", args=[slug]))
    assert page.locator("a.chip", has_text="春茶上新 · Spring launch").count() >= 1
    shoot(page, "calendar-week")

    for name, path in [
        ("plan-list", reverse("planning:plan_list", args=[slug])),
        ("channels", reverse("planning:channel_list", args=[slug])),
        ("channel-form", reverse("planning:channel_create", args=[slug])),
        ("positioning-products", reverse("positioning:product_list", args=[slug])),
        ("positioning-audiences", reverse("positioning:audience_list", args=[slug])),
        ("positioning-audience-form", reverse("positioning:audience_create", args=[slug])),
        ("positioning-messages", reverse("positioning:message_list", args=[slug])),
        ("positioning-message-form", reverse("positioning:message_create", args=[slug])),
        ("positioning-product-form", reverse("positioning:product_create", args=[slug])),
    ]:
        page.goto(path)
        shoot(page, name)

    page.goto(reverse("positioning:overview", args=[slug]))
    page.wait_for_selector("[data-bar-chart][data-rendered=echarts] svg")
    page.wait_for_timeout(1500)  # let the bars finish their entrance animation before the screenshot
    shoot(page, "positioning-overview")
    assert page.console_errors == []


def test_bad_input_is_shown_next_to_the_fields(team_a, page_as):
    make_channel(team_a.owner)
    slug = team_a.workspace.slug
    page = page_as(team_a.member(Role.PLANNER))
    page.goto(reverse("planning:plan_create", args=[slug]))
    page.fill("#id_name", "坏计划")
    page.fill("#id_objective", "检查错误提示")
    page.fill("#id_starts_on", "2026-05-10")
    page.fill("#id_ends_on", "2026-05-01")
    page.check("#id_schedule_3")
    page.fill("#id_rrule", "FREQ=WEEKLY;BYDAY=XX")
    page.click("button[type=submit].btn-primary")
    page.wait_for_selector(".field-error")
    assert page.locator(".has-error #id_ends_on").count() == 1
    assert page.is_visible("#id_rrule")
    shoot(page, "plan-form-errors")
    assert not scoped(Plan, team_a.workspace).exists()
    assert page.console_errors == []


def test_pages_speak_chinese(team_a, page_as):
    _positioning_data(team_a)
    channel = make_channel(team_a.owner)
    today = datetime.datetime.now(workspace_time_zone(team_a.workspace)).date()
    plan = make_plan(
        team_a.owner,
        name="双十一 老茶客回馈",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=1),
        channels=[{"channel_account_id": channel.pk, "budget": "2000"}],
        targets=[{"kpi": "leads", "target": "120"}, {"kpi": "revenue", "target": "36000"}],
    )
    slug = team_a.workspace.slug
    page = page_as(team_a.member(Role.PLANNER), "zh-hans")
    page.goto(reverse("positioning:audience_create", args=[slug]))
    assert page.locator("label[for=id_presence_wechat_official]").inner_text() == "微信公众号"
    shoot(page, "zh-positioning-audience-form")
    page.goto(reverse("positioning:overview", args=[slug]))
    page.wait_for_selector("[data-bar-chart][data-rendered=echarts] svg")
    page.wait_for_timeout(1500)
    shoot(page, "zh-positioning-overview")
    page.goto(reverse("planning:plan_detail", args=[slug, plan.pk]))
    shoot(page, "zh-plan-detail")
    page.goto(reverse("planning:calendar", args=[slug]))
    assert page.locator("td.today a.chip", has_text="双十一 老茶客回馈").count() == 1
    shoot(page, "zh-calendar-month")
    page.goto(reverse("planning:channel_list", args=[slug]))
    assert page.locator("text=百度搜索推广").count() == 1
    shoot(page, "zh-channels")
    assert page.console_errors == []


def test_the_channel_planner_recommends_and_starts_a_plan_in_chinese(team_a, page_as, live_server):
    _positioning_data(team_a)
    make_channel(
        team_a.owner, name="知乎机构号 Zhihu", channel_type="zhihu", monthly_budget="0", monthly_hours="4"
    )
    slug = team_a.workspace.slug
    page = page_as(team_a.member(Role.PLANNER), "zh-hans")
    page.goto(reverse("planning:planner", args=[slug]))
    page.select_option("#id_audience", label="上海白领 Office workers")
    page.fill("#id_monthly_budget", "6000")
    page.fill("#id_monthly_hours", "45")
    page.click("button:text('推荐渠道')")
    page.wait_for_selector("text=推荐的渠道")
    names = page.locator("section:has(h2:text('推荐的渠道')) tbody td:first-child").all_inner_texts()
    assert names == ["微信公众号", "知乎", "邮件营销"]  # weibo's 20 h no longer fit in 45 - 16 - 15 - 8
    assert page.locator("text=未选中的渠道及原因").count() == 1
    shoot(page, "channel-planner")
    page.fill("#id_name", "规划器试点 Pilot")
    page.fill("#id_objective", "用三个渠道做一个月试点")
    page.fill("#id_starts_on", "2027-02-01")
    page.fill("#id_ends_on", "2027-02-28")
    page.click("button:text('创建计划草稿')")
    page.wait_for_url("**/edit/")
    plan = scoped(Plan, team_a.workspace).get(name="规划器试点 Pilot")
    assert scoped(PlanChannel, team_a.workspace).filter(plan=plan).count() == 3
    assert page.console_errors == []
