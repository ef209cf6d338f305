"""Plan status: set by hand, or moved by dates; the ``plan.*`` webhooks and their payload.

Re-exported by ``netmark.planning.services``; import them from there.

Statuses run draft -> planned -> running -> evaluating -> done. By hand any order is allowed and
the plan is then ``status_locked``: dates no longer move it. The periodic ``advance_statuses``
moves unlocked plans: planned -> running from ``starts_on``, planned or running -> evaluating from
the day after ``ends_on``, each workspace by its own local date. Drafts are never moved. The move
is a conditional UPDATE, so two workers running it at once move (and announce) a plan once.
"""

import datetime
import zoneinfo
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from netmark.core import audit
from netmark.core.errors import ValidationFailed
from netmark.core.models import Workspace
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped
from netmark.core.services import operator_member
from netmark.planning.models import Plan, PlanChannel

MOVABLE = (Plan.Status.PLANNED, Plan.Status.RUNNING)


def emit(workspace, event: str, payload: dict) -> None:
    """Hands a webhook event to core (delivered after the transaction commits)."""
    from netmark.core import webhooks

    webhooks.emit(workspace, event, payload)


def plan_budget_total(plan) -> Decimal:
    total = scoped(PlanChannel, plan.workspace).filter(plan=plan).aggregate(total=Sum("budget"))["total"]
    return cents(total or 0)


def cents(amount) -> Decimal:
    """A money sum to cents (SQLite sums decimals as floating point)."""
    return Decimal(amount).quantize(Decimal("0.01"))


def plan_payload(plan: Plan) -> dict:
    """The plan as webhook subscribers see it (JSON-native values only)."""
    return {
        "id": plan.pk,
        "name": plan.name,
        "status": plan.status,
        "status_locked": plan.status_locked,
        "starts_on": plan.starts_on.isoformat(),
        "ends_on": plan.ends_on.isoformat(),
        "recurrence": plan.recurrence,
        "utm_campaign": plan.utm_campaign,
        "currency": plan.currency,
        "budget_total": str(plan_budget_total(plan)),
        "owner_id": plan.owner_id,
        "product_id": plan.product_id,
        "audience_id": plan.audience_id,
        "message_id": plan.message_id,
    }


def check_status(status) -> str:
    if status not in Plan.Status.values:
        raise ValidationFailed(fields={"status": _("Choose one of: %s.") % ", ".join(Plan.Status.values)})
    return status


def change_status(member, plan: Plan, status: str, *, by_hand: bool) -> Plan:
    """Sets ``status`` (locking it when ``by_hand``); audits and announces a change. Call it inside
    a transaction holding the plan's row."""
    old = plan.status
    changes = audit.diff(plan, {"status": status, "status_locked": plan.status_locked or by_hand})
    if not changes:
        return plan
    plan.status = status
    plan.status_locked = plan.status_locked or by_hand
    plan.save(update_fields=["status", "status_locked", "updated_at"])
    audit.record(member, "plan.status_changed", plan, changes)
    if old != status:
        _announce(plan, old, by_hand=by_hand)
    return plan


def _announce(plan: Plan, old: str, *, by_hand: bool) -> None:
    payload = {
        "plan": plan_payload(plan),
        "old_status": old,
        "new_status": plan.status,
        "by": "hand" if by_hand else "schedule",
    }
    emit(plan.workspace, "plan.status_changed", payload)


@transaction.atomic
def set_plan_status(member, plan_id, status: str) -> Plan:
    """Sets the status by hand, in any order; the plan is locked against date-driven moves."""
    require(member, Capability.PLAN)
    check_status(status)
    plan = get_for(
        Plan, member.workspace, plan_id, queryset=scoped(Plan, member.workspace).select_for_update()
    )
    return change_status(member, plan, status, by_hand=True)


def scheduled_status(plan: Plan, today: datetime.date) -> str:
    """Where the dates put an unlocked plan today (drafts, evaluated and done plans stay)."""
    if plan.status not in MOVABLE:
        return plan.status
    if today > plan.ends_on:
        return Plan.Status.EVALUATING
    if today >= plan.starts_on:
        return Plan.Status.RUNNING
    return plan.status


def local_today(workspace: Workspace) -> datetime.date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(workspace.time_zone or "UTC")).date()


def advance_statuses(today: datetime.date | None = None) -> int:
    """Moves every workspace's unlocked plans by their dates; returns how many moved.

    ``today`` overrides each workspace's local date (tests, back-fills). Idempotent.
    """
    moved = 0
    for workspace in Workspace.objects.all():
        day = today or local_today(workspace)
        due = scoped(Plan, workspace).filter(
            Q(status=Plan.Status.PLANNED, starts_on__lte=day)
            | Q(status=Plan.Status.RUNNING, ends_on__lt=day),
            status_locked=False,
        )
        for plan in due:
            moved += _move(workspace, plan, scheduled_status(plan, day))
    return moved


def _move(workspace: Workspace, plan: Plan, status: str) -> int:
    with transaction.atomic():
        claimed = (
            scoped(Plan, workspace)
            .filter(pk=plan.pk, status=plan.status, status_locked=False)
            .update(status=status, updated_at=timezone.now())
        )
        if not claimed:
            return 0
        old, plan.status = plan.status, status
        plan.workspace = workspace
        audit.record(operator_member(workspace), "plan.status_changed", plan, {"status": [old, status]})
        _announce(plan, old, by_hand=False)
    return 1
