"""The channel planner page: recommendations with reasons, and a draft plan started from them."""

import pytest
from django.urls import reverse

from netmark.core.roles import Role
from netmark.planning.models import Plan
from netmark.positioning import services as positioning

pytestmark = pytest.mark.django_db


@pytest.fixture
def audience(team_a):
    presence = {"wechat_official": 80, "zhihu": 55, "weibo": 30, "email": 20, "baidu_search_ads": 60}
    return positioning.create_audience(team_a.owner, name="白领茶客 <b>", channel_presence=presence)


def url(team, name):
    return reverse(f"planning:{name}", args=[team.workspace.slug])


def test_the_page_recommends_channels_with_reasons_in_chinese_by_default(team_a, audience):
    client = team_a.browser_client(Role.VIEWER, language=None)
    page = client.get(url(team_a, "planner"), {"audience": audience.pk, "monthly_budget": "10000",
                                               "monthly_hours": "40"})  # fmt: skip
    html = page.content.decode()
    assert page.status_code == 200
    assert "微信公众号" in html and "百度搜索推广" in html
    assert "目标受众在该渠道的活跃度" in html
    assert "白领茶客 &lt;b&gt;" in html and "白领茶客 <b>" not in html
    assert "planner/start/" not in html  # viewers cannot start plans


def test_a_planner_starts_a_draft_plan_from_the_recommendation(team_a, audience):
    client = team_a.browser_client(Role.PLANNER)
    query = f"?audience={audience.pk}&monthly_budget=10000&monthly_hours=40"
    body = {"name": "规划器计划", "objective": "试点", "starts_on": "2027-02-01", "ends_on": "2027-02-28"}
    response = client.post(url(team_a, "planner_start") + query, body)
    plan = Plan.unscoped.get(workspace=team_a.workspace, name="规划器计划")
    assert response.status_code == 302
    assert response["Location"] == reverse("planning:plan_edit", args=[team_a.workspace.slug, plan.pk])
    assert plan.channels.count() == 3
    bad = client.post(url(team_a, "planner_start") + query, {**body, "ends_on": "2026-01-01"})
    assert bad.status_code == 422
    viewer = team_a.browser_client(Role.VIEWER).post(url(team_a, "planner_start") + query, body)
    assert viewer.status_code == 403
