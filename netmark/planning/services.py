"""Planning services: channel catalogue and accounts, promotion plans, schedules, calendar."""

from decimal import Decimal

from django.db.models import Sum

from netmark.planning.models import ChannelType, PlanChannel


def channel_type_codes() -> set[str]:
    return set(ChannelType.objects.values_list("code", flat=True))


def plan_budget_total(plan) -> Decimal:
    total = PlanChannel.unscoped.filter(workspace_id=plan.workspace_id, plan=plan).aggregate(s=Sum("budget"))[
        "s"
    ]
    return total or Decimal("0")
