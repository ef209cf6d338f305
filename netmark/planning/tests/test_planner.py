"""The channel planner: three to five channels that fit the audience, the product and the resources,
with reasons for every choice and every channel left out."""

import datetime
from decimal import Decimal

import pytest

from netmark.core import kpis
from netmark.core.errors import NotFound, ValidationFailed
from netmark.planning import planner, services
from netmark.planning.models import PlanChannel
from netmark.planning.planner import ChannelType, History, Request, recommend
from netmark.planning.tests.factories import make_channel, make_plan
from netmark.positioning import services as positioning

TYPES = (
    ChannelType("wechat_official", "WeChat", False),
    ChannelType("zhihu", "Zhihu", False),
    ChannelType("weibo", "Weibo", False),
    ChannelType("email", "Email", False),
    ChannelType("baidu_search_ads", "Baidu ads", True),
    ChannelType("offline_events", "Offline", True),
    ChannelType("douban", "Douban", False),
)
PRESENCE = {
    "wechat_official": 80,
    "zhihu": 55,
    "weibo": 30,
    "email": 20,
    "baidu_search_ads": 60,
    "douban": 10,
}


def ask(**fields):
    fields.setdefault("channel_types", TYPES)
    fields.setdefault("presence", PRESENCE)
    fields.setdefault("monthly_budget", Decimal(10000))
    fields.setdefault("monthly_hours", Decimal(80))
    return recommend(Request(**fields))


def codes(recommendation):
    return [choice.code for choice in recommendation.chosen]


def test_channels_are_chosen_by_presence_within_the_resources_five_at_most():
    result = ask()
    # Needs: wechat 16 h, baidu 8 h + 3,000, zhihu 15 h, weibo 20 h, email 8 h = 67 h of 80.
    assert codes(result) == ["wechat_official", "baidu_search_ads", "zhihu", "weibo", "email"]
    left = {code: why for code, _name, why in result.left_out}
    assert set(left) == {"offline_events", "douban"}
    assert "does not spend time" in left["offline_events"]
    assert "Five channels" in left["douban"]
    assert result.warnings == []
    # What is left over the minimums is shared out: the budget over paid channels, hours by score.
    baidu = result.chosen[1]
    assert baidu.budget == Decimal(10000)
    assert sum(choice.hours for choice in result.chosen) <= Decimal(80)
    assert sum(choice.hours for choice in result.chosen) > Decimal("79.5")


def test_a_small_team_gets_fewer_channels_and_a_warning_naming_the_hours_three_need():
    result = ask(monthly_budget=Decimal(0), monthly_hours=Decimal(30))
    assert codes(result) == ["wechat_official", "email"]  # 16 h + 8 h; zhihu's 15 h no longer fit
    left = {code: why for code, _name, why in result.left_out}
    assert "budget left" in left["baidu_search_ads"]
    assert "people-hours" in left["zhihu"]
    assert any("support only 2 channel(s)" in warning for warning in result.warnings)


def test_measured_history_moves_the_ranking_only_with_enough_promotions():
    good = History((Decimal(1000), Decimal(1000)), (Decimal(5000), Decimal(4000)))  # ROI 350 %
    poor = History((Decimal(1000), Decimal(1000)), (Decimal(500), Decimal(700)))  # ROI -40 %
    single = History((Decimal(1000),), (Decimal(9000),))
    result = ask(history={"zhihu": good, "wechat_official": poor, "weibo": single})
    assert codes(result)[0] == "zhihu"
    zhihu = result.chosen[0]
    assert zhihu.roi == pytest.approx(3.5)
    assert zhihu.roi_error == pytest.approx(0.5)  # per-promotion ROIs 4.0 and 3.0
    assert any("Measured ROI 350%" in reason for reason in zhihu.reasons)
    weibo = next(choice for choice in result.chosen if choice.code == "weibo")
    assert any("too thin" in reason for reason in weibo.reasons)


def test_a_thin_margin_holds_paid_channels_back():
    plain = ask()
    thin = ask(margin_percent=Decimal(8))
    assert codes(plain).index("baidu_search_ads") < codes(thin).index("baidu_search_ads")
    baidu = next(choice for choice in thin.chosen if choice.code == "baidu_search_ads")
    assert any("8% margin" in reason for reason in baidu.reasons)


def test_an_audience_known_on_two_channels_is_a_warning_and_other_currencies_skip_budget_minimums():
    result = ask(presence={"zhihu": 50, "baidu_search_ads": 40}, currency="USD", monthly_budget=Decimal(100))
    assert codes(result) == ["zhihu", "baidu_search_ads"]
    assert len(result.warnings) == 2  # CNY-only minimums, and only two channels named


def test_spread_warnings_name_channels_starved_of_hours_or_budget():
    warnings = planner.spread_warnings(
        [("weibo", f"微博 {n}", Decimal(0), Decimal(4)) for n in range(6)]
        + [("baidu_search_ads", "百度", Decimal(500), Decimal(10))]
    )
    assert "7 channels" in warnings[0]
    assert sum("微博" in warning and "4" in warning for warning in warnings) == 6
    assert any("百度" in warning and "CNY 500" in warning for warning in warnings)
    assert planner.spread_warnings([("email", "邮件", Decimal(0), Decimal(10))]) == []


@pytest.mark.django_db
def test_the_workspace_planner_reads_history_through_the_kpi_registry_and_starts_a_plan(team_a, monkeypatch):
    owner = team_a.owner
    audience = positioning.create_audience(owner, name="白领茶客", channel_presence=PRESENCE)
    product = positioning.create_product(owner, name="明前龙井", margin_percent=Decimal(45))
    zhihu = make_channel(owner, name="知乎号", channel_type="zhihu", monthly_budget=Decimal(0))
    weibo = make_channel(owner, name="微博号", channel_type="weibo", monthly_budget=Decimal(0))
    past = [
        make_plan(owner, name=f"往期 {n}", channels=[{"channel_account_id": zhihu.pk, "budget": "300"},
                                                    {"channel_account_id": weibo.pk, "budget": "100"}])
        for n in range(2)
    ]  # fmt: skip
    actual = {("cost", past[0].pk): 400, ("revenue", past[0].pk): 2000, ("cost", past[1].pk): 800}
    for name in ("cost", "revenue"):
        kpi = kpis.get_kpi(name)
        compute = lambda plan, start, end, name=name: actual.get((name, plan.pk))  # noqa: E731
        monkeypatch.setitem(kpis._REGISTRY, name, kpis.Kpi(name, kpi.label, kpi.unit, compute))
    history = services.channel_history(team_a.workspace, today=datetime.date(2027, 1, 1))
    assert history["zhihu"].costs == (Decimal(300), Decimal(600))
    assert history["zhihu"].revenues == (Decimal(1500), Decimal(0))
    assert history["weibo"].costs == (Decimal(100), Decimal(200))

    result = services.recommend_channels(
        team_a.workspace, audience_id=audience.pk, product_id=product.pk, monthly_budget="8000",
        monthly_hours="70", today=datetime.date(2027, 1, 1),
    )  # fmt: skip
    assert len(result.chosen) == 5 and result.chosen[0].code == "wechat_official"
    plan = services.plan_from_recommendation(
        owner, result, name="新品推广", objective="试试规划器", starts_on=datetime.date(2027, 2, 1),
        ends_on=datetime.date(2027, 3, 2),
    )  # fmt: skip
    rows = PlanChannel.unscoped.filter(plan=plan).select_related("channel_account__channel_type")
    assert {row.channel_account.channel_type.code for row in rows} == set(codes(result))
    assert (
        next(row for row in rows if row.channel_account.channel_type.code == "zhihu").channel_account == zhihu
    )
    assert services.plan_spread_warnings(team_a.workspace, plan.pk) != []  # the zhihu account has 0 hours


@pytest.mark.django_db
def test_bad_planner_input_is_a_validation_error_and_foreign_audiences_are_not_found(team_a, team_b):
    audience = positioning.create_audience(team_a.owner, name="学生", channel_presence={"zhihu": 60})
    with pytest.raises(ValidationFailed):
        services.recommend_channels(team_a.workspace, audience_id=audience.pk, monthly_hours="-3")
    with pytest.raises(ValidationFailed):
        services.recommend_channels(team_a.workspace, audience_id=audience.pk, monthly_budget="lots")
    with pytest.raises(NotFound):
        services.recommend_channels(team_b.workspace, audience_id=audience.pk)
