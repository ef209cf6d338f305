"""The analytics dashboard in a real browser (Playwright driving Debian's chromium): a month of
traffic, the line chart drawn by ECharts, tabs, a filter added by clicking a row, a goal and a
funnel, all under the strict CSP without a console error. Screenshots go to test-artifacts/screenshots/.
"""

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from conftest import SCREENSHOTS
from netmark.analytics.stores import get_store
from netmark.analytics.stores.base import CUSTOM, Event
from netmark.analytics.tests.helpers import make_site
from netmark.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ZONE = ZoneInfo("Asia/Shanghai")
SOURCES = [  # (weight, channel, source, referrer host, utm source, utm medium, utm campaign)
    (30, "direct", "", "", "", "", ""),
    (22, "search", "baidu", "baidu.com", "", "", ""),
    (12, "social", "wechat", "weixin.qq.com", "wechat", "social", "spring-tea"),
    (9, "social", "weibo", "weibo.com", "", "", ""),
    (8, "paid", "baidu", "baidu.com", "baidu", "cpc", "brand"),
    (6, "email", "newsletter", "", "newsletter", "email", "march-edm"),
    (5, "social", "xiaohongshu", "xiaohongshu.com", "", "", ""),
    (4, "referral", "zhihu.com", "zhihu.com", "", "", ""),
    (4, "offline", "poster", "", "poster", "qr", "shop-poster"),
]
PATHS = ["/", "/products/longjing", "/products/pu-erh", "/blog/如何泡龙井", "/about", "/cart", "/checkout"]
DEVICES = [
    (55, "mobile", "WeChat", "iOS", "mobile"),
    (25, "mobile", "Chrome", "Android", "mobile"),
    (15, "desktop", "Chrome", "Windows", "laptop"),
    (5, "tablet", "Safari", "iOS", "tablet"),
]


def month_of_traffic(site) -> list[Event]:
    """About 900 visits over 30 days, more on weekends, some signing up and buying."""
    rng = random.Random(7)
    events, uid = [], 1
    today = datetime.now(ZONE).date()
    for offset in range(30, -1, -1):
        day = today - timedelta(days=offset)
        for _ in range(rng.randint(20, 30) + (12 if day.weekday() >= 5 else 0)):
            visitor = rng.randint(1, 700)
            _w, channel, source, host, utm_source, utm_medium, campaign = rng.choices(
                SOURCES, [s[0] for s in SOURCES]
            )[0]
            _w, device, browser, os_name, screen = rng.choices(DEVICES, [d[0] for d in DEVICES])[0]
            hour = rng.randint(8, 22) if offset else rng.randint(0, max(0, datetime.now(ZONE).hour - 1))
            ts = int(datetime.combine(day, time(hour, rng.randint(0, 59)), tzinfo=ZONE).timestamp() * 1000)
            # Today's visits end well before the last five minutes: the realtime counter sees only "live".
            ts = min(ts, int(datetime.now(ZONE).timestamp() * 1000) - 30 * 60_000)
            common = dict(
                workspace_id=site.workspace_id,
                site_id=site.pk,
                visitor=visitor,
                tz=site.timezone,
                channel=channel,
                source=source,
                referrer_host=host,
                utm_source=utm_source,
                utm_medium=utm_medium,
                utm_campaign=campaign,
                device=device,
                browser=browser,
                os=os_name,
                screen=screen,
                language=rng.choice(["zh-CN", "zh-CN", "zh-CN", "en-US"]),
            )
            pages = rng.choices(PATHS, k=rng.choice([1, 1, 2, 3, 4]))
            for index, path in enumerate(pages):
                events.append(
                    Event(
                        uid=uid, ts=ts + index * 45_000, kind="pageview", name="pageview", path=path, **common
                    )
                )
                uid += 1
            if rng.random() < 0.12:
                events.append(Event(uid=uid, ts=ts + 200_000, kind=CUSTOM, name="Signup", path="/", **common))
                uid += 1
            if "/checkout" in pages and rng.random() < 0.5:
                revenue = rng.choice([168, 268, 388]) * 1_000_000
                events.append(Event(uid=uid, ts=ts + 240_000, kind=CUSTOM, name="Purchase", path="/checkout",
                                    revenue_micros=revenue, currency="CNY", **common))  # fmt: skip
                uid += 1
    now = int(datetime.now(ZONE).timestamp() * 1000)
    live = {"workspace_id": site.workspace_id, "site_id": site.pk, "visitor": 9999, "tz": site.timezone}
    events.append(Event(uid=uid, ts=now - 60_000, kind="pageview", name="pageview", path="/", **live))
    return events


@pytest.fixture
def page_as(chromium, live_server):
    """A page signed in as ``member`` (session cookie from ``force_login``) that records console errors."""
    contexts = []

    def open_page(member, language: str = "en"):
        client = Client()
        client.force_login(member.user)
        context = chromium.new_context(viewport={"width": 1360, "height": 900}, base_url=live_server.url)
        host = live_server.url.split("//", 1)[1].split(":", 1)[0]
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "domain": host, "path": "/"},
        ])  # fmt: skip
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console", lambda message: message.type == "error" and page.console_errors.append(message.text)
        )
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()


def shoot(page, name: str) -> None:
    """The whole page: the viewport grows to the page's height (the sticky layout breaks full_page)."""
    viewport = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], height)})
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    page.set_viewport_size(viewport)


def test_dashboard_with_a_month_of_traffic(team_a, page_as):
    site = make_site(team_a.workspace, domain="yunling-tea.example", timezone="Asia/Shanghai")
    site.name = "云岭茶业 Yunling Tea"
    site.save()
    get_store().append(month_of_traffic(site))
    get_store().process_all()
    slug = team_a.workspace.slug
    page = page_as(team_a.member(Role.VIEWER))

    page.goto(reverse("analytics:home", args=[slug]))
    page.wait_for_selector("[data-line-chart][data-rendered=echarts] svg")
    assert page.locator("[data-realtime-count]").inner_text() == "1"
    assert page.locator("#panel-referrer_host").is_hidden()
    page.click("#tab-referrer_host")
    assert page.locator("#panel-referrer_host").is_visible()
    assert page.locator("#panel-channel").is_hidden()
    shoot(page, "analytics-dashboard")

    page.locator("#panel-referrer_host a.row-filter", has_text="baidu.com").click()
    page.wait_for_selector(".chip")
    assert "Referrer is baidu.com" in " ".join(page.locator(".chip").inner_text().split())
    assert page.locator("#panel-referrer_host").is_visible(), "the chosen tab stays open after a reload"
    page.fill("#goal-input", "event:Purchase")
    page.click("#goals button[type=submit]")
    page.wait_for_selector("[data-goal='1']")
    page.fill("#step-input", "page:/cart")
    page.click("#funnel button[type=submit]")
    page.fill("#step-input", "page:/checkout")
    page.click("#funnel button[type=submit]")
    page.wait_for_selector("[data-step='2']")
    shoot(page, "analytics-dashboard-filtered")
    assert page.console_errors == []

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(reverse("analytics:dashboard", args=[slug, site.pk]))
    page.wait_for_selector("[data-line-chart][data-rendered=echarts] svg")
    shoot(page, "analytics-dashboard-phone")
    wide = page.evaluate(
        "Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 391)"
        ".map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 12)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide
    page.set_viewport_size({"width": 1360, "height": 900})

    page.goto(reverse("analytics:site_detail", args=[slug, site.pk]))
    shoot(page, "analytics-site-install")
    empty = make_site(team_a.workspace, domain="shop.yunling-tea.example")
    page.goto(reverse("analytics:dashboard", args=[slug, empty.pk]))
    assert page.locator(".no-data").is_visible()
    shoot(page, "analytics-dashboard-no-data")
    assert page.console_errors == []
