"""The segment builder page's rows: condition rows (field, operator, value, and for consent and
behaviour an extra text and a number of days) turned into a filter tree and back.

Values arrive as text: lists (``in``) and ranges (``between``) are comma-separated (a multiple
select sends several values, joined the same way), numbers and booleans are parsed by the field's
type. Fields with a closed set of values (lifecycle stage, choice custom fields, do-not-contact,
the consent purpose) are offered as selects (``dress_rows``), and each row offers only its
field's operators. A tree that is not one flat group of conditions is edited
as JSON instead (``as_rows`` answers None); validation stays ``segment_filters.clean_filter``'s.
"""

from django.utils.translation import gettext_lazy as _

from netmark.contacts import consent
from netmark.contacts.models import Stage
from netmark.contacts.segment_filters import BEHAVIOUR_FIELDS, MAX_LIST, FieldSpec, field_specs
from netmark.core.scoping import scoped

MAX_ROWS = 20
EXTRA_KEY = {"consent": "purpose", **BEHAVIOUR_FIELDS}
FIELD_LABELS = {
    "name": _("Name"),
    "email": _("Email"),
    "phone": _("Phone"),
    "wechat_id": _("WeChat ID"),
    "title": _("Title"),
    "city": _("City"),
    "language": _("Language"),
    "source": _("Source"),
    "company": _("Company"),
    "created_at": _("Created"),
    "last_activity_at": _("Last activity"),
    "stage": _("Lifecycle stage"),
    "score": _("Lead score"),
    "tag": _("Tag"),
    "consent": _("Consent (purpose in the extra box)"),
    "do_not_contact": _("Do not contact"),
    "source_plan_id": _("Promotion (id)"),
    "search": _("Search text"),
    "visited_page": _("Visited a page (pattern in the extra box)"),
    "triggered_event": _("Triggered an event (name in the extra box)"),
    "submitted_form": _("Submitted a form (form id in the extra box)"),
}
OP_LABELS = {
    "eq": _("is"),
    "neq": _("is not"),
    "contains": _("contains"),
    "starts": _("starts with"),
    "in": _("is one of (a, b, c)"),
    "empty": _("is empty"),
    "not_empty": _("is not empty"),
    "gt": _("is after / greater than"),
    "lt": _("is before / less than"),
    "between": _("is between (from, to)"),
    "within_days": _("in the last N days"),
    "before_days": _("more than N days ago"),
    "has": _("has"),
    "has_not": _("has not"),
    "granted": _("is granted"),
    "not_granted": _("is not granted"),
    "matches": _("matches"),
    "at_least": _("at least N times"),
}


def choices(workspace) -> dict:
    """What the builder's selects offer: fields (custom ones by label) and every operator."""
    from netmark.contacts.fields import list_fields

    labels = {f"custom.{field.key}": field.label for field in list_fields(workspace)}
    fields = [(name, FIELD_LABELS.get(name) or labels.get(name, name)) for name in field_specs(workspace)]
    return {"fields": fields, "ops": list(OP_LABELS.items())}


def _parse_one(spec: FieldSpec, text: str):
    text = text.strip()
    if spec.value in ("number",):
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() else number
    if spec.value in ("id", "count", "days"):
        return int(text) if text.isdigit() else text
    if spec.value == "bool":
        return {"true": True, "yes": True, "是": True, "false": False, "no": False, "否": False}.get(
            text.lower(), text
        )
    return text


def _value(spec: FieldSpec, op: str, text: str):
    if op in ("empty", "not_empty", "granted", "not_granted"):
        return None
    if op in ("in", "between"):
        return [_parse_one(spec, part) for part in text.replace("，", ",").split(",") if part.strip()]
    if op in ("within_days", "before_days"):
        return _parse_one(FieldSpec((), "days"), text)
    return _parse_one(spec, text)


def rows_to_tree(workspace, match: str, rows: list[dict]) -> dict:
    """A group of the filled rows (``match`` "and" or "or"); rows without a field are skipped."""
    specs = field_specs(workspace)
    rules = []
    for row in rows[:MAX_ROWS]:
        field, op = row.get("field", ""), row.get("op", "")
        if not field:
            continue
        spec = specs.get(field, FieldSpec((), "text"))
        node = {"field": field, "op": op}
        value = _value(spec, op, row.get("value", ""))
        if value is not None and (value != "" or op not in ("empty", "not_empty")):
            node["value"] = value
        if field in EXTRA_KEY:
            node[EXTRA_KEY[field]] = row.get("extra", "").strip()
        if field in BEHAVIOUR_FIELDS:
            days = row.get("days", "").strip()
            node["days"] = int(days) if days.isdigit() else days
        rules.append(node)
    return {"op": "or" if match == "or" else "and", "rules": rules}


def _text(value) -> str:
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def as_rows(tree: dict) -> tuple[str, list[dict]] | None:
    """The match and rows of a flat and/or group, or None for a tree the rows cannot show."""
    if not tree or tree.get("op") not in ("and", "or"):
        return ("and", []) if not tree else None
    rows = []
    for node in tree.get("rules", []):
        if "rules" in node:
            return None
        field = node.get("field", "")
        rows.append(
            {
                "field": field,
                "op": node.get("op", ""),
                "value": _text(node.get("value")),
                "extra": _text(node.get(EXTRA_KEY.get(field, ""), "")),
                "days": _text(node.get("days", "")),
            }
        )
    return tree["op"], rows


def read_row(post, index: int) -> dict:
    """Row ``index`` of a POST; a multiple select's values are joined with commas."""
    row = {key: post.get(f"{key}-{index}", "")[:300] for key in ("field", "op", "extra", "days")}
    row["value"] = ", ".join(part[:300] for part in post.getlist(f"value-{index}")[:MAX_LIST])[:3000]
    return row


def read_rows(post) -> list[dict]:
    """The builder's rows from a POST: ``field-N``, ``op-N``, ``value-N``, ``extra-N``, ``days-N``."""
    rows = []
    for index in range(MAX_ROWS):
        if f"field-{index}" not in post:
            break
        rows.append(read_row(post, index))
    return rows


def _purposes(workspace) -> list[tuple[str, str]]:
    from netmark.contacts.models import Consent

    known = {key: str(label) for key, label in consent.PURPOSES.items()}
    used = scoped(Consent, workspace).values_list("purpose", flat=True).distinct()
    return [*known.items(), *((name, name) for name in sorted(set(used) - set(known)))]


def value_options(workspace, specs: dict[str, FieldSpec]) -> dict[str, list[tuple[str, str]]]:
    """The fields whose value is one of a closed set, with (value, label) pairs for their select."""
    options = {"stage": [(value, str(label)) for value, label in Stage.choices]}
    options["do_not_contact"] = [("true", str(_("Yes"))), ("false", str(_("No")))]
    for name, spec in specs.items():
        if name.startswith("custom.") and spec.choices:
            options[name] = [(choice, choice) for choice in spec.choices]
    return options


def dress_rows(workspace, rows: list[dict]) -> list[dict]:
    """Each row with what its widgets offer: ``ops`` (the field's operators, or all without a
    field), ``options`` (a select's values, with ``multiple`` for ``in``), ``selected`` (the
    chosen values) and ``extra_options`` (the consent purposes)."""
    specs = field_specs(workspace)
    options = value_options(workspace, specs)
    purposes = _purposes(workspace) if any(row.get("field") == "consent" for row in rows) else []
    dressed = []
    for row in rows:
        field = row.get("field", "")
        spec = specs.get(field)
        ops = [(op, OP_LABELS[op]) for op in spec.ops if op in OP_LABELS] if spec else list(OP_LABELS.items())
        selected = [
            part.strip() for part in row.get("value", "").replace("，", ",").split(",") if part.strip()
        ]
        dressed.append(
            {
                **row,
                "ops": ops,
                "options": options.get(field, []),
                "multiple": row.get("op") == "in",
                "selected": selected,
                "extra_options": purposes if field == "consent" else [],
            }
        )
    return dressed
