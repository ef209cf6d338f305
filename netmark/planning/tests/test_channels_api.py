from decimal import Decimal

from netmark.core.models import AuditEntry
from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.planning.models import ChannelAccount
from netmark.planning.tests.factories import make_channel, make_plan


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def patch(client, path, data):
    return client.patch(path, data, content_type="application/json")


def test_channel_types_list_the_seeded_catalogue_in_the_callers_language(team_a):
    response = team_a.api(Role.VIEWER).get("/api/v1/channel-types", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    types = {row["code"]: row for row in response.json()}
    assert len(types) == 15
    assert (types["wechat_official"]["name"], types["wechat_official"]["kind"]) == ("微信公众号", "owned")
    english = team_a.api(Role.VIEWER).get("/api/v1/channel-types", HTTP_ACCEPT_LANGUAGE="en").json()
    assert {row["code"]: row["name"] for row in english}["weibo"] == "Weibo"


def test_planner_creates_channel_account(team_a):
    response = post(
        team_a.api(Role.PLANNER),
        "/api/v1/channels",
        {
            "channel_type": "weibo",
            "name": "云岭茶业官方微博",
            "monthly_budget": "3000.5",
            "monthly_hours": "12.5",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["channel_type"], body["name"], body["currency"]) == ("weibo", "云岭茶业官方微博", "CNY")
    account = scoped(ChannelAccount, team_a.workspace).get()
    assert (account.monthly_budget, account.monthly_hours) == (Decimal("3000.50"), Decimal("12.5"))
    assert scoped(AuditEntry, team_a.workspace).filter(action="channelaccount.created").count() == 1


def test_unknown_channel_type_answers_422_on_that_field(team_a):
    response = post(team_a.api(), "/api/v1/channels", {"channel_type": "myspace", "name": "老账号"})
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"channel_type"}
    assert not scoped(ChannelAccount, team_a.workspace).exists()


def test_negative_budget_answers_422_on_that_field(team_a):
    response = post(
        team_a.api(), "/api/v1/channels", {"channel_type": "weibo", "name": "微博", "monthly_budget": -1}
    )
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"monthly_budget"}


def test_implementer_cannot_create_channel_account(team_a):
    response = post(
        team_a.api(Role.IMPLEMENTER), "/api/v1/channels", {"channel_type": "weibo", "name": "微博"}
    )
    assert response.status_code == 403
    assert not scoped(ChannelAccount, team_a.workspace).exists()


def test_duplicate_channel_name_is_a_conflict(team_a):
    make_channel(team_a.owner, name="知乎专栏", channel_type="zhihu")
    response = post(team_a.api(), "/api/v1/channels", {"channel_type": "zhihu", "name": "知乎专栏"})
    assert response.status_code == 409
    assert scoped(ChannelAccount, team_a.workspace).count() == 1


def test_list_channels_filters_active_and_paginates(team_a):
    make_channel(team_a.owner, name="甲 微博", channel_type="weibo")
    make_channel(team_a.owner, name="乙 知乎", channel_type="zhihu", is_active=False)
    make_channel(team_a.owner, name="丙 邮件", channel_type="email")
    client = team_a.api(Role.VIEWER)
    page = client.get("/api/v1/channels?limit=2&offset=0").json()
    assert (page["count"], [row["name"] for row in page["items"]]) == (3, ["丙 邮件", "乙 知乎"])
    active = client.get("/api/v1/channels?active=true").json()
    assert [row["name"] for row in active["items"]] == ["丙 邮件", "甲 微博"]


def test_patch_changes_only_given_fields(team_a):
    account = make_channel(team_a.owner, name="抖音号", channel_type="other", notes="短视频")
    response = patch(
        team_a.api(Role.PLANNER), f"/api/v1/channels/{account.pk}", {"channel_type": "x", "is_active": False}
    )
    assert response.status_code == 200
    assert (response.json()["channel_type"], response.json()["is_active"], response.json()["notes"]) == (
        "x",
        False,
        "短视频",
    )


def test_channel_used_by_a_plan_cannot_be_deleted(team_a):
    account = make_channel(team_a.owner)
    make_plan(team_a.owner, channels=[{"channel_account_id": account.pk, "budget": 10}])
    response = team_a.api().delete(f"/api/v1/channels/{account.pk}")
    assert response.status_code == 409
    assert scoped(ChannelAccount, team_a.workspace).count() == 1


def test_owner_deletes_unused_channel_and_planner_cannot(team_a):
    account = make_channel(team_a.owner)
    assert team_a.api(Role.PLANNER).delete(f"/api/v1/channels/{account.pk}").status_code == 403
    assert team_a.api().delete(f"/api/v1/channels/{account.pk}").status_code == 204
    assert not scoped(ChannelAccount, team_a.workspace).exists()


def test_another_workspaces_channel_is_not_found_and_unchanged(team_a, team_b):
    account = make_channel(team_b.owner, name="B 的公众号")
    client = team_a.api()
    assert client.get(f"/api/v1/channels/{account.pk}").status_code == 404
    assert patch(client, f"/api/v1/channels/{account.pk}", {"name": "被改了"}).status_code == 404
    assert client.delete(f"/api/v1/channels/{account.pk}").status_code == 404
    assert client.get("/api/v1/channels").json()["count"] == 0
    account.refresh_from_db()
    assert account.name == "B 的公众号"
