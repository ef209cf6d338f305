"""Lead capture in Debian's chromium (Playwright) against the loopback live server: a visitor fills
the form of a published landing page (a validation message in Chinese first), and a marketer's own
page on another loopback origin embeds the form with the script snippet. Afterwards the contact,
its consent, the timeline entry and the goal event in the event store all exist."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from conftest import SCREENSHOTS, Team
from netmark.analytics import services as analytics
from netmark.analytics.stores import get_store
from netmark.capture import services
from netmark.capture.tests.factories import CONSENT, FIELDS, make_form
from netmark.contacts.models import Consent, Contact, Interaction
from netmark.core.scoping import scoped

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def page(live_server, chromium, settings):
    settings.CAPTURE_MIN_FILL_SECONDS = 1
    context = chromium.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.problems = []
    tab.on("pageerror", lambda error: tab.problems.append(str(error)))
    yield tab
    context.close()


def goal_events(workspace_id):
    store = get_store()
    store.process()
    rows = store._fetch(
        "events", "SELECT name, contact_id, props, workspace_id FROM nm_events WHERE kind = 'event'"
    )
    return [tuple(row[:3]) for row in rows if row[3] == workspace_id]


def assert_captured(team, email: str, form) -> Contact:
    contact = scoped(Contact, team.workspace).get(email=email)
    consent = scoped(Consent, team.workspace).get(contact=contact)
    assert (consent.status, consent.form_id, consent.text) == ("granted", form.public_id, CONSENT)
    entry = scoped(Interaction, team.workspace).get(contact=contact, kind="form_submission")
    assert entry.payload["form_id"] == form.public_id
    assert (("form_submitted", contact.pk, f'{{"form_id":"{form.public_id}"}}')) in goal_events(
        team.workspace.pk
    )
    return contact


def test_a_visitor_signs_up_on_a_landing_page(page, live_server):
    team = Team("a")
    site = analytics.create_site(team.owner, name="茶店 Shop", domain="tea.example.com")
    form = make_form(team, site_id=site.pk)
    services.create_page(
        team.owner,
        slug="spring",
        title="春茶上新",
        headline="明前龙井上市",
        body="**新茶**到了。\n\n- 免费试饮",
        form_id=form.pk,
        site_id=site.pk,
        language="zh-hans",
        is_published=True,
    )
    page.goto(f"{live_server.url}/p/ws-a/spring/")
    expect(page.locator("h1")).to_have_text("明前龙井上市")
    page.fill("input[name=name]", "王芳 Wang Fang")
    page.fill("input[name=email]", "不是邮箱")
    page.wait_for_timeout(1100)
    page.click("button[type=submit]")
    expect(page.locator(".nm-error[data-field=email]")).to_have_text(
        "请输入邮箱地址，例如 li.na@example.com。"
    )
    page.fill("input[name=email]", "wang.fang@example.com")
    page.fill("input[name=phone]", "139 1234 5678")
    page.check("input[name=consent]")
    page.wait_for_timeout(1100)
    page.click("button[type=submit]")
    expect(page.locator(".nm-thanks")).to_have_text("谢谢！Thank you!")
    page.screenshot(path=str(SCREENSHOTS / "capture-landing-thanks.png"), full_page=True)
    contact = assert_captured(team, "wang.fang@example.com", form)
    assert contact.phone == "+8613912345678"
    assert page.problems == []


class MarketerSite:
    """The marketer's own page on another loopback port, embedding the form with the snippet."""

    def __init__(self, snippet: str):
        head = '<!doctype html><html><head><meta charset="utf-8"><title>茶店</title></head>'
        body = f"{head}<body><h1>茶店</h1>{snippet}</body></html>"

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_the_script_snippet_embeds_the_form_on_another_site(page, live_server):
    team = Team("a")
    form = make_form(team, language="en", fields=[*FIELDS[:2], {"key": "message", "label": "<b>Note</b>"}])
    site = MarketerSite(f'<script src="{live_server.url}/f/{form.public_id}/embed.js" async></script>')
    try:
        page.goto(site.url)
        expect(page.locator(".nm-embed button[type=submit]")).to_have_text("Send")
        expect(page.locator(".nm-embed label").nth(2)).to_have_text("<b>Note</b>")  # text, not markup
        page.fill(".nm-embed input[name=name]", "Chen Jie 陈杰")
        page.fill(".nm-embed input[name=email]", "chen.jie@example.com")
        page.check(".nm-embed input[name=consent]")
        page.wait_for_timeout(1100)
        page.click(".nm-embed button[type=submit]")
        expect(page.locator(".nm-embed .nm-thanks")).to_have_text("谢谢！Thank you!")
    finally:
        site.close()
    contact = assert_captured(team, "chen.jie@example.com", form)
    assert contact.name == "Chen Jie 陈杰"
    assert page.problems == []
