"""KPIs the roi app measures from its own cost lines, and the ratios built on other KPIs.

Registered from ``RoiConfig.ready``. Every money value is in the workspace currency; a cost with a
missing currency rate makes the money KPI unknown (None, shown as "n/a"), never a guess. Ratios
read their inputs through the registry too, so they follow whichever app measures revenue, leads
or conversions; a zero or unknown denominator gives None.
"""

import datetime
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from netmark.core.kpis import Kpi, actual_value, register_kpi
from netmark.core.scoping import scoped

RATIO_PLACES = Decimal("0.0001")


def local_days(plan, start, end) -> tuple[datetime.date | None, datetime.date | None]:
    """[start, end) instants as the first and last local day (inclusive) in the workspace zone."""
    zone = zoneinfo.ZoneInfo(plan.workspace.time_zone or "UTC")
    first = start.astimezone(zone).date() if start else None
    last = (end.astimezone(zone) - datetime.timedelta(microseconds=1)).date() if end else None
    return first, last


def plan_costs(plan, start=None, end=None, *, kinds=None):
    from netmark.roi.models import Cost

    costs = scoped(Cost, plan.workspace).filter(plan_id=plan.pk)
    first, last = local_days(plan, start, end)
    if first:
        costs = costs.filter(spent_on__gte=first)
    if last:
        costs = costs.filter(spent_on__lte=last)
    return costs.filter(kind__in=kinds) if kinds else costs


def _money(kinds=None):
    def compute(plan, start, end):
        from netmark.roi.costs import total

        return total(plan.workspace, plan_costs(plan, start, end, kinds=kinds)).amount

    return compute


def _sum(field: str, kinds=None):
    def compute(plan, start, end):
        value = plan_costs(plan, start, end, kinds=kinds).aggregate(total=Sum(field))["total"]
        if value is None:
            return 0
        return Decimal(str(value)).quantize(Decimal("0.01")) if field in {"conversions", "hours"} else value

    return compute


def divide(numerator, denominator) -> Decimal | None:
    """numerator / denominator to 4 decimals, or None when either is unknown or the divisor is 0."""
    if numerator is None or denominator is None or Decimal(denominator) == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


def _ratio(numerator: str, denominator: str, *, net: bool = False):
    """numerator / denominator through the registry; ``net`` divides (numerator - denominator)."""

    def compute(plan, start, end):
        top = actual_value(numerator, plan, start, end)
        bottom = actual_value(denominator, plan, start, end)
        if net and top is not None and bottom is not None:
            top = Decimal(top) - Decimal(bottom)
        return divide(top, bottom)

    return compute


def _cpa(plan, start, end):
    return divide(actual_value("cost", plan, start, end), actual_value("conversions", plan, start, end))


def register() -> None:
    from netmark.roi.models import Cost

    kind = Cost.Kind
    money = [
        ("cost", _("Cost"), None, _("Every cost of the promotion in the workspace currency.")),
        ("ad_spend", _("Ad spend"), [kind.AD_SPEND], _("Imported ad platform spend.")),
        (
            "affiliate_commission",
            _("Affiliate commission"),
            [kind.AFFILIATE],
            _("Commissions on affiliate orders."),
        ),
        ("people_cost", _("People cost"), [kind.PEOPLE_TIME], _("Hours x hourly rate.")),
    ]
    for name, label, kinds, description in money:
        register_kpi(
            Kpi(name, label, "money", _money(kinds), higher_is_better=False, description=description)
        )
    counts = [
        ("ad_impressions", _("Ad impressions"), "impressions", True),
        ("ad_clicks", _("Ad clicks"), "clicks", True),
        ("ad_conversions", _("Conversions reported by ad platforms"), "conversions", True),
        ("people_hours", _("People hours"), "hours", False),
    ]
    for name, label, column, better in counts:
        register_kpi(Kpi(name, label, "count", _sum(column), higher_is_better=better))
    register_kpi(
        Kpi("affiliate_sales", _("Affiliate sales"), "money", _sum("order_amount", [kind.AFFILIATE]))
    )
    ratios = [
        (
            "roi",
            _("ROI"),
            "ratio",
            _ratio("revenue", "cost", net=True),
            True,
            _("(revenue - cost) / cost"),
        ),
        ("roas", _("ROAS (投入产出比)"), "ratio", _ratio("revenue", "cost"), True, _("revenue / cost")),
        ("cpa", _("Cost per acquisition"), "money_per_unit", _cpa, False, _("cost / conversions")),
        (
            "cost_per_lead",
            _("Cost per lead"),
            "money_per_unit",
            _ratio("cost", "leads"),
            False,
            _("cost / leads"),
        ),
    ]
    for name, label, unit, compute, better, description in ratios:
        register_kpi(Kpi(name, label, unit, compute, higher_is_better=better, description=description))
