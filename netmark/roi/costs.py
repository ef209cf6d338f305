"""Costs: manual entries (agency fees, offline events, content, other), people time (hours x
hourly rate), listing and totals in the workspace currency. Imported lines are in ``imports.py``.

Writes need Capability.EXECUTE (costs are execution, ARCHITECTURE.md "Roles"); deletes need
Capability.ERASE, as every delete does. Every total is in the workspace currency
(``rates.py``): amounts are summed per (currency, day), converted, rounded to cents, then added.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import Sum
from django.utils.translation import gettext as _

from netmark.core import records
from netmark.core.errors import ValidationFailed
from netmark.core.money import parse_amount, validate_currency
from netmark.core.roles import Capability
from netmark.core.scoping import get_for, scoped
from netmark.planning.models import ChannelAccount, Plan
from netmark.roi.models import Cost
from netmark.roi.rates import CENT, Converter

MANUAL_KINDS = (
    Cost.Kind.AGENCY,
    Cost.Kind.OFFLINE_EVENT,
    Cost.Kind.CONTENT,
    Cost.Kind.PEOPLE_TIME,
    Cost.Kind.OTHER,
)
EDITABLE = {
    "kind", "spent_on", "plan_id", "channel_account_id", "amount", "currency", "description",
    "role", "hours", "hourly_rate",
}  # fmt: skip
MAX_HOURS = Decimal("999999.99")


def list_costs(
    workspace,
    *,
    plan_id: int | None = None,
    channel_account_id: int | None = None,
    kind: str | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    unmapped: bool | None = None,
    search: str = "",
):
    costs = scoped(Cost, workspace).select_related("plan", "channel_account")
    if plan_id is not None:
        costs = costs.filter(plan_id=plan_id)
    if channel_account_id is not None:
        costs = costs.filter(channel_account_id=channel_account_id)
    if kind:
        costs = costs.filter(kind=kind)
    if start:
        costs = costs.filter(spent_on__gte=start)
    if end:
        costs = costs.filter(spent_on__lte=end)
    if unmapped is not None:
        costs = costs.filter(plan__isnull=unmapped)
    if search:
        costs = costs.filter(campaign__icontains=search) | costs.filter(description__icontains=search)
    return costs


def get_cost(workspace, cost_id) -> Cost:
    return get_for(Cost, workspace, cost_id, queryset=list_costs(workspace))


def _hours(raw) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or value <= 0 or value > MAX_HOURS:
        raise ValidationFailed(fields={"hours": _("Enter a positive number of hours, e.g. 12.5.")})
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _references(workspace, data: dict) -> dict:
    cleaned = {}
    if "plan_id" in data:
        cleaned["plan"] = None if data["plan_id"] is None else get_for(Plan, workspace, data["plan_id"])
    if "channel_account_id" in data:
        account_id = data["channel_account_id"]
        cleaned["channel_account"] = (
            None if account_id is None else get_for(ChannelAccount, workspace, account_id)
        )
    return cleaned


def _clean(workspace, data: dict, current: Cost | None = None) -> dict:
    unknown = sorted(set(data) - EDITABLE)
    if unknown:
        raise ValidationFailed(fields={name: _("Unknown field.") for name in unknown})
    cleaned = _references(workspace, data)
    kind = data.get("kind", current.kind if current else None)
    if kind not in MANUAL_KINDS:
        kinds = ", ".join(MANUAL_KINDS)
        raise ValidationFailed(fields={"kind": _("Choose one of: %s.") % kinds})
    cleaned["kind"] = kind
    if "spent_on" in data:
        if not isinstance(data["spent_on"], datetime.date):
            raise ValidationFailed(fields={"spent_on": _("Enter a date such as 2026-10-12.")})
        cleaned["spent_on"] = data["spent_on"]
    if "currency" in data:
        cleaned["currency"] = validate_currency(data["currency"] or workspace.currency)
    for name in ("description", "role"):
        if name in data:
            cleaned[name] = (data[name] or "").strip()
    if kind == Cost.Kind.PEOPLE_TIME:
        cleaned.update(_people_time(data, current))
    elif "amount" in data or current is None:
        cleaned["amount"] = parse_amount(data.get("amount", ""), "amount")
        cleaned.update({"hours": None, "hourly_rate": None})
    return cleaned


def _people_time(data: dict, current: Cost | None) -> dict:
    """People time is priced, never typed: amount = hours x hourly rate, rounded to cents."""
    hours = _hours(data["hours"]) if "hours" in data else (current.hours if current else None)
    rate = (
        parse_amount(data["hourly_rate"], "hourly_rate")
        if "hourly_rate" in data
        else (current.hourly_rate if current else None)
    )
    if hours is None:
        raise ValidationFailed(fields={"hours": _("People time needs hours.")})
    if rate is None:
        raise ValidationFailed(fields={"hourly_rate": _("People time needs an hourly rate.")})
    role = data.get("role", current.role if current else "")
    if not (role or "").strip():
        raise ValidationFailed(fields={"role": _("Name the role, e.g. designer.")})
    amount = (hours * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    return {"hours": hours, "hourly_rate": rate, "amount": parse_amount(amount, "amount")}


def create_cost(member, *, kind: str, spent_on: datetime.date, **fields) -> Cost:
    fields.setdefault("currency", member.workspace.currency)
    data = _clean(member.workspace, {"kind": kind, "spent_on": spent_on, **fields})
    return records.create_record(member, Cost, data, capability=Capability.EXECUTE)


def _refuse_imported(cost: Cost, fields: dict) -> None:
    locked = set(fields) - {"plan_id", "channel_account_id", "description"}
    if cost.kind not in MANUAL_KINDS and locked:
        message = _(
            "Imported costs change by importing a corrected file; only the promotion, channel "
            "and description can be edited."
        )
        raise ValidationFailed(fields={name: message for name in sorted(locked)})


def update_cost(member, cost_id, **fields) -> Cost:
    cost = get_cost(member.workspace, cost_id)
    _refuse_imported(cost, fields)
    if cost.kind in MANUAL_KINDS:
        data = _clean(member.workspace, fields, cost)
    else:
        data = _references(member.workspace, fields)
        if "description" in fields:
            data["description"] = (fields["description"] or "").strip()
    return records.update_record(member, Cost, cost.pk, data, capability=Capability.EXECUTE, instance=cost)


def delete_cost(member, cost_id) -> None:
    records.delete_record(member, Cost, cost_id, capability=Capability.ERASE)


@dataclass
class Totals:
    """Sums in the workspace currency; ``amount`` is None when a rate was missing."""

    amount: Decimal | None = Decimal("0.00")
    missing_rates: list[dict] = field(default_factory=list)


def convert_sums(workspace, grouped, converter: Converter | None = None) -> dict:
    """``{key: Decimal | None}`` from rows ``(key, currency, day, amount)``; see the module doc."""
    converter = converter or Converter(workspace)
    totals: dict = defaultdict(lambda: Decimal("0.00"))
    for key, currency, day, amount in grouped:
        converted = converter.convert(Decimal(str(amount)).quantize(CENT), currency, day)
        if converted is None or totals[key] is None:
            totals[key] = None
        else:
            totals[key] += converted
    return dict(totals)


def total_by(workspace, costs, key: str | None = None, converter: Converter | None = None) -> dict:
    """Converted cost totals of a queryset grouped by ``key`` (a field name, or None for one total)."""
    fields = [key] if key else []
    grouped = costs.values(*fields, "currency", "spent_on").annotate(total=Sum("amount")).order_by()
    rows = ((row[key] if key else None, row["currency"], row["spent_on"], row["total"]) for row in grouped)
    return convert_sums(workspace, rows, converter)


def total(workspace, costs) -> Totals:
    converter = Converter(workspace)
    value = total_by(workspace, costs, converter=converter).get(None, Decimal("0.00"))
    return Totals(amount=value, missing_rates=converter.missing_list())
