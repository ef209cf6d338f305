"""Planning services: promotion plans with their channels, KPI targets, schedule and status.

This module is the planning app's public door: it also re-exports the channel services
(``channels.py``), the status services (``statuses.py``), the calendar (``calendar.py``) and
expected against actual results (``expectations.py``).

Schedule. A one-off plan (empty ``recurrence``) has one occurrence from ``starts_on`` to
``ends_on``. A recurring plan has one occurrence per date of its RRULE, each one day long: an
RRULE gives dates, not durations, so runs that last several days are a DAILY rule or separate
plans. The series starts on ``starts_on`` and stops at ``ends_on``; a recurring plan spans at most
three years and 500 dates (``recurrence.py``). Occurrences are materialised whenever the dates or
the rule change, so readers (calendar, feed, links) never expand rules themselves.

Dates are the workspace's local calendar days. Money is Decimal in the plan's currency.
Writes need Capability.PLAN; lessons need Capability.EVALUATE on the plan's owner; deletes need
Capability.ERASE. Webhooks: ``plan.created`` here, ``plan.status_changed`` in ``statuses.py``.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from netmark.core import audit, records
from netmark.core.errors import ValidationFailed
from netmark.core.kpis import get_kpi
from netmark.core.models import Member
from netmark.core.money import parse_amount, validate_currency
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped
from netmark.planning.advice import (  # noqa: F401 - re-exported
    channel_history,
    plan_from_recommendation,
    plan_spread_warnings,
    recommend_channels,
)
from netmark.planning.calendar import (  # noqa: F401 - re-exported
    CalendarEntry,
    calendar_entries,
    calendar_feed_url,
    ical_feed,
    reset_calendar_feed,
    workspace_for_feed,
)
from netmark.planning.channels import (  # noqa: F401 - re-exported
    channel_type_codes,
    create_channel_account,
    delete_channel_account,
    list_channel_accounts,
    list_channel_types,
    update_channel_account,
)
from netmark.planning.expectations import KpiRow, expected_vs_actual  # noqa: F401 - re-exported
from netmark.planning.models import ChannelAccount, KpiTarget, Occurrence, Plan, PlanChannel
from netmark.planning.recurrence import MAX_SPAN_YEARS, expand, normalise, window_end
from netmark.planning.statuses import (  # noqa: F401 - re-exported
    advance_statuses,
    change_status,
    check_status,
    emit,
    plan_budget_total,
    plan_payload,
    set_plan_status,
)
from netmark.positioning.models import Audience, Message, Product

FIRST_YEAR, LAST_YEAR = 1970, 2999
MAX_TARGET = Decimal("999999999999.9999")  # KpiTarget.target: 16 digits, 4 decimals
MAX_LESSONS_LENGTH = 50_000
UTM_VALUE = re.compile(r"[\w.~-]{1,100}")
REFERENCES = {"product_id": Product, "audience_id": Audience, "message_id": Message, "owner_id": Member}
TEXT_FIELDS = {"name", "objective", "starts_on", "ends_on", "currency", "recurrence", "utm_campaign"}
PLAN_FIELDS = TEXT_FIELDS | set(REFERENCES) | {"status", "channels", "targets"}


def _with_totals(plans):
    """Adds ``budget_total`` and ``occurrence_count`` and prefetches channels and targets (no N+1)."""
    budgets = PlanChannel.unscoped.filter(plan=OuterRef("pk")).values("plan").annotate(total=Sum("budget"))
    occurrences = Occurrence.unscoped.filter(plan=OuterRef("pk")).values("plan").annotate(n=Count("id"))
    money = DecimalField(max_digits=16, decimal_places=2)
    return plans.annotate(
        budget_total=Coalesce(
            Subquery(budgets.values("total"), output_field=money), Value(Decimal(0)), output_field=money
        ),
        occurrence_count=Coalesce(Subquery(occurrences.values("n"), output_field=IntegerField()), Value(0)),
    ).prefetch_related("channels", "targets")


def get_plan(workspace, plan_id) -> Plan:
    """The plan with its totals and nested rows, or ``NotFound`` (also for other workspaces' ids)."""
    return get_for(Plan, workspace, plan_id, queryset=_with_totals(scoped(Plan, workspace)))


def list_plans(
    workspace,
    *,
    status: str | None = None,
    search: str | None = None,
    owner_id: int | None = None,
    active_between: tuple[datetime.date, datetime.date] | None = None,
):
    plans = _with_totals(scoped(Plan, workspace))
    if status:
        plans = plans.filter(status=status)
    if search:
        plans = plans.filter(
            Q(name__icontains=search) | Q(objective__icontains=search) | Q(utm_campaign__icontains=search)
        )
    if owner_id is not None:
        plans = plans.filter(owner_id=owner_id)
    if active_between is not None:
        start, end = active_between
        plans = plans.filter(starts_on__lte=end, ends_on__gte=start)
    return plans


def _date(value, field: str) -> datetime.date:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            value = None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ValidationFailed(fields={field: _("Enter a date like 2026-05-01.")})
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationFailed(fields={field: _("Enter a date between 1970 and 2999.")})
    return value


def _utm(value) -> str:
    value = str(value or "").strip().lower()
    if value and not UTM_VALUE.fullmatch(value):
        raise ValidationFailed(
            fields={"utm_campaign": _("Use letters, digits, '-', '_', '.' or '~', without spaces.")}
        )
    return value


def _text(value) -> str:
    return str(value).strip() if value is not None else value


def _clean_fields(workspace, data: dict) -> dict:
    """Model values for the given plan fields; foreign or unknown ids raise ``NotFound``."""
    cleaners = {
        "starts_on": lambda value: _date(value, "starts_on"),
        "ends_on": lambda value: _date(value, "ends_on"),
        "currency": lambda value: validate_currency(value or workspace.currency),
        "recurrence": lambda value: normalise(value or ""),
        "utm_campaign": _utm,
    }
    cleaned = {}
    for field, value in data.items():
        if field in REFERENCES:
            related = None if value is None else get_for(REFERENCES[field], workspace, value)
            cleaned[field.removesuffix("_id")] = related
        else:
            cleaned[field] = cleaners.get(field, _text)(value)
    return cleaned


def _schedule(plan: Plan) -> list[tuple[datetime.date, datetime.date]]:
    """The occurrences' (start, end) days; ``ValidationFailed`` for impossible dates or rules."""
    if plan.ends_on < plan.starts_on:
        raise ValidationFailed(fields={"ends_on": _("The plan ends before it starts.")})
    if not plan.recurrence:
        return [(plan.starts_on, plan.ends_on)]
    if plan.ends_on > window_end(plan.starts_on, plan.ends_on):
        raise ValidationFailed(
            fields={"ends_on": _("A recurring plan spans at most %d years.") % MAX_SPAN_YEARS}
        )
    return [(day, day) for day in expand(plan.recurrence, plan.starts_on, plan.ends_on)]


def _items(rows, name: str) -> list[dict]:
    rows = list(rows or [])
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ValidationFailed(fields={f"{name}.{index}": _("Each entry is an object.")})
    return rows


def _clean_channels(workspace, rows) -> list[tuple[ChannelAccount, Decimal]]:
    cleaned, seen = [], set()
    for index, row in enumerate(_items(rows, "channels")):
        account = get_for(ChannelAccount, workspace, row.get("channel_account_id"))
        if account.pk in seen:
            raise ValidationFailed(
                fields={f"channels.{index}.channel_account_id": _("This channel is listed twice.")}
            )
        seen.add(account.pk)
        cleaned.append((account, parse_amount(row.get("budget", 0), f"channels.{index}.budget")))
    return cleaned


def _target_value(raw, field: str) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = Decimal("NaN")
    if value.is_finite():
        value = value.quantize(Decimal("0.0001"))
    if not value.is_finite() or abs(value) > MAX_TARGET:
        raise ValidationFailed(fields={field: _("Enter a number below 10^12, e.g. 1200 or 0.35.")})
    return value


def _clean_targets(rows) -> list[tuple[str, Decimal]]:
    cleaned: dict[str, Decimal] = {}
    for index, row in enumerate(_items(rows, "targets")):
        name = str(row.get("kpi", ""))
        if get_kpi(name) is None:
            raise ValidationFailed(fields={f"targets.{index}.kpi": _("Unknown KPI: %s.") % name})
        if name in cleaned:
            raise ValidationFailed(fields={f"targets.{index}.kpi": _("This KPI is listed twice.")})
        cleaned[name] = _target_value(row.get("target"), f"targets.{index}.target")
    return list(cleaned.items())


def _replace_channels(plan: Plan, channels: list[tuple[ChannelAccount, Decimal]]) -> None:
    PlanChannel.unscoped.filter(workspace_id=plan.workspace_id, plan=plan).delete()
    PlanChannel.unscoped.bulk_create(
        PlanChannel(workspace_id=plan.workspace_id, plan=plan, channel_account=account, budget=budget)
        for account, budget in channels
    )


def _replace_targets(plan: Plan, targets: list[tuple[str, Decimal]]) -> None:
    KpiTarget.unscoped.filter(workspace_id=plan.workspace_id, plan=plan).delete()
    KpiTarget.unscoped.bulk_create(
        KpiTarget(workspace_id=plan.workspace_id, plan=plan, kpi=kpi, target=target)
        for kpi, target in targets
    )


def _materialise(plan: Plan, spans: list[tuple[datetime.date, datetime.date]]) -> None:
    Occurrence.unscoped.filter(workspace_id=plan.workspace_id, plan=plan).delete()
    Occurrence.unscoped.bulk_create(
        Occurrence(workspace_id=plan.workspace_id, plan=plan, starts_on=start, ends_on=end, sequence=index)
        for index, (start, end) in enumerate(spans)
    )


def _nested_summary(channels, targets) -> dict:
    return {
        "channels": [[account.pk, str(budget)] for account, budget in channels],
        "targets": [[kpi, str(target)] for kpi, target in targets],
    }


@transaction.atomic
def create_plan(
    member,
    *,
    name: str,
    objective: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    product_id: int | None = None,
    audience_id: int | None = None,
    message_id: int | None = None,
    owner_id: int | None = None,
    currency: str | None = None,
    recurrence: str = "",
    utm_campaign: str = "",
    status: str = Plan.Status.DRAFT,
    channels=(),
    targets=(),
) -> Plan:
    """A new plan with its channels, targets and occurrences; the owner defaults to the acting
    member and the currency to the workspace's."""
    require(member, Capability.PLAN)
    fields = {
        "name": name,
        "objective": objective,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "product_id": product_id,
        "audience_id": audience_id,
        "message_id": message_id,
        "owner_id": member.pk if owner_id is None else owner_id,
        "currency": currency,
        "recurrence": recurrence,
        "utm_campaign": utm_campaign,
    }
    plan = Plan(
        workspace=member.workspace, status=check_status(status), **_clean_fields(member.workspace, fields)
    )
    spans = _schedule(plan)
    channels, targets = _clean_channels(member.workspace, channels), _clean_targets(targets)
    records.validate_and_save(plan)
    _replace_channels(plan, channels)
    _replace_targets(plan, targets)
    _materialise(plan, spans)
    summary = {key: str(getattr(plan, key)) for key in sorted(TEXT_FIELDS | {"status"})}
    audit.record(member, "plan.created", plan, {**summary, **_nested_summary(channels, targets)})
    emit(plan.workspace, "plan.created", {"plan": plan_payload(plan)})
    return plan


def _refuse_unknown(fields: dict) -> None:
    unknown = sorted(set(fields) - PLAN_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: _("Unknown field.") for name in unknown})


@transaction.atomic
def update_plan(member, plan_id, **fields) -> Plan:
    """Changes the given fields; ``channels`` / ``targets`` replace the sets; a status set here is
    set by hand (locked, as ``set_plan_status``). Occurrences are rebuilt when the schedule changes."""
    require(member, Capability.PLAN)
    _refuse_unknown(fields)
    plan = get_for(
        Plan, member.workspace, plan_id, queryset=scoped(Plan, member.workspace).select_for_update()
    )
    status = check_status(fields.pop("status")) if "status" in fields else None
    nested = {key: fields.pop(key) for key in ("channels", "targets") if key in fields}
    data = _clean_fields(member.workspace, fields)
    changes = audit.diff(plan, data)
    for field, value in data.items():
        setattr(plan, field, value)
    spans = _schedule(plan) if {"starts_on", "ends_on", "recurrence"} & set(changes) else None
    records.validate_and_save(plan)
    changes.update(_update_nested(member.workspace, plan, nested))
    if spans is not None:
        _materialise(plan, spans)
    if changes:
        audit.record(member, "plan.updated", plan, changes)
    if status is not None:
        change_status(member, plan, status, by_hand=True)
    return plan


def _update_nested(workspace, plan: Plan, nested: dict) -> dict:
    changes = {}
    if "channels" in nested:
        channels = _clean_channels(workspace, nested["channels"])
        _replace_channels(plan, channels)
        changes["channels"] = _nested_summary(channels, [])["channels"]
    if "targets" in nested:
        targets = _clean_targets(nested["targets"])
        _replace_targets(plan, targets)
        changes["targets"] = _nested_summary([], targets)["targets"]
    return changes


@transaction.atomic
def record_lessons(member, plan_id, text: str) -> Plan:
    """Lessons learned: owners and planners on any plan, implementers on the plans they own."""
    plan = get_for(
        Plan, member.workspace, plan_id, queryset=scoped(Plan, member.workspace).select_for_update()
    )
    require(member, Capability.EVALUATE, owner_id=plan.owner_id)
    text = str(text or "").strip()
    if len(text) > MAX_LESSONS_LENGTH:
        raise ValidationFailed(fields={"lessons_learned": _("Keep it under 50,000 characters.")})
    changes = audit.diff(plan, {"lessons_learned": text})
    if changes:
        plan.lessons_learned = text
        plan.save(update_fields=["lessons_learned", "updated_at"])
        audit.record(member, "plan.lessons_recorded", plan, changes)
    return plan


def delete_plan(member, plan_id) -> None:
    records.delete_record(member, Plan, plan_id)
