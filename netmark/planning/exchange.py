"""CSV export and import of channel accounts and promotion plans (one file each).

Headers are accepted in English or Chinese (``name`` / ``名称``). A plan's channel budgets and KPI
targets are flattened into one column each: ``budget:<channel account name>`` (``预算:``) and
``target:<kpi>`` (``预期:`` or ``目标:``), e.g. ``budget:云岭茶业微博`` and ``target:leads``. An
empty cell leaves that channel or KPI out of the plan; when a file has no ``budget:`` (or no
``target:``) column at all, an update keeps the plan's channels (or targets) as they are.

Import is all or nothing: every row is validated, then applied in one transaction, and any error
rolls everything back, reported row by row. Rows match existing records by name, so importing the
same file twice updates instead of duplicating. Plan names need not be unique; a name shared by
several plans cannot be matched and is reported.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from netmark.core import csvio
from netmark.core.errors import NetmarkError, ValidationFailed
from netmark.core.kpis import get_kpi
from netmark.core.models import Member
from netmark.core.roles import Capability, require
from netmark.core.scoping import scoped
from netmark.planning import services
from netmark.planning.models import ChannelAccount, ChannelType, Plan
from netmark.positioning.models import Audience, Message, Product

ACCOUNT_COLUMNS = [
    ("name", "名称", ["渠道名称"]),
    ("channel_type", "渠道类型", ["channel", "渠道"]),
    ("handle", "账号", ["account", "account or url"]),
    ("monthly_budget", "月预算", ["budget", "预算"]),
    ("currency", "币种", ["货币"]),
    ("monthly_hours", "月工时", ["hours", "people-hours per month", "工时"]),
    ("is_active", "启用", ["active", "是否启用"]),
    ("notes", "备注", []),
]
PLAN_COLUMNS = [
    ("name", "名称", ["计划名称"]),
    ("objective", "推广目标", ["目标"]),
    ("status", "状态", []),
    ("starts_on", "开始日期", ["start", "starts", "开始"]),
    ("ends_on", "结束日期", ["end", "ends", "结束"]),
    ("recurrence", "重复规则", ["rrule", "重复"]),
    ("currency", "币种", ["货币"]),
    ("utm_campaign", "utm 活动", ["utm"]),
    ("product", "产品", []),
    ("audience", "受众", ["目标受众"]),
    ("message", "信息", ["宣传信息"]),
    ("owner", "负责人", ["owner email"]),
]
PLAN_PREFIXES = {
    "budget:": "budget:",
    "预算:": "budget:",
    "target:": "target:",
    "kpi:": "target:",
    "预期:": "target:",
    "目标:": "target:",
}
STATUS_WORDS = {
    "草稿": "draft",
    "已计划": "planned",
    "进行中": "running",
    "评估中": "evaluating",
    "已完成": "done",
}
REFERENCES = {"product": (Product, "name"), "audience": (Audience, "name"), "message": (Message, "title")}


def _label(value: str) -> str:
    return csvio.normalise_header(value)


def _channel_type_codes() -> dict[str, str]:
    """Channel types by code, English and Chinese name (normalised), for forgiving imports."""
    codes = {}
    for channel_type in ChannelType.objects.all():
        for label in (channel_type.code, channel_type.name_en, channel_type.name_zh):
            codes[_label(label)] = channel_type.code
    return codes


def _changed(current: dict, wanted: dict) -> dict:
    return {key: value for key, value in wanted.items() if current.get(key) != value}


# Channel accounts


def export_channel_accounts(workspace, *, chinese_headers: bool = False) -> bytes:
    columns = [column for column, _chinese, _others in ACCOUNT_COLUMNS]
    rows = (
        [_account_values(account)[column] for column in columns]
        for account in services.list_channel_accounts(workspace)
    )
    return csvio.write_rows(csvio.header_row(ACCOUNT_COLUMNS, chinese=chinese_headers), rows)


def _account_values(account: ChannelAccount) -> dict:
    return {
        "name": account.name,
        "channel_type": account.channel_type.code,
        "handle": account.handle,
        "monthly_budget": account.monthly_budget,
        "currency": account.currency,
        "monthly_hours": account.monthly_hours,
        "is_active": account.is_active,
        "notes": account.notes,
    }


def import_channel_accounts(member, data: bytes) -> csvio.ImportResult:
    """Creates or updates channel accounts by name; all or nothing."""
    require(member, Capability.PLAN)
    table = csvio.map_columns(csvio.read_table(data), csvio.aliases(ACCOUNT_COLUMNS))
    csvio.require_columns(table, ["name"])
    errors: list[csvio.RowError] = []
    codes = _channel_type_codes()
    specs = [(row.number, _parse_account(csvio.RowReader(row, errors), codes)) for row in table.rows]
    _check_unique(specs, errors)
    if errors:
        raise csvio.ImportFailed(errors)
    return csvio.all_or_nothing(lambda apply_errors: _apply_accounts(member, specs, apply_errors))


def _parse_account(reader: csvio.RowReader, codes: dict[str, str]) -> dict:
    data = {"name": reader.text("name", required=True, max_length=200)}
    if reader.has("channel_type"):
        raw = reader.text("channel_type", required=True)
        data["channel_type"] = codes.get(_label(raw))
        if raw and data["channel_type"] is None:
            reader.fail("channel_type", _("Unknown channel type: %s.") % raw)
    for column in ("handle", "notes"):
        if reader.has(column):
            data[column] = reader.text(column)
    if reader.has("currency") and reader.text("currency"):
        data["currency"] = reader.text("currency").upper()
    for column in ("monthly_budget", "monthly_hours"):
        if reader.has(column):
            data[column] = reader.decimal(column) or Decimal(0)
    if reader.has("is_active"):
        data["is_active"] = reader.boolean("is_active")
    return data


def _apply_accounts(member, specs, errors: list[csvio.RowError]) -> csvio.ImportResult:
    result = csvio.ImportResult()
    existing = {account.name: account for account in services.list_channel_accounts(member.workspace)}
    for number, data in specs:
        try:
            result.add(_apply_account(member, existing.get(data["name"]), data))
        except NetmarkError as exc:
            errors.extend(csvio.errors_from(number, exc))
    return result


def _apply_account(member, account: ChannelAccount | None, data: dict) -> str:
    if account is None:
        if "channel_type" not in data:
            raise ValidationFailed(fields={"channel_type": _("A new channel account needs a channel type.")})
        services.create_channel_account(member, **data)
        return "created"
    changes = _changed(_account_values(account), data)
    if changes:
        services.update_channel_account(member, account.pk, **changes)
    return "updated" if changes else "unchanged"


def _check_unique(specs, errors: list[csvio.RowError]) -> None:
    seen: set[str] = set()
    for number, data in specs:
        if data["name"] and data["name"] in seen:
            errors.append(csvio.RowError(number, "name", _("This name appears twice in the file.")))
        seen.add(data["name"])


# Plans


@dataclass
class PlanColumns:
    """The flattened columns of a plan file: channel accounts and KPIs by header."""

    budgets: dict[str, ChannelAccount] = field(default_factory=dict)
    targets: dict[str, str] = field(default_factory=dict)


def export_plans(workspace, *, chinese_headers: bool = False) -> bytes:
    plans = list(
        services.list_plans(workspace).select_related("product", "audience", "message", "owner__user")
    )
    accounts = {account.pk: account.name for account in services.list_channel_accounts(workspace)}
    used_accounts = sorted(
        {accounts[item.channel_account_id] for plan in plans for item in plan.channels.all()}
    )
    kpis = sorted({target.kpi for plan in plans for target in plan.targets.all()})
    headers = [
        *csvio.header_row(PLAN_COLUMNS, chinese=chinese_headers),
        *(("预算:" if chinese_headers else "budget:") + name for name in used_accounts),
        *(("预期:" if chinese_headers else "target:") + kpi for kpi in kpis),
    ]
    rows = []
    for plan in plans:
        budgets = {accounts[item.channel_account_id]: item.budget for item in plan.channels.all()}
        targets = {target.kpi: target.target.normalize() for target in plan.targets.all()}
        rows.append(
            [
                *(_plan_values(plan)[column] for column, _chinese, _others in PLAN_COLUMNS),
                *(budgets.get(name) for name in used_accounts),
                *(targets.get(kpi) for kpi in kpis),
            ]
        )
    return csvio.write_rows(headers, rows)


def _plan_values(plan: Plan) -> dict:
    return {
        "name": plan.name,
        "objective": plan.objective,
        "status": plan.status,
        "starts_on": plan.starts_on,
        "ends_on": plan.ends_on,
        "recurrence": plan.recurrence,
        "currency": plan.currency,
        "utm_campaign": plan.utm_campaign,
        "product": plan.product.name if plan.product else "",
        "audience": plan.audience.name if plan.audience else "",
        "message": plan.message.title if plan.message else "",
        "owner": plan.owner.user.email if plan.owner and plan.owner.user_id else "",
    }


@dataclass
class PlanSpec:
    number: int
    data: dict
    columns: dict[str, str] = field(default_factory=dict)  # service field -> import column


def import_plans(member, data: bytes) -> csvio.ImportResult:
    """Creates or updates plans by name, with their channel budgets and KPI targets; all or nothing."""
    require(member, Capability.PLAN)
    table = csvio.map_columns(csvio.read_table(data), csvio.aliases(PLAN_COLUMNS), PLAN_PREFIXES)
    csvio.require_columns(table, ["name"])
    flattened = _flattened_columns(member.workspace, table.headers)
    lookups = _lookups(member.workspace)
    errors: list[csvio.RowError] = []
    specs = [_parse_plan(csvio.RowReader(row, errors), flattened, lookups) for row in table.rows]
    _check_unique([(spec.number, spec.data) for spec in specs], errors)
    if errors:
        raise csvio.ImportFailed(errors)
    return csvio.all_or_nothing(lambda apply_errors: _apply_plans(member, specs, apply_errors))


def _flattened_columns(workspace, headers: list[str]) -> PlanColumns:
    accounts = list(services.list_channel_accounts(workspace))
    columns, errors = PlanColumns(), []
    for header in headers:
        if header.startswith("budget:"):
            account = _account_for(accounts, header.removeprefix("budget:"))
            if account is None:
                errors.append(csvio.RowError(1, header, _("No channel account has this name.")))
            columns.budgets[header] = account
        elif header.startswith("target:"):
            kpi = header.removeprefix("target:")
            if get_kpi(kpi) is None:
                errors.append(csvio.RowError(1, header, _("Unknown KPI: %s.") % kpi))
            columns.targets[header] = kpi
    if errors:
        raise csvio.ImportFailed(errors)
    return columns


def _account_for(accounts: list[ChannelAccount], label: str) -> ChannelAccount | None:
    """The account named ``label``, or the only account of channel type ``label``."""
    by_name = [account for account in accounts if _label(account.name) == label]
    by_type = [account for account in accounts if account.channel_type.code == label]
    matches = by_name or by_type
    return matches[0] if len(matches) == 1 else None


def _lookups(workspace) -> dict[str, dict[str, int | None]]:
    """Names to ids for the references a plan row may name; ``None`` marks an ambiguous name."""
    lookups: dict[str, dict[str, int | None]] = {}
    for column, (model, name_field) in REFERENCES.items():
        lookups[column] = {}
        for pk, name in scoped(model, workspace).values_list("pk", name_field):
            lookups[column][name] = None if name in lookups[column] else pk
    members = scoped(Member, workspace).values_list("pk", "user__email")
    lookups["owner"] = {email.lower(): pk for pk, email in members if email}
    return lookups


def _parse_plan(reader: csvio.RowReader, flattened: PlanColumns, lookups) -> PlanSpec:
    spec = PlanSpec(reader.row.number, {"name": reader.text("name", required=True, max_length=200)})
    for column in ("objective", "recurrence", "utm_campaign", "currency"):
        if reader.has(column):
            spec.data[column] = reader.text(column)
    if spec.data.get("currency") == "":
        del spec.data["currency"]
    for column in ("starts_on", "ends_on"):
        if reader.has(column):
            spec.data[column] = reader.date(column, required=True)
    if reader.has("status") and reader.text("status"):
        spec.data["status"] = _status(reader)
    for column in (*REFERENCES, "owner"):
        if reader.has(column):
            spec.data[f"{column}_id"] = _reference(reader, column, lookups[column])
            spec.columns[column] = column
    _parse_flattened(reader, spec, flattened)
    return spec


def _status(reader: csvio.RowReader) -> str:
    raw = reader.text("status")
    status = STATUS_WORDS.get(raw, raw.casefold())
    if status not in Plan.Status.values:
        reader.fail("status", _("Choose one of: %s.") % ", ".join(Plan.Status.values))
    return status


def _reference(reader: csvio.RowReader, column: str, names: dict[str, int | None]) -> int | None:
    raw = reader.text(column)
    if not raw:
        return None
    key = raw.lower() if column == "owner" else raw
    if key not in names:
        reader.fail(column, _("Nothing in this workspace has this name."))
    elif names[key] is None:
        reader.fail(column, _("Several records have this name; rename one first."))
    return names.get(key)


def _parse_flattened(reader: csvio.RowReader, spec: PlanSpec, flattened: PlanColumns) -> None:
    if flattened.budgets:
        spec.data["channels"] = []
        for header, account in flattened.budgets.items():
            budget = reader.decimal(header)
            if budget is not None:
                spec.columns[f"channels.{len(spec.data['channels'])}.budget"] = header
                spec.data["channels"].append({"channel_account_id": account.pk, "budget": budget})
    if flattened.targets:
        spec.data["targets"] = []
        for header, kpi in flattened.targets.items():
            target = reader.decimal(header)
            if target is not None:
                spec.columns[f"targets.{len(spec.data['targets'])}.target"] = header
                spec.data["targets"].append({"kpi": kpi, "target": target})


def _apply_plans(member, specs: list[PlanSpec], errors: list[csvio.RowError]) -> csvio.ImportResult:
    result = csvio.ImportResult()
    existing: dict[str, list[Plan]] = {}
    for plan in services.list_plans(member.workspace):
        existing.setdefault(plan.name, []).append(plan)
    for spec in specs:
        try:
            result.add(_apply_plan(member, existing.get(spec.data["name"], []), spec))
        except NetmarkError as exc:
            errors.extend(csvio.errors_from(spec.number, exc, {**spec.columns, "__all__": ""}))
    return result


def _apply_plan(member, matches: list[Plan], spec: PlanSpec) -> str:
    if len(matches) > 1:
        raise ValidationFailed(fields={"name": _("Several plans have this name; rename one first.")})
    if not matches:
        missing = [column for column in ("objective", "starts_on", "ends_on") if not spec.data.get(column)]
        if missing:
            raise ValidationFailed(fields=dict.fromkeys(missing, _("A new plan needs this value.")))
        services.create_plan(member, **spec.data)
        return "created"
    changes = _changed(_current(matches[0]), _comparable(spec.data))
    if changes:
        services.update_plan(member, matches[0].pk, **{key: spec.data[key] for key in changes})
    return "updated" if changes else "unchanged"


def _current(plan: Plan) -> dict:
    fields = ["name", "objective", "status", "starts_on", "ends_on", "recurrence", "currency", "utm_campaign"]
    values = {
        key: getattr(plan, key) for key in [*fields, "product_id", "audience_id", "message_id", "owner_id"]
    }
    values["channels"] = {item.channel_account_id: item.budget for item in plan.channels.all()}
    values["targets"] = {target.kpi: target.target for target in plan.targets.all()}
    return values


def _comparable(data: dict) -> dict:
    comparable = dict(data)
    if "channels" in data:
        comparable["channels"] = {item["channel_account_id"]: item["budget"] for item in data["channels"]}
    if "targets" in data:
        comparable["targets"] = {item["kpi"]: item["target"] for item in data["targets"]}
    return comparable
