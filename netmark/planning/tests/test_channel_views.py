"""The channel pages: the workspace's channel accounts and the catalogue."""

from decimal import Decimal

import pytest

from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.planning.models import ChannelAccount
from netmark.planning.tests.factories import make_channel
from netmark.planning.tests.pages import browser, sample_plan, url


@pytest.fixture
def plan(team_a):
    return sample_plan(team_a)


def test_channel_page_lists_accounts_and_the_catalogue_by_kind(team_a):
    make_channel(team_a.owner, monthly_hours="12.5")
    response = browser(team_a, Role.VIEWER, "zh-hans").get(url(team_a, "channel_list"))
    assert "公众号 云岭茶业 Official" in response.text
    assert [group["kind"] for group in response.context["catalogue"]] == ["paid", "owned", "earned"]
    assert "百度搜索推广" in response.text
    assert response.context["budget_totals"] == [("CNY", Decimal("5000.00"))]
    assert response.context["hours_total"] == Decimal("12.5")


def test_planner_adds_channel_account(team_a):
    response = browser(team_a, Role.PLANNER).post(
        url(team_a, "channel_create"),
        {
            "channel_type": "zhihu",
            "name": "知乎机构号",
            "monthly_budget": "800",
            "currency": "CNY",
            "monthly_hours": "20",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    account = scoped(ChannelAccount, team_a.workspace).get()
    assert (account.channel_type.code, account.name, account.monthly_budget, account.monthly_hours) == (
        "zhihu",
        "知乎机构号",
        Decimal("800"),
        Decimal("20"),
    )


def test_negative_monthly_budget_is_shown_on_the_field(team_a):
    response = browser(team_a).post(
        url(team_a, "channel_create"),
        {
            "channel_type": "weibo",
            "name": "微博",
            "monthly_budget": "-1",
            "currency": "CNY",
            "monthly_hours": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["monthly_budget"] == ["Enter a non-negative amount below 10^12."]
    assert not scoped(ChannelAccount, team_a.workspace).exists()


def test_viewer_cannot_add_edit_or_delete_channels(team_a):
    account = make_channel(team_a.owner)
    client = browser(team_a, Role.VIEWER)
    body = {
        "channel_type": "weibo",
        "name": "改",
        "monthly_budget": "1",
        "currency": "CNY",
        "monthly_hours": "0",
    }
    assert client.post(url(team_a, "channel_create"), body).status_code == 403
    assert client.post(url(team_a, "channel_edit", account.pk), body).status_code == 403
    assert client.post(url(team_a, "channel_delete", account.pk)).status_code == 403
    account.refresh_from_db()
    assert (account.name, scoped(ChannelAccount, team_a.workspace).count()) == ("公众号 云岭茶业 Official", 1)


def test_planner_edits_channel_account(team_a):
    account = make_channel(team_a.owner)
    response = browser(team_a, Role.PLANNER).post(
        url(team_a, "channel_edit", account.pk),
        {
            "channel_type": "wechat_official",
            "name": "公众号",
            "monthly_budget": "0",
            "currency": "CNY",
            "monthly_hours": "8",
        },
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.name, account.is_active, account.monthly_hours) == ("公众号", False, Decimal("8"))


def test_channel_used_by_a_plan_is_not_deleted(team_a, plan):
    account = scoped(ChannelAccount, team_a.workspace).get()
    response = browser(team_a, Role.OWNER).post(url(team_a, "channel_delete", account.pk), follow=True)
    assert "Other records still use this one" in response.text
    assert scoped(ChannelAccount, team_a.workspace).filter(pk=account.pk).exists()


def test_foreign_channel_under_own_slug_is_not_found(team_a, team_b):
    foreign = make_channel(team_b.owner)
    client = browser(team_a, Role.OWNER)
    assert client.get(url(team_a, "channel_edit", foreign.pk)).status_code == 404
    assert client.post(url(team_a, "channel_delete", foreign.pk)).status_code == 404
    assert scoped(ChannelAccount, team_b.workspace).filter(pk=foreign.pk).exists()
