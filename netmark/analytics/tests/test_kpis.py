"""A promotion's website KPIs come from the visits that carry its UTM campaign."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from netmark.analytics.kpis import plan_campaign
from netmark.analytics.stores import get_store
from netmark.analytics.stores.base import CUSTOM
from netmark.analytics.tests.helpers import event, make_site
from netmark.core.kpis import get_kpi
from netmark.planning.models import Plan

pytestmark = pytest.mark.django_db
T0 = int(datetime(2026, 3, 3, 2, 0, tzinfo=UTC).timestamp() * 1000)


@pytest.fixture
def plan(team_a):
    return Plan.unscoped.create(
        workspace=team_a.workspace,
        name="Spring tea",
        objective="Sell spring tea",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 31),
        utm_campaign="spring-tea",
    )


def test_campaign_defaults_to_a_slug_of_the_plan_name(plan):
    assert plan_campaign(plan) == "spring-tea"
    plan.utm_campaign = ""
    plan.name = "Double 11 presale"
    assert plan_campaign(plan) == "double-11-presale"


def test_visits_visitors_conversions_and_revenue_of_the_campaign(team_a, plan):
    site = make_site(team_a.workspace)
    other_site = make_site(team_a.workspace, domain="blog.example.com")
    store = get_store()
    store.append(
        [
            event(site, T0, 1, path="/", utm_campaign="spring-tea"),
            event(site, T0 + 60_000, 1, kind=CUSTOM, name="Purchase", revenue_micros=128_500_000),
            event(site, T0, 2, path="/", utm_campaign="spring-tea"),
            event(other_site, T0, 3, path="/", utm_campaign="spring-tea"),
            event(site, T0, 4, path="/", utm_campaign="autumn"),
        ]
    )
    store.process_all()
    compute = {
        name: get_kpi(name).compute for name in ("visits", "unique_visitors", "conversions", "revenue")
    }
    assert compute["visits"](plan, None, None) == 3
    assert compute["unique_visitors"](plan, None, None) == 3
    assert compute["conversions"](plan, None, None) == 1
    assert compute["revenue"](plan, None, None) == Decimal("128.50")


def test_another_workspaces_visits_never_count(team_a, team_b, plan):
    foreign = make_site(team_b.workspace, domain="foreign.example.com")
    get_store().append([event(foreign, T0, 1, path="/", utm_campaign="spring-tea")])
    get_store().process_all()
    assert get_kpi("visits").compute(plan, None, None) == 0
