"""The plan pages: list, form (rows, schedule presets, errors), detail, status, lessons, delete."""

import datetime
from decimal import Decimal

import pytest

from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.planning import services
from netmark.planning.models import KpiTarget, Occurrence, Plan, PlanChannel
from netmark.planning.tests.factories import make_channel, make_plan
from netmark.planning.tests.pages import browser, plan_form, sample_plan, url
from netmark.positioning import services as positioning


@pytest.fixture
def plan(team_a):
    return sample_plan(team_a)


READ_PAGES = [
    ("channel_list", ()),
    ("plan_list", ()),
    ("calendar", ()),
    ("calendar_month", (2026, 3)),
    ("calendar_week_current", ()),
    ("calendar_week", (2026, 10)),
]


@pytest.mark.parametrize(("page", "args"), READ_PAGES)
def test_viewer_reads_every_planning_page(team_a, plan, page, args):
    response = browser(team_a, Role.VIEWER).get(url(team_a, page, *args))
    assert response.status_code == 200


@pytest.mark.parametrize(("page", "args"), READ_PAGES)
def test_another_workspaces_slug_is_not_found(team_a, team_b, page, args):
    response = browser(team_b, Role.OWNER).get(url(team_a, page, *args))
    assert response.status_code == 404


def test_viewer_reads_plan_detail_without_write_buttons(team_a, plan):
    response = browser(team_a, Role.VIEWER).get(url(team_a, "plan_detail", plan.pk))
    assert response.status_code == 200
    assert "春茶上新 Spring launch" in response.text
    for hidden in ("plan_edit", "plan_delete", "plan_status", "plan_lessons"):
        assert url(team_a, hidden, plan.pk) not in response.text


def test_owner_sees_every_plan_button(team_a, plan):
    page = browser(team_a, Role.OWNER).get(url(team_a, "plan_detail", plan.pk)).text
    for shown in ("plan_edit", "plan_delete", "plan_status", "plan_lessons"):
        assert url(team_a, shown, plan.pk) in page


# Plan list


def test_plan_list_shows_status_badge_and_budget_total(team_a, plan):
    response = browser(team_a, Role.VIEWER).get(url(team_a, "plan_list"))
    assert [p.name for p in response.context["page_obj"]] == ["春茶上新 Spring launch"]
    assert '<span class="badge badge-draft">Draft</span>' in response.text
    assert "1,200.50 CNY" in response.text


def test_plan_list_filters_by_status_search_and_owner(team_a):
    planner = team_a.member(Role.PLANNER)
    make_plan(team_a.owner, name="中秋礼盒", status="planned")
    make_plan(planner, name="双十一 Singles day")
    client = browser(team_a, Role.VIEWER)
    names = lambda response: [p.name for p in response.context["page_obj"]]  # noqa: E731
    assert names(client.get(url(team_a, "plan_list"), {"status": "planned"})) == ["中秋礼盒"]
    assert names(client.get(url(team_a, "plan_list"), {"q": "双十一"})) == ["双十一 Singles day"]
    assert names(client.get(url(team_a, "plan_list"), {"owner": planner.pk})) == ["双十一 Singles day"]


def test_plan_list_query_count_does_not_grow_with_plans(team_a, django_assert_max_num_queries):
    channel = make_channel(team_a.owner)
    product = positioning.create_product(team_a.owner, name="白茶")
    audience = positioning.create_audience(team_a.owner, name="学生")
    for number in range(25):
        make_plan(
            team_a.member(Role.PLANNER if number % 2 else Role.OWNER),
            name=f"计划 {number}",
            channels=[{"channel_account_id": channel.pk, "budget": "10"}],
            targets=[{"kpi": "visits", "target": "100"}],
            product_id=product.pk,
            audience_id=audience.pk,
        )
    client = browser(team_a, Role.VIEWER)
    # 12 today (session, user, member, count, members twice, plans, channels, targets, session save);
    # a query per plan (owner, product, audience, budget or targets) would add 25 or more.
    with django_assert_max_num_queries(12):
        response = client.get(url(team_a, "plan_list"))
    assert len(response.context["page_obj"]) == 25


# Plan form


def test_planner_creates_plan_with_two_expected_results_and_a_channel_budget(team_a):
    channel = make_channel(team_a.owner)
    planner = team_a.member(Role.PLANNER)
    response = browser(team_a, Role.PLANNER).post(
        url(team_a, "plan_create"),
        plan_form(
            channels=[{"channel_account_id": str(channel.pk), "budget": "3000"}],
            targets=[{"kpi": "leads", "target": "120"}, {"kpi": "revenue", "target": "45000.5"}],
            owner_id=str(planner.pk),
            utm_campaign="spring-2026",
        ),
    )
    plan = scoped(Plan, team_a.workspace).get()
    assert response.status_code == 302
    assert response["Location"] == url(team_a, "plan_detail", plan.pk)
    assert (plan.name, plan.owner_id, plan.utm_campaign, plan.recurrence) == (
        "春茶上新 · Spring launch",
        planner.pk,
        "spring-2026",
        "",
    )
    assert sorted(scoped(KpiTarget, team_a.workspace).values_list("kpi", "target")) == [
        ("leads", Decimal("120")),
        ("revenue", Decimal("45000.5")),
    ]
    assert list(scoped(PlanChannel, team_a.workspace).values_list("channel_account_id", "budget")) == [
        (channel.pk, Decimal("3000"))
    ]


def test_new_plan_form_starts_with_one_blank_row_each_and_the_member_as_owner(team_a):
    make_channel(team_a.owner)
    planner = team_a.member(Role.PLANNER)
    response = browser(team_a, Role.PLANNER).get(url(team_a, "plan_create"))
    assert response.status_code == 200
    assert len(response.context["channel_rows"].forms) == 1
    assert len(response.context["target_rows"].forms) == 1
    assert response.context["form"]["owner_id"].value() == planner.pk
    assert 'name="targets-0-kpi"' in response.text
    assert '<option value="leads">Leads</option>' in response.text


def test_blank_and_removed_rows_are_ignored(team_a):
    browser(team_a).post(
        url(team_a, "plan_create"),
        plan_form(
            channels=[{"channel_account_id": "", "budget": ""}],
            targets=[{"kpi": "leads", "target": "5"}, {"kpi": "orders", "target": "9", "DELETE": "on"}],
        ),
    )
    plan = scoped(Plan, team_a.workspace).get()
    assert list(scoped(KpiTarget, team_a.workspace).filter(plan=plan).values_list("kpi", flat=True)) == [
        "leads"
    ]
    assert not scoped(PlanChannel, team_a.workspace).exists()


def test_end_before_start_is_shown_on_the_end_date(team_a):
    response = browser(team_a).post(
        url(team_a, "plan_create"), plan_form(starts_on="2026-03-10", ends_on="2026-03-01")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ends_on"] == ["The plan ends before it starts."]
    assert not scoped(Plan, team_a.workspace).exists()


def test_bad_rrule_is_shown_on_the_rule_field(team_a):
    response = browser(team_a).post(
        url(team_a, "plan_create"), plan_form(schedule="custom", rrule="FREQ=HOURLY;COUNT=3")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["rrule"] == ["FREQ must be one of DAILY, MONTHLY, WEEKLY, YEARLY."]
    assert not scoped(Plan, team_a.workspace).exists()


def test_negative_channel_budget_is_shown_on_its_row(team_a):
    first, second = (
        make_channel(team_a.owner),
        make_channel(team_a.owner, name="微博 Weibo", channel_type="weibo"),
    )
    response = browser(team_a).post(
        url(team_a, "plan_create"),
        plan_form(
            channels=[
                {"channel_account_id": str(first.pk), "budget": "100"},
                {"channel_account_id": str(second.pk), "budget": "-5"},
            ]
        ),
    )
    assert response.status_code == 200
    channel_rows = response.context["channel_rows"]
    assert channel_rows.forms[0].errors == {}
    assert channel_rows.forms[1].errors["budget"] == ["Enter a non-negative amount below 10^12."]
    assert "Enter a non-negative amount below 10^12." in response.text
    assert not scoped(Plan, team_a.workspace).exists()


def test_weekly_preset_builds_the_rule_and_the_occurrences(team_a):
    browser(team_a).post(
        url(team_a, "plan_create"),
        plan_form(schedule="weekly", weekday="TU", weeks="4", starts_on="2026-03-03", ends_on="2026-04-30"),
    )
    plan = scoped(Plan, team_a.workspace).get()
    assert plan.recurrence == "FREQ=WEEKLY;BYDAY=TU;COUNT=4"
    days = list(scoped(Occurrence, team_a.workspace).filter(plan=plan).values_list("starts_on", flat=True))
    assert days == [datetime.date(2026, 3, 3) + datetime.timedelta(weeks=week) for week in range(4)]


def test_weekly_preset_needs_a_number_of_weeks(team_a):
    response = browser(team_a).post(url(team_a, "plan_create"), plan_form(schedule="weekly", weeks=""))
    assert response.context["form"].errors["weeks"] == ["Needed for a weekly schedule."]
    assert not scoped(Plan, team_a.workspace).exists()


def test_monthly_preset_runs_every_month_until_the_end(team_a):
    browser(team_a).post(
        url(team_a, "plan_create"),
        plan_form(schedule="monthly", starts_on="2026-01-15", ends_on="2026-04-30"),
    )
    plan = scoped(Plan, team_a.workspace).get()
    assert plan.recurrence == "FREQ=MONTHLY"
    assert plan.occurrences.count() == 4


def test_edit_form_recognises_the_weekly_preset_and_keeps_rows(team_a, plan):
    services.update_plan(team_a.owner, plan.pk, recurrence="FREQ=WEEKLY;BYDAY=FR;COUNT=2")
    response = browser(team_a, Role.PLANNER).get(url(team_a, "plan_edit", plan.pk))
    form = response.context["form"]
    assert (form["schedule"].value(), form["weekday"].value(), form["weeks"].value()) == ("weekly", "FR", 2)
    assert [row["kpi"].value() for row in response.context["target_rows"]] == ["leads", "budget"]
    assert [str(row["budget"].value()) for row in response.context["channel_rows"]] == ["1200.50"]


def test_planner_edits_plan_and_replaces_targets(team_a, plan):
    response = browser(team_a, Role.PLANNER).post(
        url(team_a, "plan_edit", plan.pk),
        plan_form(name="春茶上新（第二版）", targets=[{"kpi": "orders", "target": "80"}]),
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.name == "春茶上新（第二版）"
    assert list(plan.targets.values_list("kpi", "target")) == [("orders", Decimal("80"))]
    assert not plan.channels.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.IMPLEMENTER])
def test_viewer_and_implementer_cannot_create_plan(team_a, role):
    response = browser(team_a, role).post(url(team_a, "plan_create"), plan_form())
    assert response.status_code == 403
    assert not scoped(Plan, team_a.workspace).exists()


def test_viewer_cannot_edit_plan(team_a, plan):
    response = browser(team_a, Role.VIEWER).post(url(team_a, "plan_edit", plan.pk), plan_form(name="改名"))
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.name == "春茶上新 Spring launch"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PLANNER])
def test_only_owners_delete_plans(team_a, plan, role):
    response = browser(team_a, role).post(url(team_a, "plan_delete", plan.pk))
    assert response.status_code == 403
    assert scoped(Plan, team_a.workspace).filter(pk=plan.pk).exists()


def test_owner_deletes_plan(team_a, plan):
    response = browser(team_a, Role.OWNER).post(url(team_a, "plan_delete", plan.pk))
    assert response.status_code == 302
    assert not scoped(Plan, team_a.workspace).exists()


def test_foreign_plan_under_own_slug_is_not_found(team_a, team_b, plan):
    client = browser(team_b, Role.OWNER)
    for name in ("plan_detail", "plan_edit", "plan_delete"):
        assert client.get(url(team_b, name, plan.pk)).status_code == 404
    assert client.post(url(team_b, "plan_edit", plan.pk), plan_form(name="偷改")).status_code == 404
    assert client.post(url(team_b, "plan_status", plan.pk), {"status": "done"}).status_code == 404
    assert client.post(url(team_b, "plan_lessons", plan.pk), {"lessons_learned": "x"}).status_code == 404
    assert client.post(url(team_b, "plan_delete", plan.pk)).status_code == 404
    plan.refresh_from_db()
    assert (plan.name, plan.status, plan.lessons_learned) == ("春茶上新 Spring launch", "draft", "")


def test_row_endpoint_numbers_the_new_row_and_counts_it(team_a):
    channel = make_channel(team_a.owner)
    response = browser(team_a, Role.PLANNER).get(
        url(team_a, "plan_channel_row"), {"channels-TOTAL_FORMS": "2"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'name="channels-2-budget"' in response.text
    assert f'<option value="{channel.pk}">' in response.text
    assert (
        'name="channels-TOTAL_FORMS" value="3" id="id_channels-TOTAL_FORMS" hx-swap-oob="true"'
        in response.text
    )
    target = browser(team_a, Role.PLANNER).get(url(team_a, "plan_target_row"), {"targets-TOTAL_FORMS": "0"})
    assert 'name="targets-0-kpi"' in target.text


def test_viewer_cannot_fetch_form_rows(team_a):
    assert browser(team_a, Role.VIEWER).get(url(team_a, "plan_target_row")).status_code == 403


# Plan detail, status and lessons


def test_detail_shows_expected_against_actual(team_a, plan):
    response = browser(team_a, Role.VIEWER).get(url(team_a, "plan_detail", plan.pk))
    rows = {row["kpi"]: row for row in response.context["kpi_rows"]}
    # contacts counts a promotion's leads by source promotion: none here yet
    assert (rows["leads"]["expected"], rows["leads"]["actual"], rows["leads"]["attainment"]) == (
        Decimal("300"),
        0,
        0,
    )
    assert (rows["budget"]["actual"], round(rows["budget"]["attainment"], 2)) == (
        Decimal("1200.50"),
        Decimal("80.03"),
    )
    assert "1,200.50 CNY" in response.text
    assert "—" in response.text
    assert services.calendar_feed_url(team_a.workspace) in response.text


def test_planner_changes_status_by_hand(team_a, plan):
    response = browser(team_a, Role.PLANNER).post(url(team_a, "plan_status", plan.pk), {"status": "running"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.status_locked) == ("running", True)


def test_status_button_with_htmx_swaps_the_status_block(team_a, plan):
    response = browser(team_a, Role.PLANNER).post(
        url(team_a, "plan_status", plan.pk), {"status": "planned"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.text.strip().startswith('<div id="plan-status"')
    assert '<span class="badge badge-planned">Planned</span>' in response.text


def test_viewer_cannot_change_status(team_a, plan):
    response = browser(team_a, Role.VIEWER).post(url(team_a, "plan_status", plan.pk), {"status": "done"})
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_unknown_status_changes_nothing(team_a, plan):
    client = browser(team_a, Role.PLANNER)
    response = client.post(url(team_a, "plan_status", plan.pk), {"status": "exploded"}, follow=True)
    plan.refresh_from_db()
    assert plan.status == "draft"
    assert "Choose one of" in response.text


def test_status_change_needs_post(team_a, plan):
    assert browser(team_a).get(url(team_a, "plan_status", plan.pk)).status_code == 405


def test_owner_records_lessons_in_chinese(team_a, plan):
    client = browser(team_a, Role.OWNER)
    response = client.post(
        url(team_a, "plan_lessons", plan.pk), {"lessons_learned": "知乎回答带来的线索最多。"}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.lessons_learned == "知乎回答带来的线索最多。"
    assert "知乎回答带来的线索最多。" in client.get(url(team_a, "plan_detail", plan.pk)).text


def test_implementer_records_lessons_only_on_own_plans(team_a):
    implementer = team_a.member(Role.IMPLEMENTER)
    own = make_plan(team_a.owner, name="自己的", owner_id=implementer.pk)
    other = make_plan(team_a.owner, name="别人的")
    client = browser(team_a, Role.IMPLEMENTER)
    assert url(team_a, "plan_lessons", own.pk) in client.get(url(team_a, "plan_detail", own.pk)).text
    assert url(team_a, "plan_lessons", other.pk) not in client.get(url(team_a, "plan_detail", other.pk)).text
    assert client.post(url(team_a, "plan_lessons", own.pk), {"lessons_learned": "好"}).status_code == 302
    assert client.post(url(team_a, "plan_lessons", other.pk), {"lessons_learned": "坏"}).status_code == 403
    other.refresh_from_db()
    assert other.lessons_learned == ""


def test_viewer_cannot_record_lessons(team_a, plan):
    response = browser(team_a, Role.VIEWER).post(
        url(team_a, "plan_lessons", plan.pk), {"lessons_learned": "x"}
    )
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.lessons_learned == ""


def test_too_long_lessons_are_refused_on_the_page(team_a, plan):
    response = browser(team_a).post(url(team_a, "plan_lessons", plan.pk), {"lessons_learned": "长" * 50_001})
    assert response.status_code == 422
    assert "Keep it under 50,000 characters." in response.text
    plan.refresh_from_db()
    assert plan.lessons_learned == ""


def test_chinese_plan_name_round_trips_through_form_list_detail_and_calendar(team_a):
    name = "双十一 · 云岭茶业「老茶客」回馈"
    client = browser(team_a, Role.PLANNER)
    client.post(
        url(team_a, "plan_create"), plan_form(name=name, starts_on="2026-11-01", ends_on="2026-11-11")
    )
    plan = scoped(Plan, team_a.workspace).get()
    assert plan.name == name
    for page in (
        client.get(url(team_a, "plan_list")),
        client.get(url(team_a, "plan_detail", plan.pk)),
        client.get(url(team_a, "calendar_month", 2026, 11)),
    ):
        assert "双十一 · 云岭茶业「老茶客」回馈" in page.text
