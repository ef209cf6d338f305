"""The channel planner's inputs and outputs in the workspace: history from past promotions, the
recommendation for an audience and product, and a draft plan started from it.

History reads KPIs only through the registry (ARCHITECTURE.md, "One flow"): for each ended
promotion, its actual ``cost`` and ``revenue``, shared among its channels by their budgets (equally
when none has a budget). A promotion whose cost is unknown (nothing imported or entered) adds no
history. Re-exported by ``netmark.planning.services``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from netmark.core.errors import ValidationFailed
from netmark.core.kpis import actual_value
from netmark.core.money import parse_amount
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped
from netmark.planning import planner
from netmark.planning.channels import create_channel_account, list_channel_accounts, list_channel_types
from netmark.planning.models import ChannelType, Plan, PlanChannel
from netmark.positioning.models import Audience, Product

MAX_HOURS = Decimal("99999.9")
MAX_HISTORY_PLANS = 200


def channel_history(workspace, today: datetime.date | None = None) -> dict[str, planner.History]:
    """Per channel type code: the cost and revenue of each ended promotion that used it."""
    today = today or timezone.localdate()
    plans = scoped(Plan, workspace).filter(ends_on__lt=today).order_by("-ends_on")[:MAX_HISTORY_PLANS]
    costs: dict[str, list[Decimal]] = defaultdict(list)
    revenues: dict[str, list[Decimal]] = defaultdict(list)
    channels_of = defaultdict(list)
    for row in (
        scoped(PlanChannel, workspace).filter(plan__in=plans).select_related("channel_account__channel_type")
    ):
        channels_of[row.plan_id].append((row.channel_account.channel_type.code, row.budget))
    for plan in plans:
        channels = channels_of.get(plan.pk)
        cost = actual_value("cost", plan)
        if not channels or cost is None:
            continue
        revenue = Decimal(str(actual_value("revenue", plan) or 0))
        cost = Decimal(str(cost))
        total_budget = sum((budget for _code, budget in channels), Decimal(0))
        for code, budget in channels:
            share = budget / total_budget if total_budget > 0 else Decimal(1) / len(channels)
            costs[code].append(cost * share)
            revenues[code].append(revenue * share)
    return {code: planner.History(tuple(costs[code]), tuple(revenues[code])) for code in costs}


def _hours(raw) -> Decimal:
    try:
        value = Decimal(str(raw))
    except ArithmeticError:
        value = Decimal(-1)
    if not value.is_finite() or not 0 <= value <= MAX_HOURS:
        raise ValidationFailed(fields={"monthly_hours": _("Enter hours from 0 to 99999.9.")})
    return value


def _channel_types() -> tuple[planner.ChannelType, ...]:
    language = get_language()
    return tuple(
        planner.ChannelType(item.code, item.display_name(language), item.kind == ChannelType.Kind.PAID)
        for item in list_channel_types()
        if item.code != "other"
    )


def recommend_channels(
    workspace,
    *,
    audience_id,
    product_id=None,
    monthly_budget=None,
    monthly_hours=None,
    today: datetime.date | None = None,
) -> planner.Recommendation:
    """Channels for an audience (and product). Budget and hours default to what the workspace's
    active channel accounts are given each month."""
    audience = get_for(Audience, workspace, audience_id)
    product = get_for(Product, workspace, product_id) if product_id not in (None, "") else None
    accounts = list(list_channel_accounts(workspace, active=True))
    if monthly_budget in (None, ""):
        budget = sum((account.monthly_budget for account in accounts), Decimal(0))
    else:
        budget = parse_amount(monthly_budget, "monthly_budget")
    hours = (
        sum((account.monthly_hours for account in accounts), Decimal(0))
        if monthly_hours in (None, "")
        else _hours(monthly_hours)
    )
    request = planner.Request(
        channel_types=_channel_types(),
        presence=dict(audience.channel_presence or {}),
        monthly_budget=budget,
        monthly_hours=hours,
        currency=workspace.currency,
        margin_percent=product.margin_percent if product else None,
        history=channel_history(workspace, today),
    )
    return planner.recommend(request)


def plan_spread_warnings(workspace, plan_id) -> list[str]:
    """Warnings for a plan's channels (more than five, or given less than they need each month)."""
    plan = get_for(Plan, workspace, plan_id)
    rows = scoped(PlanChannel, workspace).filter(plan=plan).select_related("channel_account__channel_type")
    channels = [
        (row.channel_account.channel_type.code, row.channel_account.name, row.channel_account.monthly_budget,
         row.channel_account.monthly_hours)
        for row in rows
    ]  # fmt: skip
    return planner.spread_warnings(channels, plan.currency)


def plan_from_recommendation(member, recommendation: planner.Recommendation, **plan_fields) -> Plan:
    """A draft plan on the chosen channels: the workspace's active account of each channel type, or a
    new account named after the type with the suggested budget and hours."""
    from netmark.planning.services import create_plan

    require(member, Capability.PLAN)
    if not recommendation.chosen:
        raise ValidationFailed(fields={"channels": _("The planner chose no channel to start a plan with.")})
    accounts = {}
    for account in list_channel_accounts(member.workspace, active=True).order_by("id"):
        accounts.setdefault(account.channel_type.code, account)
    months = _months(plan_fields.get("starts_on"), plan_fields.get("ends_on"))
    channels = []
    for choice in recommendation.chosen:
        account = accounts.get(choice.code) or create_channel_account(
            member,
            channel_type=choice.code,
            name=_unused_name(member.workspace, choice.name),
            monthly_budget=choice.budget,
            currency=member.workspace.currency,
            monthly_hours=choice.hours,
        )
        budget = (choice.budget * months).quantize(Decimal("0.01"))
        channels.append({"channel_account_id": account.pk, "budget": budget})
    return create_plan(member, channels=channels, **plan_fields)


def _months(starts_on, ends_on) -> Decimal:
    """The plan's length in months of 30 days (at least one): monthly budgets times this."""
    if not isinstance(starts_on, datetime.date) or not isinstance(ends_on, datetime.date):
        return Decimal(1)
    days = (ends_on - starts_on).days + 1
    return max(Decimal(1), Decimal(days) / Decimal(30))


def _unused_name(workspace, name: str) -> str:
    taken = set(list_channel_accounts(workspace).values_list("name", flat=True))
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name} ({number})", number + 1
    return candidate
