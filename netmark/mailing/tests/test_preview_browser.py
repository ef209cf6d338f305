"""The campaign preview in a real browser (Playwright driving Debian's chromium): a campaign made
from a ready layout on the new-campaign page shows in the sandboxed iframe with the sample
contact's name, fits a phone-wide frame, and a script in the body never runs."""

import pytest

from netmark.contacts.tests.test_browser import page_as, shoot  # noqa: F401 - the fixture
from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.mailing.campaign_models import Campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_layout_campaign_previews_in_a_sandbox_that_runs_no_script(team_a, server_row, page_as):  # noqa: F811
    page = page_as(team_a.member(Role.IMPLEMENTER))
    base = f"/w/{team_a.workspace.slug}/mailing/campaigns/"
    page.goto(base + "new/")
    page.click("[data-layout=promotion]")
    assert "max-width:600px" in page.input_value("textarea[name=html]")
    page.fill("input[name=name]", "新品促销")
    page.select_option("select[name=server_id]", str(server_row.pk))
    page.fill("input[name=subject]", "{{ contact.first_name }}，新品八折")
    page.click(".form-actions button[type=submit]")
    page.wait_for_selector("[data-action=preview-zh]")
    campaign = scoped(Campaign, team_a.workspace).get()
    page.click("[data-action=preview-zh]")
    page.wait_for_selector("[data-preview-html]")
    assert page.inner_text("[data-preview-subject]") == "王芳，新品八折"
    frame = page.frame_locator("[data-preview-html]")
    assert "王芳，您好！" in frame.locator("body").inner_text()
    shoot(page, "campaign-preview-zh")
    assert page.console_errors == []
    page.set_viewport_size({"width": 390, "height": 800})
    page.eval_on_selector("[data-preview-html]", "e => { e.style.width = '360px'; }")
    widest = frame.locator("table").evaluate_all(
        "ts => Math.max(...ts.map(t => t.getBoundingClientRect().width))"
    )
    assert 0 < widest <= 360  # the 600 px layout shrinks to a phone's width
    campaign.html += "<script>document.body.setAttribute('data-ran', '1')</script>"
    campaign.save()
    page.goto(base + f"{campaign.pk}/preview/?lang=en")
    page.wait_for_selector("[data-preview-html]")
    frame = page.frame_locator("[data-preview-html]")
    assert "Alex，您好！" in frame.locator("body").inner_text()  # the zh layout for the English sample
    assert frame.locator("body[data-ran]").count() == 0
    assert any("sandboxed" in error for error in page.console_errors)  # chromium refused the script
