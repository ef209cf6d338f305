"""In Debian's chromium: the preference centre opened from a message really received over SMTP
(aiosmtpd), and the bounce mailbox page polling a real dovecot. Screenshots go to
``test-artifacts/screenshots/`` (gitignored); the browser only talks to the loopback live server."""

import email
import email.policy
import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, SCREENSHOTS, Team
from netmark.contacts.models import Consent, Contact, Interaction
from netmark.core.roles import Role
from netmark.mailing import mime, services
from netmark.mailing.campaign_models import MailingList, Subscription
from netmark.mailing.models import SmtpServer
from netmark.mailing.tests.dovecot import USER, Dovecot
from netmark.mailing.tests.feedback_helpers import sample
from netmark.mailing.tests.test_preferences import HOSTILE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser_context(live_server, chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    dialogs = []
    context.on(
        "page",
        lambda new: new.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss())),
    )
    yield context, dialogs
    context.close()


def _shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _received_unsubscribe_url(smtp_server, live_server) -> str:
    (received,) = smtp_server.messages
    message = email.message_from_bytes(received.data, policy=email.policy.default)
    (url,) = re.findall(r"<(https?://[^>]+)>", str(message["List-Unsubscribe"]))
    return url.replace("http://127.0.0.1:8000", live_server.url)


def test_the_preference_centre_from_a_received_message(browser_context, live_server, smtp_server, settings):
    settings.ALLOW_PRIVATE_ADDRESSES = True
    team = Team("a")
    workspace = team.workspace
    server = SmtpServer.unscoped.create(
        workspace=workspace, name="本地", host="127.0.0.1", port=smtp_server.port, security="none",
        from_email="news@yunling-tea.example", from_name="云岭茶业",
    )  # fmt: skip
    person = Contact.unscoped.create(
        workspace=workspace, email="xiaoming@qq.com", name="小明", language="zh-hans"
    )
    news = MailingList.unscoped.create(workspace=workspace, name="新品速递", is_public=True)
    hostile = MailingList.unscoped.create(workspace=workspace, name=HOSTILE, is_public=True)
    MailingList.unscoped.create(workspace=workspace, name="内部名单", is_public=False)
    Subscription.unscoped.create(
        workspace=workspace,
        mailing_list=news,
        contact=person,
        status="confirmed",
        subscribed_at=person.created_at,
    )
    token = services.make_token(workspace.pk, person.email, list_key=str(news.pk), campaign_key="9")
    message = mime.build_message(
        sender=mime.address("云岭茶业", "news@yunling-tea.example"), recipient=person.email,
        subject="新茶到了", html="<p>您好</p>", key="9:xiaoming@qq.com",
        unsubscribe=mime.Unsubscribe(services.unsubscribe_url(token)),
    )  # fmt: skip
    assert services.send_one(server, message, person.email).delivered

    context, dialogs = browser_context
    page = context.new_page()  # not signed in
    page.goto(_received_unsubscribe_url(smtp_server, live_server))
    page.click("[data-link=preferences]")
    expect(page.locator("h1")).to_have_text(workspace.name)
    expect(page.locator(f"[data-list='{hostile.pk}']")).to_contain_text(HOSTILE)  # shown as text
    expect(page.locator("body")).not_to_contain_text("内部名单")
    expect(page.locator(f"[data-list='{news.pk}'] input")).to_be_checked()
    _shot(page, "mailing-preferences")
    page.locator(f"[data-list='{news.pk}'] input").uncheck()
    page.locator(f"[data-list='{hostile.pk}'] input").check()
    page.check("input[name=language][value=en]")
    page.click("button[type=submit]")
    expect(page.locator("[data-state=saved]")).to_have_text("Your preferences are saved.")
    _shot(page, "mailing-preferences-saved")

    assert dialogs == [] and page.locator("img").count() == 0  # the hostile name never ran
    status = dict(Subscription.unscoped.filter(contact=person).values_list("mailing_list_id", "status"))
    assert status == {news.pk: "unsubscribed", hostile.pk: "confirmed"}
    assert Contact.unscoped.get(pk=person.pk).language == "en"
    assert Consent.unscoped.get(contact=person).source == "preference_centre"
    assert Interaction.unscoped.filter(contact=person, kind="email_preferences").count() == 1


def test_the_bounce_mailbox_page_shows_the_poll_and_its_error(browser_context, live_server, settings):
    settings.ALLOW_PRIVATE_ADDRESSES = True
    settings.BOUNCE_DOMAIN = "bounce.yunling-tea.example"
    team = Team("a")
    owner = team.members[Role.OWNER]
    with Dovecot() as imap_server:
        imap_server.append(sample("dsn_postfix_hard_bounce_5.1.1.eml"))  # a report for no message of ours
        services.create_mailbox(
            owner, name="退信邮箱", host="127.0.0.1", port=imap_server.port, security="none", username=USER,
            password="wrong",
        )  # fmt: skip
        context, _dialogs = browser_context
        page = context.new_page()
        page.goto(f"{live_server.url}/sign-in/")
        page.fill("input[name=email]", "owner-a@example.com")
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/sign-in/'] button[type=submit]")
        page.wait_for_url(f"{live_server.url}/w/ws-a/")
        page.goto(f"{live_server.url}/w/ws-a/mailing/bounce-mailboxes/")
        page.click("text=立即轮询")
        expect(page.locator("[data-state=error]")).to_contain_text("login refused")
        _shot(page, "mailing-bounce-mailbox-error")
        page.click("text=编辑")
        page.fill("input[name=password]", "imap-test-密码")
        page.click("form:has(input[name=password]) button[type=submit]")
        page.click("text=立即轮询")
        expect(page.locator("[data-field=reports_total]")).to_have_text("1")
        expect(page.locator("[data-state=error]")).to_have_count(0)
        _shot(page, "mailing-bounce-mailbox")
        assert len(imap_server.messages("netmark-processed")) == 1
