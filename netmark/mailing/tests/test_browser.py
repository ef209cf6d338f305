"""The mailing pages and the public unsubscribe page in Debian's chromium, with screenshots in
``test-artifacts/screenshots/`` (gitignored). The browser only talks to the loopback live server."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, SCREENSHOTS, Team
from netmark.core.roles import Role
from netmark.mailing import services
from netmark.mailing.models import Suppression

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def page(live_server, chromium):
    context = chromium.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def _shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_owner_pages_and_the_one_click_unsubscribe_page(page, live_server):
    team = Team("a")
    owner = team.members[Role.OWNER]
    services.create_server(
        owner, name="腾讯企业邮", host="smtp.exmail.example.com", port=465, security="tls",
        username="news@yunling-tea.example", password="s3cret", from_email="news@yunling-tea.example",
        from_name="云岭茶业",
    )  # fmt: skip
    key = services.create_key(owner, domain="yunling-tea.example", selector="nm2026")
    services.add_suppression(owner, "bounced@163.com", "hard_bounce", "550 5.1.1 No such mailbox")
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("input[name=email]", "owner-a@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/sign-in/'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/w/ws-a/")
    base = f"{live_server.url}/w/ws-a/mailing/"
    page.goto(base + "smtp-servers/")
    expect(page.locator("table")).to_contain_text("腾讯企业邮")
    _shot(page, "mailing-smtp-servers")
    page.goto(base + f"dkim-keys/{key.pk}/")
    expect(page.locator("[data-dns=name]")).to_have_text("nm2026._domainkey.yunling-tea.example")
    _shot(page, "mailing-dkim-record")
    page.goto(base + "suppressions/")
    expect(page.locator("table")).to_contain_text("bounced@163.com")
    _shot(page, "mailing-suppressions")

    token = services.make_token(team.workspace.pk, "xiaoming@qq.com", campaign_key="spring")
    public = page.context.browser.new_context(locale="zh-CN").new_page()  # no cookies: not signed in
    public.goto(services.unsubscribe_url(token).replace("http://127.0.0.1:8000", live_server.url))
    _shot(public, "mailing-unsubscribe-confirm")
    assert not Suppression.unscoped.filter(email="xiaoming@qq.com").exists()
    public.click("button[type=submit]")
    expect(public.locator("[data-state=done]")).to_contain_text("xiaoming@qq.com")
    _shot(public, "mailing-unsubscribed")
    assert Suppression.unscoped.get(email="xiaoming@qq.com").reason == "unsubscribe"
