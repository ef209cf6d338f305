import datetime
from decimal import Decimal

import pytest

from netmark.core import kpis
from netmark.core.errors import NotFound, PermissionDenied, ValidationFailed
from netmark.core.kpis import Kpi
from netmark.core.models import AuditEntry
from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.planning import services
from netmark.planning.models import KpiTarget, Occurrence, Plan, PlanChannel
from netmark.planning.tests.factories import START, make_channel, make_plan
from netmark.positioning import services as positioning


def test_weekly_rule_times_eight_materialises_eight_one_day_occurrences(team_a):
    plan = make_plan(
        team_a.owner,
        recurrence="FREQ=WEEKLY;BYDAY=MO;COUNT=8",
        ends_on=START + datetime.timedelta(weeks=10),
    )
    occurrences = list(scoped(Occurrence, team_a.workspace).filter(plan=plan).order_by("sequence"))
    assert [(o.sequence, o.starts_on, o.ends_on) for o in occurrences] == [
        (week, START + datetime.timedelta(weeks=week), START + datetime.timedelta(weeks=week))
        for week in range(8)
    ]


def test_one_off_plan_has_one_occurrence_spanning_its_dates(team_a):
    plan = make_plan(team_a.owner)
    occurrence = scoped(Occurrence, team_a.workspace).get(plan=plan)
    assert (occurrence.starts_on, occurrence.ends_on, occurrence.sequence) == (
        plan.starts_on,
        plan.ends_on,
        0,
    )


def test_plan_keeps_channels_targets_owner_and_workspace_currency(team_a):
    channel = make_channel(team_a.owner)
    planner = team_a.member(Role.PLANNER)
    plan = make_plan(
        planner,
        channels=[{"channel_account_id": channel.pk, "budget": "1200.50"}],
        targets=[{"kpi": "leads", "target": "300"}, {"kpi": "revenue", "target": 88000}],
    )
    assert (plan.owner_id, plan.currency, plan.status) == (planner.pk, "CNY", "draft")
    assert list(scoped(PlanChannel, team_a.workspace).values_list("channel_account_id", "budget")) == [
        (channel.pk, Decimal("1200.50"))
    ]
    assert dict(scoped(KpiTarget, team_a.workspace).values_list("kpi", "target")) == {
        "leads": Decimal("300"),
        "revenue": Decimal("88000"),
    }
    assert services.plan_budget_total(plan) == Decimal("1200.50")


def test_creating_a_plan_is_audited_and_announced(team_a, emitted):
    plan = make_plan(team_a.owner, name="双十一大促")
    entry = scoped(AuditEntry, team_a.workspace).get(action="plan.created")
    assert (entry.object_id, entry.object_repr, entry.changes["name"]) == (
        str(plan.pk),
        "双十一大促",
        "双十一大促",
    )
    assert emitted == [(team_a.workspace.pk, "plan.created", {"plan": services.plan_payload(plan)})]
    assert emitted[0][2]["plan"]["name"] == "双十一大促"


def test_bad_rrule_is_refused_on_the_recurrence_field(team_a):
    with pytest.raises(ValidationFailed) as caught:
        make_plan(team_a.owner, recurrence="每周一次")
    assert set(caught.value.fields) == {"recurrence"}
    assert caught.value.status == 422
    assert not scoped(Plan, team_a.workspace).exists()


def test_end_before_start_is_refused(team_a):
    with pytest.raises(ValidationFailed) as caught:
        make_plan(team_a.owner, starts_on=START, ends_on=START - datetime.timedelta(days=1))
    assert set(caught.value.fields) == {"ends_on"}
    assert not scoped(Plan, team_a.workspace).exists()


def test_recurring_plan_longer_than_three_years_is_refused(team_a):
    with pytest.raises(ValidationFailed) as caught:
        make_plan(team_a.owner, recurrence="FREQ=MONTHLY", ends_on=datetime.date(2030, 1, 1))
    assert set(caught.value.fields) == {"ends_on"}


def test_unknown_kpi_is_refused_naming_the_row(team_a):
    with pytest.raises(ValidationFailed) as caught:
        make_plan(team_a.owner, targets=[{"kpi": "leads", "target": 1}, {"kpi": "粉丝数", "target": 10}])
    assert set(caught.value.fields) == {"targets.1.kpi"}
    assert not scoped(Plan, team_a.workspace).exists()


def test_same_channel_twice_is_refused(team_a):
    channel = make_channel(team_a.owner)
    rows = [{"channel_account_id": channel.pk, "budget": 1}, {"channel_account_id": channel.pk, "budget": 2}]
    with pytest.raises(ValidationFailed) as caught:
        make_plan(team_a.owner, channels=rows)
    assert set(caught.value.fields) == {"channels.1.channel_account_id"}


def test_bad_utm_campaign_is_refused_and_good_one_lower_cased(team_a):
    with pytest.raises(ValidationFailed) as caught:
        make_plan(team_a.owner, utm_campaign="spring sale")
    assert set(caught.value.fields) == {"utm_campaign"}
    assert make_plan(team_a.owner, utm_campaign="Spring-2026_春茶").utm_campaign == "spring-2026_春茶"


@pytest.mark.parametrize("field", ["product_id", "audience_id", "message_id", "owner_id"])
def test_foreign_positioning_and_owner_ids_are_not_found(team_a, team_b, field):
    product = positioning.create_product(team_b.owner, name="B 的普洱")
    audience = positioning.create_audience(team_b.owner, name="B 的白领")
    message = positioning.create_message(
        team_b.owner, title="B 的话", audience_id=audience.pk, product_id=product.pk, value_proposition="好喝"
    )
    foreign = {
        "product_id": product.pk,
        "audience_id": audience.pk,
        "message_id": message.pk,
        "owner_id": team_b.owner.pk,
    }
    with pytest.raises(NotFound):
        make_plan(team_a.owner, **{field: foreign[field]})
    assert not scoped(Plan, team_a.workspace).exists()


def test_foreign_channel_account_is_not_found(team_a, team_b):
    foreign = make_channel(team_b.owner, name="B 的微博")
    with pytest.raises(NotFound):
        make_plan(team_a.owner, channels=[{"channel_account_id": foreign.pk, "budget": "10"}])
    assert not scoped(Plan, team_a.workspace).exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.IMPLEMENTER])
def test_viewer_and_implementer_cannot_create_plan(team_a, role):
    with pytest.raises(PermissionDenied):
        make_plan(team_a.member(role))
    assert not scoped(Plan, team_a.workspace).exists()


def test_update_replaces_channels_and_targets_and_rebuilds_occurrences(team_a):
    first, second = (
        make_channel(team_a.owner, name="微博"),
        make_channel(team_a.owner, name="知乎", channel_type="zhihu"),
    )
    plan = make_plan(
        team_a.owner,
        channels=[{"channel_account_id": first.pk, "budget": 100}],
        targets=[{"kpi": "visits", "target": 1000}],
    )
    services.update_plan(
        team_a.member(Role.PLANNER),
        plan.pk,
        recurrence="FREQ=WEEKLY;COUNT=2",
        channels=[{"channel_account_id": second.pk, "budget": "250"}],
        targets=[],
    )
    assert list(scoped(PlanChannel, team_a.workspace).values_list("channel_account_id", "budget")) == [
        (second.pk, Decimal("250.00"))
    ]
    assert not scoped(KpiTarget, team_a.workspace).exists()
    occurrences = scoped(Occurrence, team_a.workspace).filter(plan=plan).order_by("sequence")
    assert [o.starts_on for o in occurrences] == [START, START + datetime.timedelta(weeks=1)]
    entry = scoped(AuditEntry, team_a.workspace).get(action="plan.updated")
    assert entry.changes["recurrence"] == ["", "FREQ=WEEKLY;COUNT=2"]


def test_update_checks_the_merged_dates(team_a):
    plan = make_plan(team_a.owner)
    with pytest.raises(ValidationFailed) as caught:
        services.update_plan(team_a.owner, plan.pk, starts_on=plan.ends_on + datetime.timedelta(days=1))
    assert set(caught.value.fields) == {"ends_on"}
    plan.refresh_from_db()
    assert plan.starts_on == START


def test_update_refuses_fields_that_are_not_plan_fields(team_a):
    plan = make_plan(team_a.owner)
    with pytest.raises(ValidationFailed) as caught:
        services.update_plan(team_a.owner, plan.pk, workspace_id=999)
    assert set(caught.value.fields) == {"workspace_id"}


def test_implementer_records_lessons_only_on_own_plans(team_a):
    implementer = team_a.member(Role.IMPLEMENTER)
    own = make_plan(team_a.owner, name="地推试点", owner_id=implementer.pk)
    other = make_plan(team_a.owner, name="直播带货")
    assert services.record_lessons(implementer, own.pk, "  周末转化更好  ").lessons_learned == "周末转化更好"
    with pytest.raises(PermissionDenied):
        services.record_lessons(implementer, other.pk, "不该写入")
    other.refresh_from_db()
    assert other.lessons_learned == ""


def test_viewer_cannot_record_lessons_and_planner_can_on_any_plan(team_a):
    plan = make_plan(team_a.owner)
    with pytest.raises(PermissionDenied):
        services.record_lessons(team_a.member(Role.VIEWER), plan.pk, "看看")
    assert (
        services.record_lessons(team_a.member(Role.PLANNER), plan.pk, "预算偏少").lessons_learned
        == "预算偏少"
    )


def test_only_owner_deletes_plan(team_a):
    plan = make_plan(team_a.owner)
    with pytest.raises(PermissionDenied):
        services.delete_plan(team_a.member(Role.PLANNER), plan.pk)
    services.delete_plan(team_a.owner, plan.pk)
    assert not scoped(Plan, team_a.workspace).exists()
    assert not scoped(Occurrence, team_a.workspace).exists()


def test_list_plans_filters_by_status_search_owner_and_dates(team_a):
    planner = team_a.member(Role.PLANNER)
    spring = make_plan(team_a.owner, name="春茶上新")
    autumn = make_plan(
        planner,
        name="秋季 Autumn 品鉴会",
        status="planned",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2026, 9, 30),
    )
    workspace = team_a.workspace
    assert list(services.list_plans(workspace, status="planned")) == [autumn]
    assert list(services.list_plans(workspace, search="autumn")) == [autumn]
    assert list(services.list_plans(workspace, search="春茶")) == [spring]
    assert list(services.list_plans(workspace, owner_id=planner.pk)) == [autumn]
    window = (datetime.date(2026, 3, 10), datetime.date(2026, 4, 1))
    assert list(services.list_plans(workspace, active_between=window)) == [spring]


def test_expected_vs_actual_reads_the_kpi_registry(team_a, monkeypatch):
    monkeypatch.setitem(
        kpis._REGISTRY, "test_tastings", Kpi("test_tastings", "品鉴人数", "count", lambda *_: 42)
    )
    channel = make_channel(team_a.owner)
    plan = make_plan(
        team_a.owner,
        channels=[{"channel_account_id": channel.pk, "budget": "900"}],
        targets=[
            {"kpi": "test_tastings", "target": 50},
            {"kpi": "budget", "target": 1000},
            {"kpi": "leads", "target": 7},
        ],
    )
    rows = services.expected_vs_actual(plan)
    assert [(row.kpi, row.label, row.unit, row.expected, row.actual) for row in rows] == [
        ("test_tastings", "品鉴人数", "count", Decimal("50"), 42),
        ("budget", "Budget", "money", Decimal("1000"), Decimal("900.00")),
        ("leads", "Leads", "count", Decimal("7"), 0),  # contacts counts leads by source promotion
    ]


def test_expected_vs_actual_asks_for_the_plans_local_days(team_a, monkeypatch):
    seen = []
    window = Kpi("test_window", "窗口", "count", lambda plan, start, end: seen.append((start, end)) or 0)
    monkeypatch.setitem(kpis._REGISTRY, "test_window", window)
    plan = make_plan(team_a.owner, targets=[{"kpi": "test_window", "target": 1}])
    services.expected_vs_actual(plan)
    start, end = seen[0]
    assert (start.isoformat(), end.isoformat()) == ("2026-03-02T00:00:00+08:00", "2026-03-16T00:00:00+08:00")
