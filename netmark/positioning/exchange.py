"""CSV export and import of a workspace's positioning: products, audiences and messages.

One file holds all three, told apart by the ``kind`` column (``product`` / ``audience`` /
``message``, or 产品 / 受众 / 信息), so messages can name a product and an audience defined a
few rows above. Columns that do not apply to a kind stay empty. Headers are accepted in English
or Chinese (``name`` / ``名称``). Cell formats:

- ``channel_presence``: ``weibo=60; zhihu=40`` (channel type code or name, weight 0..100);
- ``languages``: ``zh-hans; en``; ``proof_points``: one per line inside the cell.

Import is all or nothing: every row is validated and applied inside one transaction and any
error rolls everything back, reported row by row. Rows match existing records by name (a
message by its title), so importing the same file twice updates instead of duplicating.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from netmark.core import csvio
from netmark.core.errors import NetmarkError, ValidationFailed
from netmark.core.roles import Capability, require
from netmark.core.scoping import scoped
from netmark.planning.models import ChannelType
from netmark.positioning import services
from netmark.positioning.models import Audience, Message, Product

# canonical name, Chinese header, further accepted headers
COLUMNS = [
    ("kind", "类型", ["type", "种类"]),
    ("name", "名称", ["title", "标题"]),
    ("description", "描述", ["说明"]),
    ("price", "价格", []),
    ("currency", "币种", ["货币"]),
    ("margin_percent", "毛利率", ["margin %", "margin", "毛利率%"]),
    ("url", "链接", ["网址"]),
    ("status", "状态", []),
    ("characteristics", "特征", ["人群特征"]),
    ("needs", "需求", ["needs and pains", "需求与痛点"]),
    ("channel_presence", "活跃渠道", ["where they spend time", "渠道分布"]),
    ("size_estimate", "人群规模", ["size estimate", "规模"]),
    ("languages", "语言", []),
    ("product", "产品", []),
    ("audience", "受众", ["目标受众"]),
    ("value_proposition", "价值主张", ["value proposition", "核心卖点"]),
    ("proof_points", "支撑点", ["proof points", "证据"]),
    ("call_to_action", "行动号召", ["call to action"]),
    ("tone", "语气", ["调性"]),
    ("language", "文案语言", []),
]
ALIASES = csvio.aliases(COLUMNS)
KINDS = {
    "product": "product",
    "产品": "product",
    "audience": "audience",
    "受众": "audience",
    "message": "message",
    "信息": "message",
    "宣传信息": "message",
}
PRODUCT_FIELDS = ["description", "price", "currency", "margin_percent", "url", "status"]
AUDIENCE_FIELDS = ["characteristics", "needs", "channel_presence", "size_estimate", "languages"]
MESSAGE_FIELDS = ["value_proposition", "proof_points", "call_to_action", "tone", "language"]
LIST_SEPARATORS = re.compile(r"[;；,，、\n]+")


@dataclass
class Spec:
    """One parsed row: what to create or update, and under which name."""

    row: int
    kind: str
    name: str
    data: dict = field(default_factory=dict)


# Export


def export_positioning(workspace, *, chinese_headers: bool = False) -> bytes:
    headers = csvio.header_row(COLUMNS, chinese=chinese_headers)
    canonical = [column for column, _chinese, _others in COLUMNS]
    rows = [
        *(_product_row(product) for product in services.list_products(workspace)),
        *(_audience_row(audience) for audience in services.list_audiences(workspace)),
        *(_message_row(message) for message in services.list_messages(workspace)),
    ]
    return csvio.write_rows(headers, ([row.get(column) for column in canonical] for row in rows))


def _product_row(product: Product) -> dict:
    return {"kind": "product", "name": product.name, **{key: getattr(product, key) for key in PRODUCT_FIELDS}}


def _audience_row(audience: Audience) -> dict:
    presence = "; ".join(f"{code}={weight}" for code, weight in audience.channel_presence.items())
    return {
        "kind": "audience",
        "name": audience.name,
        "characteristics": audience.characteristics,
        "needs": audience.needs,
        "channel_presence": presence,
        "size_estimate": audience.size_estimate,
        "languages": "; ".join(audience.languages),
    }


def _message_row(message: Message) -> dict:
    return {
        "kind": "message",
        "name": message.title,
        "product": message.product.name,
        "audience": message.audience.name,
        "value_proposition": message.value_proposition,
        "proof_points": "\n".join(message.proof_points),
        "call_to_action": message.call_to_action,
        "tone": message.tone,
        "language": message.language,
    }


# Import


def import_positioning(member, data: bytes) -> csvio.ImportResult:
    """Creates or updates the products, audiences and messages in ``data``; all or nothing."""
    require(member, Capability.PLAN)
    table = csvio.map_columns(csvio.read_table(data), ALIASES)
    csvio.require_columns(table, ["kind", "name"])
    errors: list[csvio.RowError] = []
    specs = [_parse(csvio.RowReader(row, errors)) for row in table.rows]
    specs = [spec for spec in specs if spec is not None]
    _check_names(specs, member.workspace, errors)
    if errors:
        raise csvio.ImportFailed(errors)
    return csvio.all_or_nothing(lambda apply_errors: _apply(member, specs, apply_errors))


def _parse(reader: csvio.RowReader) -> Spec | None:
    kind = KINDS.get(reader.text("kind").casefold())
    if kind is None:
        reader.fail("kind", _("Use product, audience or message."))
        return None
    spec = Spec(reader.row.number, kind, reader.text("name", required=True, max_length=200))
    parse = {"product": _parse_product, "audience": _parse_audience, "message": _parse_message}[kind]
    parse(reader, spec)
    return spec


def _parse_product(reader: csvio.RowReader, spec: Spec) -> None:
    for column in ("description", "currency", "url", "status"):
        if reader.has(column):
            spec.data[column] = reader.text(column)
    _drop_empty(spec.data, ("currency", "status"))  # empty choice cells keep the default or current value
    for column in ("price", "margin_percent"):
        if reader.has(column):
            spec.data[column] = reader.decimal(column)


def _parse_audience(reader: csvio.RowReader, spec: Spec) -> None:
    for column in ("characteristics", "needs"):
        if reader.has(column):
            spec.data[column] = reader.text(column)
    if reader.has("size_estimate"):
        spec.data["size_estimate"] = reader.integer("size_estimate")
    if reader.has("languages"):
        items = LIST_SEPARATORS.split(reader.text("languages"))
        spec.data["languages"] = [item.strip() for item in items if item.strip()]
    if reader.has("channel_presence"):
        spec.data["channel_presence"] = _parse_presence(reader)


def _parse_presence(reader: csvio.RowReader) -> dict:
    codes = {}
    for channel_type in ChannelType.objects.all():
        for label in (channel_type.code, channel_type.name_en, channel_type.name_zh):
            codes[label.casefold()] = channel_type.code
    presence = {}
    for item in LIST_SEPARATORS.split(reader.text("channel_presence")):
        label, _sep, weight = item.replace("：", ":").replace(":", "=").rpartition("=")
        if not item.strip():
            continue
        code = codes.get(label.strip().casefold())
        if code is None or not weight.strip().isdigit():
            reader.fail("channel_presence", _("Write channel=weight pairs, e.g. weibo=60; zhihu=40."))
            return {}
        presence[code] = int(weight)
    return presence


def _parse_message(reader: csvio.RowReader, spec: Spec) -> None:
    for column in ("product", "audience"):
        spec.data[column] = reader.text(column, required=True)
    for column in ("value_proposition", "call_to_action", "tone", "language"):
        if reader.has(column):
            spec.data[column] = reader.text(column)
    _drop_empty(spec.data, ("tone", "language"))
    if reader.has("proof_points"):
        lines = reader.raw("proof_points").splitlines()
        spec.data["proof_points"] = [line.strip() for line in lines if line.strip()]


def _drop_empty(data: dict, columns: tuple[str, ...]) -> None:
    for column in columns:
        if data.get(column) == "":
            del data[column]


def _check_names(specs: list[Spec], workspace, errors: list[csvio.RowError]) -> None:
    """Names are unique per kind within the file; messages name products and audiences that exist."""
    seen: set[tuple[str, str]] = set()
    for spec in specs:
        if (spec.kind, spec.name) in seen:
            errors.append(csvio.RowError(spec.row, "name", _("This name appears twice in the file.")))
        seen.add((spec.kind, spec.name))
    known = {
        "product": set(scoped(Product, workspace).values_list("name", flat=True)),
        "audience": set(scoped(Audience, workspace).values_list("name", flat=True)),
    }
    for spec in specs:
        if spec.kind in known:
            known[spec.kind].add(spec.name)
    for spec in specs:
        for kind in ("product", "audience"):
            name = spec.data.get(kind) if spec.kind == "message" else None
            if name and name not in known[kind]:
                errors.append(
                    csvio.RowError(spec.row, kind, _("No %(kind)s has this name.") % {"kind": kind})
                )


def _apply(member, specs: list[Spec], errors: list[csvio.RowError]) -> csvio.ImportResult:
    result = csvio.ImportResult()
    order = {"product": 0, "audience": 1, "message": 2}
    for spec in sorted(specs, key=lambda item: (order[item.kind], item.row)):
        try:
            outcome = APPLY[spec.kind](member, spec)
        except NetmarkError as exc:
            errors.extend(csvio.errors_from(spec.row, exc, {"title": "name", "__all__": ""}))
            continue
        result.add(outcome)
    return result


def _changed(instance, data: dict) -> dict:
    return {key: value for key, value in data.items() if getattr(instance, key) != value}


def _apply_product(member, spec: Spec) -> str:
    existing = scoped(Product, member.workspace).filter(name=spec.name).first()
    if existing is None:
        services.create_product(member, name=spec.name, **spec.data)
        return "created"
    changes = _changed(existing, spec.data)
    if changes:
        services.update_product(member, existing.pk, **changes)
    return "updated" if changes else "unchanged"


def _apply_audience(member, spec: Spec) -> str:
    existing = scoped(Audience, member.workspace).filter(name=spec.name).first()
    if existing is None:
        services.create_audience(member, name=spec.name, **spec.data)
        return "created"
    changes = _changed(existing, spec.data)
    if changes:
        services.update_audience(member, existing.pk, **changes)
    return "updated" if changes else "unchanged"


def _apply_message(member, spec: Spec) -> str:
    workspace = member.workspace
    data = dict(spec.data)
    data["product_id"] = scoped(Product, workspace).get(name=data.pop("product")).pk
    data["audience_id"] = scoped(Audience, workspace).get(name=data.pop("audience")).pk
    existing = scoped(Message, workspace).filter(title=spec.name).order_by("id")
    if not existing:
        services.create_message(member, title=spec.name, **data)
        return "created"
    if len(existing) > 1:
        raise ValidationFailed(fields={"title": _("Several messages have this title; rename one first.")})
    changes = _changed(existing[0], data)
    if changes:
        services.update_message(member, existing[0].pk, **changes)
    return "updated" if changes else "unchanged"


APPLY = {"product": _apply_product, "audience": _apply_audience, "message": _apply_message}
