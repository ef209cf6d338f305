"""Costs in two currencies, ROI / ROAS / CPA and KPIs against their targets, on constructed data."""

import datetime
from datetime import UTC
from decimal import Decimal

import pytest

from netmark.analytics.stores import get_store
from netmark.analytics.stores.base import CUSTOM
from netmark.analytics.tests.helpers import event, make_site
from netmark.core.errors import ValidationFailed
from netmark.core.kpis import actual_value
from netmark.roi import services
from netmark.roi.evaluation import period_of, status_of

pytestmark = pytest.mark.django_db
T0 = int(datetime.datetime(2026, 10, 15, 2, 0, tzinfo=UTC).timestamp() * 1000)  # 10:00 in Shanghai


def day(n: int) -> datetime.date:
    return datetime.date(2026, 10, n)


@pytest.fixture
def costs(team_a, presale, weibo):
    owner = team_a.owner
    services.create_rate(owner, currency="USD", rate="7.1", effective_on=day(1))
    services.create_rate(owner, currency="USD", rate="7.2", effective_on=day(14))
    services.create_cost(
        owner, kind="agency", spent_on=day(13), amount="1000", plan_id=presale.pk, description="代理费"
    )
    services.create_cost(
        owner, kind="content", spent_on=day(14), amount="200", currency="USD", plan_id=presale.pk
    )
    services.create_cost(
        owner, kind="people_time", spent_on=day(15), hours="10.5", hourly_rate="120", role="运营 editor",
        plan_id=presale.pk, channel_account_id=weibo.pk,
    )  # fmt: skip
    # Outside the promotion's days, and another promotion's: neither counts.
    services.create_cost(owner, kind="agency", spent_on=day(26), amount="999", plan_id=presale.pk)


@pytest.fixture
def traffic(team_a, presale):
    site = make_site(team_a.workspace)
    weibo_utm = {"utm_source": "weibo", "utm_medium": "social", "utm_campaign": "d11-presale"}
    baidu_utm = {"utm_source": "baidu", "utm_medium": "cpc", "utm_campaign": "d11-presale"}
    store = get_store()
    store.append(
        [
            event(site, T0, 1, path="/", **weibo_utm),
            event(site, T0 + 60_000, 1, kind=CUSTOM, name="Purchase", revenue_micros=5_000_000_000),
            event(site, T0, 2, path="/", **baidu_utm),
            event(site, T0 + 60_000, 2, kind=CUSTOM, name="Purchase", revenue_micros=4_250_000_000),
            event(site, T0, 3, path="/", **weibo_utm),
            event(site, T0, 4, path="/", **weibo_utm),
        ]
    )
    store.process_all()


def test_people_time_is_hours_times_rate(team_a, presale):
    cost = services.create_cost(
        team_a.owner, kind="people_time", spent_on=day(15), hours="2.5", hourly_rate="88.8", role="设计"
    )
    assert cost.amount == Decimal("222.00")


def test_people_time_needs_a_role_and_a_rate(team_a):
    with pytest.raises(ValidationFailed) as error:
        services.create_cost(team_a.owner, kind="people_time", spent_on=day(15), hours="2", role="设计")
    assert set(error.value.fields) == {"hourly_rate"}


def test_a_rate_applies_from_its_date_until_the_next(team_a):
    owner = team_a.owner
    services.create_rate(owner, currency="USD", rate="7.1", effective_on=day(1))
    services.create_rate(owner, currency="USD", rate="7.2", effective_on=day(14))
    converter = services.Converter(team_a.workspace)
    assert converter.convert(Decimal("100"), "USD", day(13)) == Decimal("710.00")
    assert converter.convert(Decimal("100"), "USD", day(14)) == Decimal("720.00")
    assert converter.convert(Decimal("100"), "CNY", day(14)) == Decimal("100.00")
    assert converter.convert(Decimal("100"), "USD", datetime.date(2026, 9, 30)) is None
    assert converter.missing_list() == [{"currency": "USD", "date": "2026-09-30"}]


def test_the_cost_kpi_sums_both_currencies_in_the_workspace_currency(presale, costs):
    start, end = period_of(presale.workspace, day(12), day(25))
    assert actual_value("cost", presale, start, end) == Decimal("3700.00")  # 1000 + 200 x 7.2 + 10.5 x 120
    assert actual_value("people_cost", presale, start, end) == Decimal("1260.00")
    assert actual_value("people_hours", presale, start, end) == Decimal("10.50")


def test_evaluation_of_a_promotion_with_exact_numbers(presale, costs, traffic):
    result = services.evaluate_plan(presale)
    money = result["money"]
    assert money["cost"] == Decimal("3700.00")
    assert money["revenue"] == Decimal("9250.00")
    assert money["profit"] == Decimal("5550.00")
    assert money["roi"] == Decimal("1.5000")
    assert money["roas"] == Decimal("2.5000")
    assert money["conversions"] == 2
    assert money["cpa"] == Decimal("1850.0000")
    # contacts counts the promotion's leads: none yet, so no cost per lead (n/a, not a division by zero)
    assert money["leads"] == 0 and money["cost_per_lead"] is None
    kpis = {row["kpi"]: row for row in result["kpis"]}
    assert (kpis["cost"]["difference"], kpis["cost"]["percent"], kpis["cost"]["status"]) == (
        Decimal("-300.00"),
        Decimal("92.5"),
        "met",
    )
    assert (kpis["revenue"]["percent"], kpis["revenue"]["status"]) == (Decimal("92.5"), "near")
    assert (kpis["visits"]["actual"], kpis["visits"]["percent"], kpis["visits"]["status"]) == (
        4,
        Decimal("40.0"),
        "missed",
    )
    # Leads are measured by contacts: none of the target came in.
    assert (kpis["leads"]["actual"], kpis["leads"]["percent"], kpis["leads"]["status"]) == (
        0,
        Decimal("0.0"),
        "missed",
    )
    assert result["missing_rates"] == []


def test_each_channel_inside_the_promotion(presale, costs, traffic, weibo, baidu):
    channels = {row["channel_account_id"]: row for row in services.evaluate_plan(presale)["channels"]}
    assert set(channels) == {weibo.pk, baidu.pk, None}
    free = channels[weibo.pk]
    assert (free["cost"], free["people_cost"], free["visits"], free["conversions"], free["revenue"]) == (
        Decimal("1260.00"), Decimal("1260.00"), 3, 1, Decimal("5000.00"),
    )  # fmt: skip
    assert (free["roi"], free["roas"], free["cpa"]) == (
        Decimal("2.9683"),
        Decimal("3.9683"),
        Decimal("1260.0000"),
    )
    paid = channels[baidu.pk]
    assert (paid["cost"], paid["visits"], paid["revenue"], paid["roi"], paid["cpa"]) == (
        Decimal("0.00"), 1, Decimal("4250.00"), None, Decimal("0.0000"),
    )  # fmt: skip
    assert channels[None]["cost"] == Decimal("2440.00")


def test_a_missing_rate_makes_the_cost_unknown_not_wrong(team_a, presale, costs, traffic):
    services.create_cost(
        team_a.owner, kind="other", spent_on=day(20), amount="10", currency="EUR", plan_id=presale.pk
    )
    result = services.evaluate_plan(presale)
    assert result["money"]["cost"] is None
    assert result["money"]["roi"] is None and result["money"]["roas"] is None
    assert {"currency": "EUR", "date": "2026-10-20"} in result["missing_rates"]


def test_no_cost_gives_n_a_ratios_and_no_error(presale):
    money = services.evaluate_plan(presale)["money"]
    assert money["cost"] == Decimal("0.00")
    assert (money["roi"], money["roas"], money["cpa"]) == (None, None, None)


def test_channel_performance_over_a_period(team_a, presale, costs, traffic, weibo, baidu):
    report = services.channel_performance(team_a.workspace, day(14), day(31))
    rows = {row["channel_account_id"]: row for row in report["channels"]}
    assert rows[weibo.pk]["cost"] == Decimal("1260.00") and rows[weibo.pk]["visits"] == 3
    assert rows[None]["cost"] == Decimal("2439.00")  # 200 x 7.2 + the 999 of day 26; day 13's 1000 is outside


@pytest.mark.parametrize(
    ("expected", "actual", "higher", "status"),
    [
        ("100", 100, True, "met"), ("100", "80", True, "near"), ("100", "79.99", True, "missed"),
        ("100", "100", False, "met"), ("100", "120", False, "near"), ("100", "120.01", False, "missed"),
        ("0", 0, True, "met"), ("0", 5, False, "missed"), ("100", None, True, "unmeasured"),
    ],
)  # fmt: skip
def test_status_rules(expected, actual, higher, status):
    assert status_of(Decimal(expected), actual, higher) == status


def test_the_ratio_kpis_in_the_registry_match_the_evaluation(presale, costs, traffic):
    start, end = period_of(presale.workspace, day(12), day(25))
    ratios = {
        name: actual_value(name, presale, start, end) for name in ("roi", "roas", "cpa", "cost_per_lead")
    }
    assert ratios == {
        "roi": Decimal("1.5000"),
        "roas": Decimal("2.5000"),
        "cpa": Decimal("1850.0000"),
        "cost_per_lead": None,
    }
