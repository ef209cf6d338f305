"""Campaign pages and the drip sequence editor in a real browser (Playwright driving Debian's
chromium): a campaign to a list is made and started, the messages reach the local aiosmtpd server
and the page's progress shows them; a sequence gets a wait and an email step over htmx. Pages in
Chinese and English are screenshotted, without a console error under the strict CSP."""

import pytest
from django.conf import settings

from netmark.contacts.tests.test_browser import page_as, shoot  # noqa: F401 - the fixture
from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.mailing.campaign_models import Campaign
from netmark.mailing.drip_models import Sequence
from netmark.mailing.tests import campaign_factories as make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _english(page) -> None:
    host = page.url.split("//", 1)[1].split(":", 1)[0]
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "domain": host, "path": "/"}]
    )
    page.reload()


def test_a_campaign_to_a_list_is_sent_and_its_progress_shown(team_a, server_row, smtp_server, page_as):  # noqa: F811
    the_list = make.mailing_list(team_a.workspace, server_row)
    make.audience(team_a.workspace, the_list, ["wang@example.com", "li@example.com", "zhang@example.com"])
    page = page_as(team_a.member(Role.IMPLEMENTER))
    base = f"/w/{team_a.workspace.slug}/mailing/campaigns/"
    page.goto(base + "new/")
    page.fill("input[name=name]", "春茶上市")
    page.select_option("select[name=mailing_list_id]", str(the_list.pk))
    page.select_option("select[name=server_id]", str(server_row.pk))
    page.fill("input[name=subject]", "新茶到了")
    page.fill("textarea[name=html]", make.HTML)
    shoot(page, "campaign-new-zh")
    page.click(".form-actions button[type=submit]")
    page.wait_for_selector("#campaign-progress [data-status=draft]")
    campaign = scoped(Campaign, team_a.workspace).get()
    assert campaign.mailing_list_id == the_list.pk
    page.click(f"form[action$='/campaigns/{campaign.pk}/start/'] button[type=submit]")
    page.wait_for_selector("#campaign-progress [data-count=sent]:text-is('3')", timeout=20_000)
    assert sorted(message.rcpt_tos[0] for message in smtp_server.messages) == [
        "li@example.com",
        "wang@example.com",
        "zhang@example.com",
    ]
    assert page.inner_text("#campaign-progress h2").endswith(": 100%")
    assert page.eval_on_selector("dl.meta", "e => getComputedStyle(e).display") == "grid"  # label | value
    shoot(page, "campaign-sent-zh")
    _english(page)
    page.wait_for_selector("#campaign-progress [data-count=sent]:text-is('3')")
    assert "Progress" in page.inner_text("#campaign-progress")
    shoot(page, "campaign-sent-en")
    page.goto(base)
    assert "春茶上市" in page.inner_text("main")
    shoot(page, "campaign-list-en")
    assert page.console_errors == []


def test_the_sequence_editor_adds_a_wait_and_an_email_step(team_a, server_row, page_as):  # noqa: F811
    the_list = make.mailing_list(team_a.workspace, server_row)
    page = page_as(team_a.member(Role.IMPLEMENTER))
    page.goto(f"/w/{team_a.workspace.slug}/mailing/sequences/")
    page.fill("input[name=name]", "新订阅欢迎")
    page.select_option("select[name=trigger]", "subscribed")
    page.select_option("select[name=mailing_list_id]", str(the_list.pk))
    page.select_option("select[name=server_id]", str(server_row.pk))
    page.click(".form-actions button[type=submit]")
    page.wait_for_selector("#sequence-steps")
    steps = page.locator("#sequence-steps")
    steps.locator("select[name=kind]").select_option("wait")
    steps.locator("input[name=days]").fill("2")
    steps.locator(".form-actions button[type=submit]").click()
    page.wait_for_selector("#sequence-steps tbody tr:has(td:text-is('1'))")  # shown counted from 1
    steps = page.locator("#sequence-steps")
    steps.locator("select[name=kind]").select_option("email")
    steps.locator("input[name=subject]").fill("欢迎加入云岭茶友会")
    steps.locator("textarea[name=html]").fill(make.HTML)
    steps.locator(".form-actions button[type=submit]").click()
    page.wait_for_selector("#sequence-steps tbody tr:has(td:text-is('2'))")
    sequence = scoped(Sequence, team_a.workspace).get()
    assert [(step.position, step.kind) for step in sequence.steps.all()] == [(0, "wait"), (1, "email")]
    assert sequence.steps.all()[0].config["days"] == 2
    assert sequence.steps.all()[1].config["subject"] == "欢迎加入云岭茶友会"
    assert page.eval_on_selector("dl.meta", "e => getComputedStyle(e).display") == "grid"
    shoot(page, "sequence-editor-zh")
    _english(page)
    steps_text = page.inner_text("#sequence-steps")
    assert "Steps" in steps_text and "Send email" in steps_text
    shoot(page, "sequence-editor-en")
    assert page.console_errors == []
