"""Fixtures of the roi tests: the 双11 presale promotion on Baidu and Weibo, with its links."""

import datetime
from decimal import Decimal

import pytest

from netmark.links.tests.factories import make_link
from netmark.planning.tests.factories import make_channel, make_plan

START, END = datetime.date(2026, 10, 12), datetime.date(2026, 10, 25)


@pytest.fixture
def baidu(team_a):
    return make_channel(team_a.owner, name="百度推广 SEM01", channel_type="baidu_search_ads")


@pytest.fixture
def weibo(team_a):
    return make_channel(team_a.owner, name="云岭茶业微博", channel_type="weibo", monthly_budget=Decimal("0"))


@pytest.fixture
def presale(team_a, baidu, weibo):
    plan = make_plan(
        team_a.owner,
        name="双11预售 Double 11 presale",
        starts_on=START,
        ends_on=END,
        utm_campaign="d11-presale",
        status="planned",
        channels=[
            {"channel_account_id": baidu.pk, "budget": "5000"},
            {"channel_account_id": weibo.pk, "budget": "0"},
        ],
        targets=[
            {"kpi": "cost", "target": "4000"},
            {"kpi": "revenue", "target": "10000"},
            {"kpi": "visits", "target": "10"},
            {"kpi": "leads", "target": "50"},
        ],
    )
    make_link(team_a.owner, plan, weibo, utm_source="weibo", utm_medium="social", utm_campaign="d11-presale")
    make_link(team_a.owner, plan, baidu, utm_source="baidu", utm_medium="cpc", utm_campaign="d11-presale")
    return plan
