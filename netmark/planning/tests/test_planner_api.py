"""The channel planner through the REST API."""

import json

import pytest

from netmark.core.roles import Role
from netmark.planning.tests.factories import make_channel
from netmark.positioning import services as positioning

pytestmark = pytest.mark.django_db


@pytest.fixture
def audience(team_a):
    presence = {"wechat_official": 80, "zhihu": 55, "weibo": 30, "email": 20, "baidu_search_ads": 60}
    return positioning.create_audience(team_a.owner, name="白领茶客", channel_presence=presence)


def test_the_planner_answers_choices_with_reasons_and_what_was_left_out(team_a, audience):
    response = team_a.api(Role.VIEWER).get(
        "/api/v1/channel-planner",
        {"audience_id": audience.pk, "monthly_budget": "10000", "monthly_hours": "40"},
    )
    assert response.status_code == 200, response.content
    answer = response.json()
    assert [choice["code"] for choice in answer["chosen"]] == ["wechat_official", "baidu_search_ads", "zhihu"]
    assert answer["currency"] == "CNY"
    assert all(choice["reasons"] for choice in answer["chosen"])
    assert {row["code"] for row in answer["left_out"]} >= {"weibo", "email"}


def test_a_plan_starts_from_the_planner_and_its_spread_is_checked(team_a, audience):
    make_channel(team_a.owner, name="公众号", channel_type="wechat_official", monthly_hours=2)
    body = {
        "audience_id": audience.pk, "monthly_budget": "10000", "monthly_hours": "40", "name": "规划器计划",
        "objective": "试点", "starts_on": "2027-02-01", "ends_on": "2027-03-02",
    }  # fmt: skip
    response = team_a.api(Role.PLANNER).post(
        "/api/v1/channel-planner/plans", json.dumps(body), "application/json"
    )
    assert response.status_code == 201, response.content
    plan = response.json()
    assert len(plan["channels"]) == 3 and plan["status"] == "draft"
    spread = team_a.api(Role.VIEWER).get(f"/api/v1/plans/{plan['id']}/spread").json()
    assert any("公众号" in warning for warning in spread["warnings"])  # 2 hours a month is not enough
    denied = team_a.api(Role.VIEWER).post(
        "/api/v1/channel-planner/plans", json.dumps(body), "application/json"
    )
    assert denied.status_code == 403


def test_bad_planner_input_is_422_and_foreign_audiences_404(team_a, team_b, audience):
    bad = team_a.api().get("/api/v1/channel-planner", {"audience_id": audience.pk, "monthly_hours": "-1"})
    assert bad.status_code == 422
    missing = team_a.api().get("/api/v1/channel-planner")
    assert missing.status_code == 422
    foreign = team_b.api().get("/api/v1/channel-planner", {"audience_id": audience.pk})
    assert foreign.status_code == 404
