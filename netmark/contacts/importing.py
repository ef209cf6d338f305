"""CSV import of contacts: column mapping, preview and dry run, dedupe, per-row errors, idempotence.

A file (UTF-8, UTF-8 with BOM, GBK / GB18030, via ``core.csvio``) is read once; each header maps to
a contact field, ``custom:<key>``, ``tags`` (split on ``,;，；、``), ``note`` (a timeline note) or
nothing (ignored). ``suggest_mapping`` proposes one from English and Chinese headers.

Rows are applied in chunks, each in its own transaction: cleaned and normalised in Python, then
handed to ``import_chunk.ChunkApplier``, which matches them against existing contacts by email then
phone in two queries a chunk (and against earlier rows of the file) and writes them in bulk. A bad
row is skipped and reported (row, column, message); the others go in. Existing contacts keep their
values, and only empty fields are filled, unless ``overwrite``. Notes carry ``source_ref =
import:<file digest>:<row>``, so importing the same file again changes nothing and reports every
row unchanged.
"""

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from netmark.contacts import fields as custom_fields
from netmark.contacts import normalise
from netmark.contacts.import_chunk import ChunkApplier
from netmark.contacts.models import Stage
from netmark.core import csvio
from netmark.core.errors import ValidationFailed

CHUNK = 2000
MAX_ERRORS = 1000
PREVIEW_ROWS = 10
TAG_SPLIT = re.compile(r"[,;，；、|]")
COLUMNS = [
    ("name", "姓名", ["名字", "客户姓名", "联系人", "full name"]),
    ("email", "邮箱", ["电子邮件", "电子邮箱", "e-mail", "mail", "邮件"]),
    ("phone", "手机", ["电话", "手机号", "手机号码", "联系电话", "mobile", "telephone", "tel"]),
    ("wechat_id", "微信", ["微信号", "wechat", "weixin"]),
    ("company", "公司", ["公司名称", "单位", "company name", "organisation", "organization"]),
    ("title", "职位", ["职务", "job title", "position"]),
    ("city", "城市", ["所在城市", "地区"]),
    ("language", "语言", ["lang"]),
    ("source", "来源", ["渠道来源", "lead source"]),
    ("stage", "阶段", ["生命周期", "lifecycle stage", "lifecycle"]),
    ("tags", "标签", ["tag"]),
    ("note", "备注", ["notes", "说明", "remark"]),
]
TARGETS = {canonical for canonical, _zh, _others in COLUMNS}
STAGE_WORDS = {
    "订阅者": "subscriber",
    "线索": "lead",
    "合格线索": "qualified",
    "客户": "customer",
    "流失": "lost",
}


def suggest_mapping(headers: list[str], definitions: dict) -> dict[str, str]:
    """header -> target ("" = ignore) from the known aliases and the custom fields' keys and labels."""
    lookup = {csvio.normalise_header(alias): canonical for alias, canonical in csvio.aliases(COLUMNS).items()}
    for key, definition in definitions.items():
        for alias in (key, f"custom:{key}", definition.label):
            lookup[csvio.normalise_header(alias)] = f"custom:{key}"
    return {header: lookup.get(header, "") for header in headers if header}


def clean_mapping(headers: list[str], mapping: dict | None, definitions: dict) -> dict[str, str]:
    """The mapping to use: the suggestion, overridden by ``mapping`` (header -> target or "")."""
    result = suggest_mapping(headers, definitions)
    errors = {}
    for header, target in (mapping or {}).items():
        key = csvio.normalise_header(str(header))
        target = str(target or "").strip()
        if key not in result:
            errors[f"mapping.{header}"] = _("The file has no such column.")
        elif target and target not in TARGETS and target.removeprefix("custom:") not in definitions:
            errors[f"mapping.{header}"] = _("Unknown target field.")
        else:
            result[key] = target
    used = [target for target in result.values() if target]
    if len(used) != len(set(used)):
        errors["mapping"] = _("Two columns are mapped to the same field; keep one of them.")
    if errors:
        raise ValidationFailed(fields=errors)
    return result


@dataclass
class Outcome:
    total: int = 0
    processed: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0

    def fail(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "column": column, "message": str(message)})

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "processed": self.processed,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "error_count": self.error_count,
            "errors": self.errors,
        }


@dataclass
class Parsed:
    number: int
    values: dict
    tags: list[str]
    note: str


class _RowParser:
    def __init__(self, mapping: dict[str, str], definitions: dict, outcome: Outcome):
        self.mapping = {header: target for header, target in mapping.items() if target}
        self.column_of = {target: header for header, target in self.mapping.items()}
        self.definitions = definitions
        self.outcome = outcome

    def parse(self, row: csvio.Row) -> Parsed | None:
        errors: dict[str, str] = {}
        if row.extra:
            errors[""] = _("This row has more cells than the header has columns.")
        raw = {
            target: csvio.unescape_cell(row.values.get(header, "")).strip()
            for header, target in self.mapping.items()
        }
        values, custom = {}, {}
        for target, cell in raw.items():
            if target in ("tags", "note") or not cell:
                continue
            if target.startswith("custom:"):
                custom[target.removeprefix("custom:")] = cell
            else:
                values[target] = self._value(target, cell, errors)
        if custom or any(d.is_required for d in self.definitions.values()):
            try:
                values["custom"] = custom_fields.clean_custom(None, custom, definitions=self.definitions)
            except ValidationFailed as exc:
                errors.update({key.replace("custom.", "custom:"): msg for key, msg in exc.fields.items()})
        if not (values.get("email") or values.get("phone") or values.get("name")) and not errors:
            errors[""] = _("A contact needs at least a name, an email or a phone.")
        for target, message in errors.items():
            self.outcome.fail(row.number, self.column_of.get(target, target), message)
        if errors:
            return None
        tags = [normalise.text(tag)[:60] for tag in TAG_SPLIT.split(raw.get("tags", ""))]
        return Parsed(
            row.number, values, [tag for tag in dict.fromkeys(tags) if tag], raw.get("note", "")[:10_000]
        )

    def _value(self, target: str, cell: str, errors: dict):
        try:
            if target == "email":
                return normalise.email(cell)
            if target == "phone":
                return normalise.phone(cell)
        except ValidationFailed as exc:
            errors[target] = next(iter(exc.fields.values()))
            return ""
        if target == "stage":
            stage = STAGE_WORDS.get(cell, cell.lower())
            if stage not in Stage.values:
                errors[target] = _("Use subscriber, lead, qualified, customer or lost.")
            return stage
        limit = 200 if target in ("name", "company") else 100 if target != "language" else 10
        value = normalise.text(cell)
        if len(value) > limit:
            errors[target] = _("At most %(count)d characters.") % {"count": limit}
        return value


def run(
    workspace,
    data: bytes,
    *,
    mapping: dict | None = None,
    source: str = "import",
    digest: str = "",
    overwrite: bool = False,
    dry_run: bool = False,
    progress: Callable[[Outcome], None] | None = None,
) -> Outcome:
    """Imports ``data``; with ``dry_run`` everything is computed and rolled back."""
    table = csvio.read_table(data)
    definitions = {d.key: d for d in custom_fields.list_fields(workspace)}
    mapping = clean_mapping(table.headers, mapping, definitions)
    outcome = Outcome(total=len(table.rows))
    parser = _RowParser(mapping, definitions, outcome)
    applier = ChunkApplier(workspace, source, digest or "dry-run", overwrite, outcome)
    try:
        with transaction.atomic() if dry_run else contextlib.nullcontext():
            for start in range(0, len(table.rows), CHUNK):
                chunk = table.rows[start : start + CHUNK]
                parsed = [p for p in (parser.parse(row) for row in chunk) if p is not None]
                with transaction.atomic():
                    applier.apply(parsed)
                outcome.processed = start + len(chunk)
                if progress is not None and not dry_run:
                    progress(outcome)
            if dry_run:
                raise _DryRun()
    except _DryRun:
        pass
    return outcome


class _DryRun(Exception):
    pass


def preview(workspace, data: bytes, *, mapping: dict | None = None, overwrite: bool = False) -> dict:
    """Headers, the mapping in force, the first rows as mapped, and a dry run's counts and errors."""
    table = csvio.read_table(data)
    definitions = {d.key: d for d in custom_fields.list_fields(workspace)}
    used = clean_mapping(table.headers, mapping, definitions)
    sample = [{used[h]: row.values.get(h, "") for h in used if used[h]} for row in table.rows[:PREVIEW_ROWS]]
    outcome = run(workspace, data, mapping=mapping, overwrite=overwrite, dry_run=True)
    return {
        "encoding": table.encoding,
        "headers": table.headers,
        "mapping": used,
        "ignored": [h for h, target in used.items() if not target],
        "sample": sample,
        "dry_run": outcome.as_dict(),
    }
