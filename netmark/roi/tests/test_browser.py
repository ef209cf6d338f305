"""The roi pages in a real browser (Playwright driving Debian's chromium): an implementer imports a
Baidu export through the wizard, maps a campaign, and the promotion's evaluation and channel pages
draw their ECharts charts under the strict CSP without a console error. Screenshots go to
test-artifacts/screenshots/."""

from pathlib import Path

import pytest
from django.urls import reverse

from netmark.core.roles import Role
from netmark.links.tests.test_browser import page_as, shoot  # noqa: F401 - the fixture and helper
from netmark.roi import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SAMPLE = Path(__file__).parent / "samples" / "baidu_tuiguang_unit_report_daily_gbk.csv"


def test_import_wizard_then_evaluation_pages(team_a, presale, page_as):  # noqa: F811
    page = page_as(team_a.member(Role.IMPLEMENTER))
    slug = team_a.workspace.slug
    page.goto(f"/w/{slug}/roi/cost-imports/new/")
    page.set_input_files("#id_file", str(SAMPLE))
    page.get_by_role("button", name="Preview").click()
    page.wait_for_selector("[data-preview-row]")
    assert page.locator("[data-unmapped]").count() == 3
    shoot(page, "roi-import-preview")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_selector(".flash-success")
    assert services.list_costs(team_a.workspace).count() == 34

    page.goto(f"/w/{slug}/roi/cost-mappings/new/?platform=baidu&campaign=双11-礼盒")
    page.select_option("#id_plan_id", str(presale.pk))
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/w/{slug}/roi/cost-mappings/")
    assert services.list_costs(team_a.workspace, plan_id=presale.pk).count() == 6

    page.goto(f"/w/{slug}/roi/plans/{presale.pk}/")
    page.wait_for_selector("[data-bar-chart][data-rendered=echarts]")
    assert page.locator("[data-metric=cost]").inner_text().strip() == "1382.31"
    shoot(page, "roi-plan-evaluation")
    page.goto(f"/w/{slug}/roi/channels/?start=2026-10-12&end=2026-10-25")
    page.wait_for_selector("[data-bar-chart][data-rendered=echarts]")
    shoot(page, "roi-channel-performance")
    page.goto(f"/w/{slug}/roi/costs/")
    shoot(page, "roi-costs")
    assert page.console_errors == []


def test_attribution_page_draws_the_models_side_by_side(team_a, page_as):  # noqa: F811
    from netmark.analytics.tests.helpers import make_site
    from netmark.roi.tests.test_journeys import issue_example

    site = make_site(team_a.workspace, timezone="Asia/Shanghai")
    issue_example(site)
    page = page_as(team_a.member(Role.VIEWER))
    slug = team_a.workspace.slug
    page.goto(
        f"/w/{slug}/roi/attribution/?site={site.pk}&start=2026-09-21&end=2026-09-21&goals=event:Purchase"
    )
    page.wait_for_selector("[data-bar-chart][data-rendered=echarts]")
    assert page.locator("table tbody tr").first.inner_text().startswith("Email")
    shoot(page, "roi-attribution")
    assert page.console_errors == []


def test_the_plan_form_offers_lessons_once_a_channel_is_chosen(team_a, presale, baidu, page_as):  # noqa: F811
    import datetime

    services.create_due_evaluations(today=datetime.date(2026, 10, 26))
    evaluation = services.list_evaluations(team_a.workspace).get()
    services.write_lessons(team_a.owner, evaluation.pk, to_change="品牌词单独建计划，出价降两成")
    page = page_as(team_a.member(Role.PLANNER))
    page.goto(reverse("planning:plan_create", args=[team_a.workspace.slug]))
    page.wait_for_selector("#similar-lessons >> text=Choose a product")
    page.select_option("#id_channels-0-channel_account_id", str(baidu.pk))
    page.wait_for_selector("#similar-lessons [data-similar] >> text=品牌词单独建计划")
    shoot(page, "plan-form-similar-lessons")
    assert page.console_errors == []
