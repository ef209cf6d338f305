"""Lead scoring pages in a real browser (Playwright driving Debian's chromium): an owner adds a rule,
the contact's score on its page follows; the rule is edited and the score follows again; pages in
Chinese and English are screenshotted, without a console error under the strict CSP."""

import pytest
from django.conf import settings

from netmark.contacts import timeline
from netmark.contacts.models import Contact, ScoringRule
from netmark.contacts.tests.factories import make_contact
from netmark.contacts.tests.test_browser import page_as, shoot  # noqa: F401 - the fixture
from netmark.core.roles import Role
from netmark.core.scoping import scoped

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _english(page) -> None:
    host = page.url.split("//", 1)[1].split(":", 1)[0]
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "domain": host, "path": "/"}]
    )
    page.reload()


def test_a_new_rule_and_its_edit_change_the_contacts_score(team_a, page_as):  # noqa: F811
    contact = make_contact(team_a.owner, name="周杰", email="zhou@example.com", stage="subscriber")
    timeline.record(contact, "form_submission")
    timeline.record(contact, "form_submission")
    page = page_as(team_a.member(Role.OWNER))
    base = f"/w/{team_a.workspace.slug}/contacts/"
    page.goto(base + f"{contact.pk}/")
    page.wait_for_selector("[data-score='0']")
    page.goto(base + "scoring/")
    form = page.locator("form[data-form=rule]")
    form.locator("input[name=name]").fill("表单提交")
    form.locator("input[name=points]").fill("12")
    form.locator("select[name=kind]").select_option("interaction")
    form.locator("select[name=interaction_kind]").select_option("form_submission")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("tr[data-rule]")
    assert "表单提交" in page.inner_text("tr[data-rule]")
    shoot(page, "scoring-rules-zh")
    page.goto(base + f"{contact.pk}/")
    page.wait_for_selector("[data-score='24']")
    assert "表单提交" in page.inner_text("[data-score-lines]")
    shoot(page, "scoring-contact-zh")

    rule = scoped(ScoringRule, team_a.workspace).get()
    page.goto(base + "scoring/")
    page.click(f"a[href$='/scoring-rules/{rule.pk}/edit/']")
    page.wait_for_selector("form[data-form=rule-edit]")
    shoot(page, "scoring-rule-edit-zh")
    page.fill("input[name=points]", "5")
    page.fill("input[name=max_times]", "1")
    page.click("form[data-form=rule-edit] button[type=submit]")
    page.wait_for_url(f"**{base}scoring/")
    assert scoped(Contact, team_a.workspace).get(pk=contact.pk).score == 5
    page.goto(base + f"{contact.pk}/")
    page.wait_for_selector("[data-score='5']")

    _english(page)
    page.wait_for_selector("[data-score='5']")
    assert "Lead score" in page.inner_text("[data-score]")
    shoot(page, "scoring-contact-en")
    page.goto(base + "scoring/")
    assert "Decay and thresholds" in page.inner_text("main")
    shoot(page, "scoring-rules-en")
    assert page.console_errors == []
