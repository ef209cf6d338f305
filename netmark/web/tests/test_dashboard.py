"""The home redirect and the workspace dashboard: counts, upcoming plans, budgets, recent activity."""

import datetime
import json
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from netmark.core import services
from netmark.core.roles import Role
from netmark.planning import services as planning
from netmark.planning.models import Plan
from netmark.positioning import services as positioning


def _plan(member, name: str, days_ahead: int, channels=(), status=Plan.Status.PLANNED):
    start = timezone.localdate() + datetime.timedelta(days=days_ahead)
    return planning.create_plan(
        member,
        name=name,
        objective="让白领知道新茶上市",
        starts_on=start,
        ends_on=start + datetime.timedelta(days=6),
        channels=channels,
        status=status,
    )


def test_home_opens_the_first_workspace(team_a):
    assert team_a.browser_client().get("/")["Location"] == "/w/ws-a/"


def test_home_remembers_the_last_workspace_of_the_session(team_a, team_b):
    services.add_member(team_b.owner, "owner-a@example.com", Role.VIEWER)
    client = team_a.browser_client()
    client.get("/w/ws-b/")
    assert client.get("/")["Location"] == "/w/ws-b/"


def test_a_user_without_a_workspace_sees_the_welcome_page(db):
    user, _created = services.find_or_create_user("solo@example.com", password="Longjing-2026-tea")
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert "You are signed in, but you do not belong to any workspace yet." in response.content.decode()


def test_dashboard_counts_positioning_and_plans_by_status(team_a):
    positioning.create_product(team_a.owner, name="明前龙井")
    positioning.create_product(team_a.owner, name="白毫银针")
    positioning.create_audience(team_a.owner, name="上海白领")
    _plan(team_a.owner, "春茶上新", 3)
    _plan(team_a.owner, "清明茶会", 5, status=Plan.Status.DRAFT)
    response = team_a.browser_client(Role.VIEWER).get("/w/ws-a/")
    assert response.context["counts"] == {"products": 2, "audiences": 1, "messages": 0, "channels": 0}
    assert {row["status"]: row["count"] for row in response.context["plan_counts"]} == {
        "draft": 1,
        "planned": 1,
        "running": 0,
        "evaluating": 0,
        "done": 0,
    }
    assert response.context["plans_total"] == 2


def test_dashboard_lists_upcoming_occurrences(team_a):
    _plan(team_a.owner, "端午礼盒 Dragon Boat", 10)
    _plan(team_a.owner, "双十一 Singles Day", 45)
    response = team_a.browser_client().get("/w/ws-a/")
    assert [item["entry"].plan_name for item in response.context["upcoming"]] == ["端午礼盒 Dragon Boat"]
    assert "端午礼盒 Dragon Boat" in response.content.decode()


def test_dashboard_budget_chart_data_groups_by_channel_and_currency(team_a):
    wechat = planning.create_channel_account(team_a.owner, channel_type="wechat_official", name="公众号")
    baidu = planning.create_channel_account(team_a.owner, channel_type="baidu_search_ads", name="百度推广")
    _plan(team_a.owner, "春茶", 1, channels=[{"channel_account_id": wechat.pk, "budget": "1200.50"}])
    _plan(
        team_a.owner,
        "夏茶",
        2,
        channels=[
            {"channel_account_id": wechat.pk, "budget": "800"},
            {"channel_account_id": baidu.pk, "budget": "3000"},
        ],
    )
    _plan(
        team_a.owner,
        "旧活动",
        -60,
        channels=[{"channel_account_id": baidu.pk, "budget": "999"}],
        status="done",
    )
    response = team_a.browser_client().get("/w/ws-a/")
    data = json.loads(
        response.content.decode()
        .split('<script id="budget-data" type="application/json">')[1]
        .split("</script>")[0]
    )
    assert dict(zip(data["categories"], data["series"][0]["data"], strict=True)) == {
        "公众号": str(Decimal("2000.50")),
        "百度推广": str(Decimal("3000.00")),
    }
    assert [series["name"] for series in data["series"]] == ["CNY"]


def test_recent_activity_is_shown_to_owners_only(team_a):
    owner_page = team_a.browser_client().get("/w/ws-a/")
    viewer_page = team_a.browser_client(Role.VIEWER).get("/w/ws-a/")
    assert [entry.action for entry in owner_page.context["recent"]][-1] == "workspace.created"
    assert viewer_page.context["recent"] is None
    assert "Recent activity" not in viewer_page.content.decode()


def test_dashboard_query_count_stays_flat(team_a, django_assert_max_num_queries):
    for index in range(5):
        _plan(team_a.owner, f"计划 {index}", index)
    client = team_a.browser_client()
    with django_assert_max_num_queries(16):
        assert client.get("/w/ws-a/").status_code == 200


def test_dashboard_uses_the_workspace_language_until_the_member_chooses(team_a):
    client = team_a.browser_client(language=None)
    assert '<html lang="zh-hans">' in client.get("/w/ws-a/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/w/ws-a/"})
    assert '<html lang="en">' in client.get("/w/ws-a/").content.decode()
