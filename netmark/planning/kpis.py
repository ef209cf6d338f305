"""KPIs the planning app can compute itself: the plan's budget (planned cost)."""

from django.utils.translation import gettext_lazy as _

from netmark.core.kpis import Kpi, register_kpi


def _planned_budget(plan, start, end):
    from netmark.planning.services import plan_budget_total

    return plan_budget_total(plan)


def register() -> None:
    register_kpi(
        Kpi(
            "budget",
            _("Budget"),
            "money",
            _planned_budget,
            higher_is_better=False,
            description=_("Sum of the plan's channel budgets."),
        )
    )
    register_kpi(
        Kpi(
            "planned_cost",
            _("Planned cost"),
            "money",
            _planned_budget,
            higher_is_better=False,
            description=_("What the plan expects to spend."),
        )
    )
    # Registered without a computation yet: later capabilities (analytics, contacts, roi) attach theirs.
    for name, label, unit, better in [
        ("visits", _("Visits"), "count", True),
        ("unique_visitors", _("Unique visitors"), "count", True),
        ("leads", _("Leads"), "count", True),
        ("orders", _("Orders"), "count", True),
        ("revenue", _("Revenue"), "money", True),
        ("cost", _("Cost"), "money", False),
        ("cost_per_lead", _("Cost per lead"), "money_per_unit", False),
        ("roi", _("ROI"), "ratio", True),
        ("email_clicks", _("Email clicks"), "count", True),
        ("mentions", _("Mentions"), "count", True),
    ]:
        register_kpi(Kpi(name, label, unit, None, higher_is_better=better))
