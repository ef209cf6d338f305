"""The links pages in a real browser (Playwright driving Debian's chromium): an implementer makes a
link, copies its short URL, opens the printable QR sheet; a visitor's click is counted. Every page
runs under the strict CSP without a console error and is screenshotted into test-artifacts/."""

import pytest
from django.conf import settings
from django.test import Client

from conftest import SCREENSHOTS
from netmark.analytics import services as analytics
from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.links.models import Link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def page_as(chromium, live_server):
    """A page signed in as ``member`` (the session cookie of ``force_login``), in English."""
    contexts = []

    def open_page(member):
        client = Client()
        client.force_login(member.user)
        context = chromium.new_context(viewport={"width": 1360, "height": 900}, base_url=live_server.url)
        host = live_server.url.split("//", 1)[1].split(":", 1)[0]
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [
                {"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"},
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "domain": host, "path": "/"},
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
    if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
        errors.append(f"{message.text} ({message.location.get('url', '')})")


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_implementer_makes_a_link_and_prints_its_qr_code(team_a, plan, weibo, page_as, live_server, settings):
    settings.PUBLIC_URL = live_server.url
    page = page_as(team_a.member(Role.IMPLEMENTER))
    slug = team_a.workspace.slug
    page.goto(f"/w/{slug}/links/")
    shoot(page, "links-empty")
    page.get_by_role("link", name="New link").first.click()
    page.select_option("#id_plan_id", str(plan.pk))
    page.select_option("#id_channel_account_id", str(weibo.pk))
    page.fill("#id_destination", "https://yunling-tea.example/zh/spring")
    page.fill("#id_name", "微博置顶 Pinned post")
    page.fill("#id_utm_content", "Top Banner")
    shoot(page, "links-form")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/w/{slug}/links/")
    link = scoped(Link, team_a.workspace).get()
    assert link.utm_content == "top-banner"

    visitor = Client(
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/141.0 Safari/537.36"
    )
    assert visitor.get(f"/s/{link.code}")["Location"] == link.target_url
    analytics.process_pending()
    page.reload()
    row = page.locator(f'tr[data-link="{link.code}"]')
    assert row.locator('[data-clicks="raw"]').inner_text() == "1"
    assert row.locator('[data-clicks="unique"]').inner_text() == "1"
    shoot(page, "links-list")

    row.locator('input[name="ids"]').check()
    page.locator('[data-action="qr-sheet"]').click()
    page.wait_for_url("**/links/sheet/?ids=*")
    assert page.locator(f'figure[data-code="{link.code}"] svg').is_visible()
    assert f"{live_server.url}/s/{link.code}" in page.locator("figcaption code").inner_text()
    page.emulate_media(media="print")
    assert not page.locator(".toolbar").is_visible()
    shoot(page, "links-qr-sheet-print")
    page.emulate_media(media="screen")
    assert page.console_errors == []


def test_mapping_page_answers_which_promotion_values_belong_to(team_a, plan, page_as):
    page = page_as(team_a.owner)
    page.goto(f"/w/{team_a.workspace.slug}/links/utm-mappings/new/")
    page.fill("#id_utm_source", "WeChat")
    page.fill("#id_utm_medium", "朋友圈")
    page.select_option("#id_plan_id", str(plan.pk))
    page.get_by_role("button", name="Save").click()
    page.fill('input[name="source"]', "wechat")
    page.fill('input[name="medium"]', "朋友圈")
    page.get_by_role("button", name="Which promotion?").click()
    assert plan.name in page.locator("[data-resolution]").inner_text()
    shoot(page, "links-utm-mappings")
    assert page.console_errors == []
