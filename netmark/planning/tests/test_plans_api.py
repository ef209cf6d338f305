import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.planning.models import Occurrence, Plan
from netmark.planning.tests.factories import START, make_channel, make_plan, plan_body


def send(client, method, path, data):
    return getattr(client, method)(path, data, content_type="application/json")


def test_budget_sent_as_a_number_is_rounded_to_cents(team_a):
    channel = make_channel(team_a.owner)
    body = plan_body(channels=[{"channel_account_id": channel.pk, "budget": 12.345}])
    response = send(team_a.api(), "post", "/api/v1/plans", body)
    assert (response.status_code, response.json()["budget_total"]) == (201, "12.35")


def test_create_plan_with_nested_channels_and_targets(team_a):
    channel = make_channel(team_a.owner)
    planner = team_a.member(Role.PLANNER)
    body = plan_body(
        channels=[{"channel_account_id": channel.pk, "budget": "1999.90"}],
        targets=[{"kpi": "orders", "target": "500"}],
        recurrence="FREQ=WEEKLY;BYDAY=TU;COUNT=3",
    )
    response = send(team_a.api(Role.PLANNER), "post", "/api/v1/plans", body)
    assert response.status_code == 201
    plan = response.json()
    assert (plan["name"], plan["owner_id"], plan["status"], plan["currency"]) == (
        "中秋礼盒推广",
        planner.pk,
        "draft",
        "CNY",
    )
    assert plan["channels"] == [{"channel_account_id": channel.pk, "budget": "1999.90"}]
    assert [(row["kpi"], float(row["target"])) for row in plan["targets"]] == [("orders", 500.0)]
    assert (plan["budget_total"], plan["occurrence_count"]) == ("1999.90", 3)


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"recurrence": "每周二"}, {"recurrence"}),
        ({"ends_on": "2026-08-01"}, {"ends_on"}),
        ({"ends_on": "九月"}, {"ends_on"}),
        ({"targets": [{"kpi": "粉丝数", "target": 1}]}, {"targets.0.kpi"}),
        ({"targets": [{"kpi": "leads", "target": "很多"}]}, {"targets.0.target"}),
        ({"channels": [{"channel_account_id": 1, "budget": "-5"}]}, {"channels.0.budget"}),
        ({"status": "paused"}, {"status"}),
        ({"name": ""}, {"name"}),
        ({"name": "   "}, {"name"}),
        ({"starts_on": 20260901}, {"starts_on"}),
        ({"starts_on": "0001-01-01"}, {"starts_on"}),
        ({"utm_campaign": "spring sale"}, {"utm_campaign"}),
        ({"targets": [{"kpi": "leads", "target": True}]}, {"targets.0.target"}),
        ({"channels": [{"channel_account_id": 1, "budget": "12.345"}]}, {"channels.0.budget"}),
    ],
)
def test_bad_plan_input_answers_422_naming_the_fields(team_a, change, fields):
    response = send(team_a.api(), "post", "/api/v1/plans", plan_body(**change))
    assert response.status_code == 422
    assert set(response.json()["fields"]) == fields
    assert not scoped(Plan, team_a.workspace).exists()


def test_viewer_cannot_create_plan_over_the_api(team_a):
    response = send(team_a.api(Role.VIEWER), "post", "/api/v1/plans", plan_body())
    assert response.status_code == 403
    assert not scoped(Plan, team_a.workspace).exists()


def test_list_plans_paginates_and_filters(team_a):
    planner = team_a.member(Role.PLANNER)
    for month in range(1, 6):
        make_plan(
            team_a.owner,
            name=f"{month} 月推广",
            starts_on=datetime.date(2026, month, 1),
            ends_on=datetime.date(2026, month, 20),
        )
    make_plan(planner, name="品鉴会 Tasting", status="planned", starts_on=START, ends_on=START)
    client = team_a.api(Role.VIEWER)
    page = client.get("/api/v1/plans?limit=2&offset=2").json()
    assert page["count"] == 6
    assert [row["name"] for row in page["items"]] == ["品鉴会 Tasting", "3 月推广"]
    assert [row["name"] for row in client.get("/api/v1/plans?status=planned").json()["items"]] == [
        "品鉴会 Tasting"
    ]
    assert client.get("/api/v1/plans?search=tasting").json()["count"] == 1
    assert client.get(f"/api/v1/plans?owner_id={planner.pk}").json()["count"] == 1
    window = client.get("/api/v1/plans?from=2026-04-10&to=2026-05-05").json()
    assert [row["name"] for row in window["items"]] == ["5 月推广", "4 月推广"]


def test_bad_filter_values_answer_422(team_a):
    client = team_a.api()
    assert client.get("/api/v1/plans?status=paused").status_code == 422
    assert client.get("/api/v1/plans?from=yesterday").status_code == 422
    assert client.get("/api/v1/plans?to=0").status_code == 422
    assert client.get("/api/v1/plans?owner_id=99999999999999999999").status_code == 422


def test_list_plans_query_count_does_not_grow_with_plans(team_a):
    channel = make_channel(team_a.owner)
    client = team_a.api()

    def queries_for_listing() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/plans").status_code == 200
        return len(captured)

    make_plan(team_a.owner, channels=[{"channel_account_id": channel.pk, "budget": 1}])
    queries_for_listing()  # the token's first use of the minute also records last_used_at
    few = queries_for_listing()
    for index in range(5):
        make_plan(
            team_a.owner,
            name=f"计划 {index}",
            channels=[{"channel_account_id": channel.pk, "budget": 1}],
            targets=[{"kpi": "visits", "target": 10}],
        )
    assert queries_for_listing() == few


def test_patch_plan_replaces_targets_and_keeps_the_rest(team_a):
    plan = make_plan(team_a.owner, targets=[{"kpi": "visits", "target": 100}], utm_campaign="spring")
    response = send(
        team_a.api(Role.PLANNER),
        "patch",
        f"/api/v1/plans/{plan.pk}",
        {"targets": [{"kpi": "leads", "target": 9}]},
    )
    assert response.status_code == 200
    body = response.json()
    assert ([row["kpi"] for row in body["targets"]], body["utm_campaign"], body["name"]) == (
        ["leads"],
        "spring",
        "春茶上新 Spring launch",
    )


def test_status_and_lessons_endpoints(team_a):
    implementer = team_a.member(Role.IMPLEMENTER)
    plan = make_plan(team_a.owner, owner_id=implementer.pk)
    response = send(
        team_a.api(Role.PLANNER), "post", f"/api/v1/plans/{plan.pk}/status", {"status": "running"}
    )
    assert (response.status_code, response.json()["status"], response.json()["status_locked"]) == (
        200,
        "running",
        True,
    )
    response = send(
        team_a.api(Role.IMPLEMENTER),
        "put",
        f"/api/v1/plans/{plan.pk}/lessons",
        {"lessons_learned": "朋友圈转化最好"},
    )
    assert (response.status_code, response.json()["lessons_learned"]) == (200, "朋友圈转化最好")
    viewer = send(
        team_a.api(Role.VIEWER), "put", f"/api/v1/plans/{plan.pk}/lessons", {"lessons_learned": "x"}
    )
    assert viewer.status_code == 403


def test_evaluation_lists_expected_against_actual(team_a):
    channel = make_channel(team_a.owner)
    plan = make_plan(
        team_a.owner,
        channels=[{"channel_account_id": channel.pk, "budget": "800"}],
        targets=[{"kpi": "budget", "target": "1000"}, {"kpi": "leads", "target": "20"}],
    )
    response = team_a.api(Role.VIEWER).get(f"/api/v1/plans/{plan.pk}/evaluation")
    assert response.status_code == 200
    body = response.json()
    assert (body["plan_id"], body["currency"], body["budget_total"]) == (plan.pk, "CNY", "800.00")
    rows = [(row["kpi"], row["unit"], float(row["expected"]), row["actual"]) for row in body["rows"]]
    assert rows == [
        ("budget", "money", 1000.0, "800.00"),
        ("leads", "count", 20.0, "0"),
    ]  # contacts counts leads


def test_kpis_lists_the_registry(team_a):
    response = team_a.api(Role.VIEWER).get("/api/v1/kpis")
    assert response.status_code == 200
    kpis = {row["name"]: row for row in response.json()}
    assert {"budget", "leads", "revenue", "visits"} <= set(kpis)
    assert (kpis["cost"]["unit"], kpis["cost"]["higher_is_better"], kpis["cost"]["label"]) == (
        "money",
        False,
        "Cost",
    )


def test_owner_deletes_plan_and_its_occurrences(team_a):
    plan = make_plan(team_a.owner, recurrence="FREQ=WEEKLY;COUNT=2")
    assert team_a.api(Role.PLANNER).delete(f"/api/v1/plans/{plan.pk}").status_code == 403
    assert team_a.api().delete(f"/api/v1/plans/{plan.pk}").status_code == 204
    assert not scoped(Occurrence, team_a.workspace).exists()


def test_another_workspaces_plan_is_not_found_and_unchanged(team_a, team_b):
    plan = make_plan(team_b.owner, name="B 的秘密计划", status="planned")
    client = team_a.api()
    base = f"/api/v1/plans/{plan.pk}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/evaluation").status_code == 404
    assert send(client, "patch", base, {"name": "被改了"}).status_code == 404
    assert send(client, "post", f"{base}/status", {"status": "done"}).status_code == 404
    assert send(client, "put", f"{base}/lessons", {"lessons_learned": "被改了"}).status_code == 404
    assert client.delete(base).status_code == 404
    assert client.get("/api/v1/plans").json()["count"] == 0
    plan.refresh_from_db()
    assert (plan.name, plan.status, plan.status_locked, plan.lessons_learned) == (
        "B 的秘密计划",
        "planned",
        False,
        "",
    )


def test_plan_cannot_use_another_workspaces_channel_over_the_api(team_a, team_b):
    foreign = make_channel(team_b.owner, name="B 的微博")
    body = plan_body(channels=[{"channel_account_id": foreign.pk, "budget": "1"}])
    response = send(team_a.api(), "post", "/api/v1/plans", body)
    assert response.status_code == 404
    assert not scoped(Plan, team_a.workspace).exists()
