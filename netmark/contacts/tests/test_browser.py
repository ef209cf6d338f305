"""The contacts pages in a real browser (Playwright driving Debian's chromium): an implementer
imports the real GBK Excel file through the wizard, searches in Chinese, opens a contact and logs a
call. Every page runs under the strict CSP without a console error and is screenshotted."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from conftest import SCREENSHOTS
from netmark.contacts.models import Contact
from netmark.core.roles import Role
from netmark.core.scoping import scoped

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
GBK = Path(__file__).parent / "samples" / "contacts_excel_cn_gbk.csv"


@pytest.fixture
def page_as(chromium, live_server):
    contexts = []

    def open_page(member):
        client = Client()
        client.force_login(member.user)
        context = chromium.new_context(viewport={"width": 1360, "height": 900}, base_url=live_server.url)
        host = live_server.url.split("//", 1)[1].split(":", 1)[0]
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "domain": host, "path": "/"},
        ])  # fmt: skip
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_implementer_imports_searches_and_logs_a_call(team_a, page_as):
    page = page_as(team_a.member(Role.IMPLEMENTER))
    base = f"/w/{team_a.workspace.slug}/contacts/"
    page.goto(base + "import/")
    page.set_input_files("input[type=file]", str(GBK))
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_selector("[data-import-confirm]")
    assert page.locator("[data-row-errors] li").count() == 6
    shoot(page, "contacts-import-preview")
    page.click("[data-import-confirm] button[type=submit]")
    page.wait_for_selector("[data-import-status=done]", timeout=20_000)
    shoot(page, "contacts-import-done")
    assert scoped(Contact, team_a.workspace).count() > 20
    page.goto(base + "?q=云岭")
    assert page.locator("tr[data-contact]").count() == 1
    shoot(page, "contacts-list-search")
    page.click("tr[data-contact] a")
    page.select_option("select[name=kind]", "call")
    page.fill("textarea[name=text]", "约了10月25日看样")
    page.click("form.form-inline button[type=submit]")
    page.wait_for_selector("[data-timeline] li[data-kind=call]")
    shoot(page, "contacts-detail")
    assert page.console_errors == []
