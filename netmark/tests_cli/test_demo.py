"""The demo workspace: every role, positioning, channels and plans in every status; idempotent."""

import re
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import authenticate

from netmark.core.models import AuditEntry, Member
from netmark.core.scoping import scoped
from netmark.demo import create_demo
from netmark.planning.models import ChannelAccount, Occurrence, Plan
from netmark.positioning.models import Audience, Message, Product


def test_demo_has_a_member_per_role_with_working_printed_passwords(db):
    workspace, passwords = create_demo()
    assert (workspace.slug, workspace.name) == ("yunling-tea", "云岭茶业 Yunling Tea")
    roles = dict(scoped(Member, workspace).values_list("user__email", "role"))
    assert roles == {
        "owner@yunling-tea.example": "owner",
        "planner@yunling-tea.example": "planner",
        "implementer@yunling-tea.example": "implementer",
        "viewer@yunling-tea.example": "viewer",
    }
    assert set(passwords) == set(roles)
    assert len(set(passwords.values())) == 4
    for email, password in passwords.items():
        assert authenticate(username=email, password=password).email == email


def test_demo_holds_positioning_channels_and_plans_in_every_status(db):
    workspace, _passwords = create_demo()
    assert scoped(Product, workspace).count() == 3
    assert scoped(Audience, workspace).count() == 3
    assert scoped(Message, workspace).count() == 4
    assert scoped(ChannelAccount, workspace).count() == 5
    plans = scoped(Plan, workspace)
    assert sorted(plans.values_list("status", flat=True)) == [
        "done",
        "draft",
        "evaluating",
        "planned",
        "running",
    ]
    weekly = plans.get(recurrence="FREQ=WEEKLY;BYDAY=TH")
    days = [
        weekly.starts_on + timedelta(days=offset)
        for offset in range((weekly.ends_on - weekly.starts_on).days + 1)
    ]
    thursdays = [day for day in days if day.weekday() == 3]
    occurrences = scoped(Occurrence, workspace).filter(plan=weekly)
    assert list(occurrences.values_list("starts_on", flat=True)) == thursdays
    for plan in plans:
        assert plan.targets.count() >= 2
        assert plan.channels.count() >= 2
        assert re.search(r"[\u4e00-\u9fff]", plan.name) and re.search(r"[A-Za-z]", plan.name)


def test_demo_is_built_through_audited_services(db):
    workspace, _passwords = create_demo()
    actions = set(scoped(AuditEntry, workspace).values_list("action", flat=True))
    assert {"workspace.created", "member.added", "product.created", "plan.created"} <= actions


def test_second_demo_call_changes_nothing_and_prints_no_passwords(db):
    workspace, _passwords = create_demo()
    entries = scoped(AuditEntry, workspace).count()
    again, passwords = create_demo()
    assert (again, passwords) == (workspace, {})
    assert scoped(AuditEntry, workspace).count() == entries
    assert scoped(Plan, workspace).count() == 5


def test_demo_website_has_two_months_of_traffic_through_the_real_pipeline(db):
    from datetime import date

    from netmark.analytics import reports
    from netmark.analytics.models import Site

    workspace, _passwords = create_demo()
    site = scoped(Site, workspace).get()
    assert site.domain == "yunling-tea.example"
    period = reports.period_or_default(None, None, site)
    current = reports.summary(site, period)["current"]
    assert current["visits"] > 500
    assert 0.2 < current["bounce_rate"] < 0.6
    assert current["revenue_micros"] > 0
    channels = {row["value"] for row in reports.breakdown(site, period, "channel")}
    assert {"direct", "search", "social"} <= channels
    assert reports.realtime(site) == 0  # nothing in the last ten minutes: no fake "live" visitors
    assert period.end <= date.today() + timedelta(days=1)


def test_demo_promotions_that_ran_have_costs_so_their_roi_is_a_number(db):
    from netmark.roi import services as roi

    workspace, _passwords = create_demo()
    summer = scoped(Plan, workspace).get(utm_campaign="summer-cold-brew")
    money = roi.evaluate_plan(summer)["money"]
    # 90% of the Weibo (3,000) and email (300) budgets; the WeChat account costs nothing.
    assert money["cost"] == Decimal("2970.00")
    assert money["roi"] is not None
    # The demo website's campaigns are the promotions' own UTM campaigns: their visits count.
    visits = next(row for row in roi.evaluate_plan(summer)["kpis"] if row["kpi"] == "visits")
    assert visits["actual"] > 0
    planned = scoped(Plan, workspace).get(utm_campaign="double11-warmup")
    assert roi.evaluate_plan(planned)["money"]["cost"] == 0
