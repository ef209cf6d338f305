"""Promotion evaluation: each KPI's expected against actual value, and the money of a promotion
and of each of its channels; channel performance over any period.

Actual values of a promotion come only from the KPI registry (``core.kpis.actual_value``). The
channel breakdown reads costs from this app and traffic from the event store by each channel's
link UTM values (``traffic.py``), since the registry has no channel dimension. Money is in the
workspace currency. A ratio with a zero or unknown divisor is None, shown as "n/a".

Status of a KPI (``status_of``): ``unmeasured`` without an actual value; for a KPI where higher
is better ``met`` at or above the target, ``near`` from 80 % of it, else ``missed``; where lower
is better (cost) ``met`` at or below the target, ``near`` up to 120 % of it, else ``missed``.
"""

import datetime
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum

from netmark.core.kpis import actual_value, get_kpi
from netmark.core.scoping import scoped
from netmark.planning.models import ChannelAccount, KpiTarget, Plan, PlanChannel
from netmark.roi import traffic
from netmark.roi.costs import total_by
from netmark.roi.kpis import divide
from netmark.roi.models import Cost
from netmark.roi.rates import Converter

NEAR_LOW, NEAR_HIGH = Decimal("80"), Decimal("120")


def period_of(workspace, first: datetime.date, last: datetime.date):
    """Local days [first, last] as the [start, end) instants the registry takes."""
    zone = zoneinfo.ZoneInfo(workspace.time_zone or "UTC")
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
    return start, end


def status_of(expected: Decimal, actual, higher_is_better: bool) -> str:
    if actual is None:
        return "unmeasured"
    actual = Decimal(actual)
    if higher_is_better:
        if actual >= expected:
            return "met"
        return "near" if expected and actual * 100 / expected >= NEAR_LOW else "missed"
    if actual <= expected:
        return "met"
    return "near" if expected and actual * 100 / expected <= NEAR_HIGH else "missed"


def percent(actual, expected) -> Decimal | None:
    if actual is None or not expected:
        return None
    return (Decimal(actual) * 100 / Decimal(expected)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _expected(plan: Plan, kpi, value: Decimal, converter: Converter) -> Decimal:
    """A money target in the plan's currency, converted to the workspace's at the plan's start;
    money to cents, other targets without trailing zeros (``10.0000`` -> ``10``)."""
    if kpi is not None and kpi.unit == "money":
        if plan.currency != plan.workspace.currency:
            value = converter.convert(value, plan.currency, plan.starts_on) or value
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def kpi_rows(plan: Plan, start, end, converter: Converter) -> list[dict]:
    rows = []
    for target in scoped(KpiTarget, plan.workspace).filter(plan=plan):
        kpi = get_kpi(target.kpi)
        expected = _expected(plan, kpi, target.target, converter)
        actual = actual_value(target.kpi, plan, start, end)
        better = kpi.higher_is_better if kpi else True
        rows.append(
            {
                "kpi": target.kpi,
                "label": str(kpi.label) if kpi else target.kpi,
                "unit": kpi.unit if kpi else "count",
                "expected": expected,
                "actual": None if actual is None else Decimal(str(actual)),
                "difference": None if actual is None else Decimal(str(actual)) - expected,
                "percent": percent(actual, expected),
                "status": status_of(expected, actual, better),
                "higher_is_better": better,
            }
        )
    return rows


def money_of(plan: Plan, start, end) -> dict:
    values = {
        name: actual_value(name, plan, start, end) for name in ("cost", "revenue", "conversions", "leads")
    }
    cost, revenue = values["cost"], values["revenue"]
    revenue = None if revenue is None else Decimal(str(revenue))
    profit = None if cost is None or revenue is None else revenue - cost
    return {
        "cost": cost,
        "revenue": revenue,
        "profit": profit,
        "roi": divide(profit, cost),
        "roas": divide(revenue, cost),
        "conversions": values["conversions"],
        "cpa": divide(cost, values["conversions"]),
        "leads": values["leads"],
        "cost_per_lead": divide(cost, values["leads"]),
    }


def _channel_rows(workspace, costs, first, last, triples, converter, accounts) -> list[dict]:
    money = total_by(workspace, costs, "channel_account_id", converter)
    people = total_by(workspace, costs.filter(kind=Cost.Kind.PEOPLE_TIME), "channel_account_id", converter)
    counts = {
        row["channel_account_id"]: row
        for row in costs.values("channel_account_id")
        .annotate(
            hours=Sum("hours"),
            clicks=Sum("clicks"),
            ad_conversions=Sum("conversions"),
            orders=Count("order_id", distinct=True),
            sales=Sum("order_amount"),
        )
        .order_by()
    }
    rows = []
    for account_id in sorted(
        set(money) | set(accounts) | set(triples), key=lambda pk: (pk is None, accounts.get(pk, ""), pk or 0)
    ):
        found = traffic.traffic_for(workspace, triples.get(account_id, set()), first, last)
        spend = money.get(account_id, Decimal("0.00"))
        count = counts.get(account_id, {})
        rows.append(
            {
                "channel_account_id": account_id,
                "name": accounts.get(account_id, ""),
                "cost": spend,
                "people_cost": people.get(account_id, Decimal("0.00")),
                "people_hours": Decimal(str(count.get("hours") or 0)).quantize(Decimal("0.01")),
                "ad_clicks": count.get("clicks") or 0,
                "ad_conversions": Decimal(str(count.get("ad_conversions") or 0)).quantize(Decimal("0.01")),
                "visits": found.visits,
                "conversions": found.conversions,
                "revenue": found.revenue,
                "roi": divide(None if spend is None else found.revenue - spend, spend),
                "roas": divide(found.revenue, spend),
                "cpa": divide(spend, found.conversions),
            }
        )
    return rows


def evaluate_plan(
    plan: Plan, *, first: datetime.date | None = None, last: datetime.date | None = None
) -> dict:
    """The whole evaluation of ``plan`` over its days (or [first, last]); see the module doc."""
    workspace = plan.workspace
    first, last = first or plan.starts_on, last or plan.ends_on
    start, end = period_of(workspace, first, last)
    converter = Converter(workspace)
    costs = scoped(Cost, workspace).filter(plan_id=plan.pk, spent_on__gte=first, spent_on__lte=last)
    plan_accounts = (
        scoped(PlanChannel, workspace)
        .filter(plan=plan)
        .values_list("channel_account_id", "channel_account__name")
    )
    accounts = dict(plan_accounts)
    accounts.update(
        dict(
            scoped(ChannelAccount, workspace)
            .filter(pk__in=costs.values("channel_account_id"))
            .values_list("pk", "name")
        )
    )
    triples = traffic.link_triples(workspace, plan_id=plan.pk)
    result = {
        "plan": {"id": plan.pk, "name": plan.name, "status": plan.status, "owner_id": plan.owner_id},
        "currency": workspace.currency,
        "first_day": first,
        "last_day": last,
        "kpis": kpi_rows(plan, start, end, converter),
        "money": money_of(plan, start, end),
        "channels": _channel_rows(workspace, costs, first, last, triples, converter, accounts),
    }
    result["missing_rates"] = converter.missing_list()
    return result


def channel_performance(workspace, first: datetime.date, last: datetime.date) -> dict:
    """Every channel account's cost, traffic, ROI and CPA over [first, last]; costs without a
    channel are one row with ``channel_account_id`` None. Paid and free channels alike: a free
    channel's cost is the people time booked on it."""
    converter = Converter(workspace)
    costs = scoped(Cost, workspace).filter(spent_on__gte=first, spent_on__lte=last)
    accounts = dict(scoped(ChannelAccount, workspace).values_list("pk", "name"))
    triples = traffic.link_triples(workspace)
    rows = _channel_rows(workspace, costs, first, last, triples, converter, accounts)
    return {
        "currency": workspace.currency,
        "first_day": first,
        "last_day": last,
        "channels": rows,
        "missing_rates": converter.missing_list(),
    }
