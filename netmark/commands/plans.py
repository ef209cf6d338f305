"""``netmark plan list|show|create``: promotion plans through the planning services."""

import argparse
import datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from netmark.commands.base import Commands, Context, UsageError
from netmark.core.errors import NotFound
from netmark.core.models import Member
from netmark.core.roles import Capability, require
from netmark.core.scoping import scoped
from netmark.planning import services
from netmark.planning.models import Plan
from netmark.positioning.models import Audience, Message, Product


def register(commands: Commands) -> None:
    parser = commands.verb("plan", "list", plan_list, _("list promotion plans"))
    parser.add_argument("--status", choices=Plan.Status.values)
    parser.add_argument("--search", help=_("text in the name, objective or UTM campaign"))

    parser = commands.verb("plan", "show", plan_show, _("show one plan with budgets and expected results"))
    parser.add_argument("id", type=int)

    parser = commands.verb("plan", "create", plan_create, _("create a promotion plan"))
    parser.add_argument("--name", required=True)
    parser.add_argument("--objective", required=True)
    parser.add_argument("--starts", required=True, type=_date, metavar="YYYY-MM-DD")
    parser.add_argument("--ends", required=True, type=_date, metavar="YYYY-MM-DD")
    parser.add_argument(
        "--budget",
        action="append",
        default=[],
        metavar="CHANNEL=AMOUNT",
        help=_("a channel account (name, channel type code or id) and its budget; repeatable"),
    )
    parser.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="KPI=VALUE",
        help=_("an expected KPI value; repeatable"),
    )
    parser.add_argument("--recurrence", default="", metavar="RRULE", help="e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=8")
    parser.add_argument("--status", choices=Plan.Status.values, default=Plan.Status.DRAFT)
    parser.add_argument("--currency")
    parser.add_argument("--utm-campaign", default="")
    parser.add_argument("--product", metavar="NAME")
    parser.add_argument("--audience", metavar="NAME")
    parser.add_argument("--message", metavar="TITLE")
    parser.add_argument("--owner", metavar="EMAIL")


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("expected a date such as 2026-10-12")) from None


def _number(value, places: str | None = None) -> Decimal:
    """``1200.0000`` -> ``1200``; with ``places``, money such as ``11300`` -> ``11300.00``."""
    value = Decimal(value)
    if places:
        return value.quantize(Decimal(places))
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _summary(plan: Plan) -> dict:
    return {
        "id": plan.pk,
        "name": plan.name,
        "status": plan.status,
        "starts_on": plan.starts_on,
        "ends_on": plan.ends_on,
        "recurrence": plan.recurrence,
        "budget": _number(getattr(plan, "budget_total", None) or services.plan_budget_total(plan), "0.01"),
        "currency": plan.currency,
    }


def plan_list(context: Context) -> int:
    require(context.member, Capability.READ)
    plans = services.list_plans(context.workspace, status=context.args.status, search=context.args.search)
    rows = [_summary(plan) for plan in plans]
    columns = ["id", "name", "status", "starts_on", "ends_on", "budget", "currency"]
    context.table(rows, columns, empty=_("No plans match."))
    return 0


def plan_show(context: Context) -> int:
    require(context.member, Capability.READ)
    plan = services.get_plan(context.workspace, context.args.id)
    data = {
        **_summary(plan),
        "objective": plan.objective,
        "utm_campaign": plan.utm_campaign,
        "channels": [
            {"channel": item.channel_account.name, "budget": item.budget}
            for item in plan.channels.select_related("channel_account")
        ],
        "expected_vs_actual": [
            {"kpi": row.kpi, "label": str(row.label), "expected": _number(row.expected), "actual": row.actual}
            for row in services.expected_vs_actual(plan)
        ],
        "lessons_learned": plan.lessons_learned,
    }
    context.emit(data, _show_text(data))
    return 0


def _show_text(data: dict) -> str:
    lines = [
        f"#{data['id']} {data['name']}  [{data['status']}]",
        f"{data['starts_on']} .. {data['ends_on']}  {data['recurrence']}".rstrip(),
        f"{_('Objective')}: {data['objective']}",
        f"{_('Budget')}: {data['budget']} {data['currency']}",
    ]
    lines += [f"  {item['channel']}: {item['budget']}" for item in data["channels"]]
    lines.append(_("Expected / actual:"))
    lines += [
        f"  {row['label']}: {row['expected']} / {'-' if row['actual'] is None else row['actual']}"
        for row in data["expected_vs_actual"]
    ]
    if data["lessons_learned"]:
        lines.append(f"{_('Lessons learned')}: {data['lessons_learned']}")
    return "\n".join(lines)


def _pairs(items: list[str], option: str) -> list[tuple[str, Decimal]]:
    pairs = []
    for item in items:
        key, separator, value = item.rpartition("=")
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            amount = None
        if not separator or not key.strip() or amount is None:
            raise UsageError(
                _("%(option)s takes NAME=NUMBER, not %(item)r.") % {"option": option, "item": item}
            )
        pairs.append((key.strip(), amount))
    return pairs


def _account_id(workspace, key: str) -> int:
    accounts = list(services.list_channel_accounts(workspace))
    for matches in (
        [account for account in accounts if account.name == key],
        [account for account in accounts if account.name.casefold() == key.casefold()],
        [account for account in accounts if account.channel_type.code == key],
        [account for account in accounts if str(account.pk) == key],
    ):
        if len(matches) == 1:
            return matches[0].pk
    raise NotFound(_("No single channel account matches %(key)s.") % {"key": key})


def _reference_id(workspace, model, field: str, name: str | None) -> int | None:
    if not name:
        return None
    found = scoped(model, workspace).filter(**{field: name}).values_list("pk", flat=True)[:2]
    if len(found) != 1:
        raise NotFound(_("No single record is called %(name)s.") % {"name": name})
    return found[0]


def plan_create(context: Context) -> int:
    args, workspace = context.args, context.workspace
    plan = services.create_plan(
        context.member,
        name=args.name,
        objective=args.objective,
        starts_on=args.starts,
        ends_on=args.ends,
        recurrence=args.recurrence,
        status=args.status,
        currency=args.currency,
        utm_campaign=args.utm_campaign,
        product_id=_reference_id(workspace, Product, "name", args.product),
        audience_id=_reference_id(workspace, Audience, "name", args.audience),
        message_id=_reference_id(workspace, Message, "title", args.message),
        owner_id=_reference_id(workspace, Member, "user__email__iexact", args.owner),
        channels=[
            {"channel_account_id": _account_id(workspace, key), "budget": amount}
            for key, amount in _pairs(args.budget, "--budget")
        ],
        targets=[{"kpi": kpi, "target": value} for kpi, value in _pairs(args.target, "--target")],
    )
    context.emit(_summary(plan), _("Created plan #%(id)d %(name)s.") % {"id": plan.pk, "name": plan.name})
    return 0
