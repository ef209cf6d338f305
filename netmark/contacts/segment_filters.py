"""The filter tree of dynamic segments: its grammar and its strict validation (docs/contacts.md,
"Segments").

A tree is a group ``{"op": "and" | "or" | "not", "rules": [node, ...]}`` (``not`` negates the AND of
its rules) whose nodes are groups or conditions ``{"field": ..., "op": ..., "value": ...}`` (behaviour
conditions carry ``path`` / ``name`` / ``form_id`` and ``days`` too). ``clean_filter`` returns the
normalised tree or raises ``ValidationFailed`` naming each bad node by its path, such as
``filter.rules[1].value``. Bounds (depth, nodes, list sizes, text lengths) keep a hostile tree cheap.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from netmark.contacts import consent
from netmark.contacts.models import CustomField, Stage
from netmark.core.errors import ValidationFailed
from netmark.core.scoping import scoped

MAX_DEPTH = 5
MAX_NODES = 100
MAX_LIST = 200
MAX_TEXT = 200
MAX_DAYS = 3650
MAX_COUNT = 10_000
GROUP_OPS = ("and", "or", "not")

TEXT_OPS = ("eq", "neq", "contains", "starts", "in", "empty", "not_empty")
NUMBER_OPS = ("eq", "neq", "gt", "lt", "between", "empty", "not_empty")
DATE_OPS = ("eq", "gt", "lt", "between", "within_days", "before_days", "empty", "not_empty")
CHOICE_OPS = ("eq", "neq", "in", "empty", "not_empty")
MULTI_OPS = ("has", "has_not", "empty", "not_empty")
BOOLEAN_OPS = ("eq", "empty", "not_empty")
UNARY = ("empty", "not_empty")

TEXT_FIELDS = ("name", "email", "phone", "wechat_id", "title", "city", "language", "source", "company")
DATE_FIELDS = ("created_at", "last_activity_at")
BEHAVIOUR_FIELDS = {"visited_page": "path", "triggered_event": "name", "submitted_form": "form_id"}
CUSTOM_OPS = {
    CustomField.Kind.TEXT: TEXT_OPS,
    CustomField.Kind.NUMBER: NUMBER_OPS,
    CustomField.Kind.DATE: DATE_OPS,
    CustomField.Kind.CHOICE: CHOICE_OPS,
    CustomField.Kind.MULTI_CHOICE: MULTI_OPS,
    CustomField.Kind.BOOLEAN: BOOLEAN_OPS,
}


@dataclass(frozen=True)
class FieldSpec:
    """What a condition's ``field`` allows: its operators and the type of its values."""

    ops: tuple[str, ...]
    value: str  # text, number, date, stage, bool, tag, count, days, none
    choices: tuple[str, ...] = ()


class _Errors(dict):
    def add(self, path: str, message: str) -> None:
        self.setdefault(f"filter.{path}" if path else "filter", message)


def field_specs(workspace) -> dict[str, FieldSpec]:
    """Every field a condition may name in this workspace (custom fields as ``custom.<key>``)."""
    specs = {name: FieldSpec(TEXT_OPS, "text") for name in TEXT_FIELDS}
    specs.update({name: FieldSpec(DATE_OPS, "date") for name in DATE_FIELDS})
    specs["stage"] = FieldSpec(("eq", "neq", "in"), "stage", tuple(Stage.values))
    specs["tag"] = FieldSpec(("has", "has_not"), "text")
    specs["consent"] = FieldSpec(("granted", "not_granted"), "none")
    specs["do_not_contact"] = FieldSpec(("eq",), "bool")
    specs["source_plan_id"] = FieldSpec(("eq", "in", "empty", "not_empty"), "id")
    specs["search"] = FieldSpec(("matches",), "text")
    specs["score"] = FieldSpec(("gt", "lt", "between"), "number")  # the stored lead score
    for name in BEHAVIOUR_FIELDS:
        specs[name] = FieldSpec(("at_least",), "count")
    for field in scoped(CustomField, workspace):
        kind = {"multi_choice": "choice", "boolean": "bool"}.get(field.kind, field.kind)
        specs[f"custom.{field.key}"] = FieldSpec(CUSTOM_OPS[field.kind], kind, tuple(field.choices))
    return specs


def _text(spec: FieldSpec, value, path: str, errors: _Errors):
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        errors.add(path, _("Give a text of 1 to 200 characters."))
        return None
    if spec.choices and value not in spec.choices:
        errors.add(path, _("Choose one of: %(choices)s.") % {"choices": ", ".join(spec.choices)[:300]})
        return None
    return value if spec.value != "text" else value.strip()


def _number(spec: FieldSpec, value, path: str, errors: _Errors):
    if isinstance(value, bool) or not isinstance(value, int | float) or abs(value) >= 1e15:
        errors.add(path, _("Give a number."))
        return None
    return value


def _date(spec: FieldSpec, value, path: str, errors: _Errors):
    try:
        return date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        errors.add(path, _("Give a date such as 2026-10-12."))
        return None


def _boolean(spec: FieldSpec, value, path: str, errors: _Errors):
    if not isinstance(value, bool):
        errors.add(path, _("Give true or false."))
        return None
    return value


def _whole(spec: FieldSpec, value, path: str, errors: _Errors):
    top = {"id": 2**63 - 1, "count": MAX_COUNT, "days": MAX_DAYS}[spec.value]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
        errors.add(path, _("Give a whole number from 1 to %(top)s.") % {"top": top})
        return None
    return value


SCALARS = {
    "text": _text,
    "choice": _text,
    "stage": _text,
    "number": _number,
    "date": _date,
    "bool": _boolean,
    "id": _whole,
    "count": _whole,
    "days": _whole,
}


def _scalar(spec: FieldSpec, value, path: str, errors: _Errors):
    """The cleaned single value of type ``spec.value``, or None with an error added."""
    return SCALARS[spec.value](spec, value, path, errors)


def _value(spec: FieldSpec, op: str, value, path: str, errors: _Errors):
    if op in UNARY or spec.value == "none":
        if value not in (None, True):
            errors.add(path, _("This operator takes no value."))
        return None
    if op == "in":
        if not isinstance(value, list) or not 1 <= len(value) <= MAX_LIST:
            errors.add(path, _("Give a list of 1 to 200 values."))
            return None
        return [_scalar(spec, item, f"{path}[{index}]", errors) for index, item in enumerate(value)]
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            errors.add(path, _("Give two values: [from, to]."))
            return None
        low, high = (_scalar(spec, item, f"{path}[{index}]", errors) for index, item in enumerate(value))
        if low is not None and high is not None and low > high:
            errors.add(path, _("The first value must not be greater than the second."))
        return [low, high]
    if op in ("within_days", "before_days"):
        return _scalar(FieldSpec((), "days"), value, path, errors)
    return _scalar(spec, value, path, errors)


def _condition(node: dict, path: str, specs: dict, errors: _Errors) -> dict:
    field = node.get("field")
    spec = specs.get(field) if isinstance(field, str) else None
    if spec is None:
        errors.add(f"{path}field", _("Unknown field: %(field)s.") % {"field": str(field)[:60]})
        return node
    op = node.get("op")
    if op not in spec.ops:
        errors.add(f"{path}op", _("Use one of: %(ops)s.") % {"ops": ", ".join(spec.ops)})
        return node
    extra = {"consent": ("purpose",), **{name: (key, "days") for name, key in BEHAVIOUR_FIELDS.items()}}
    allowed = {"field", "op", "value", *extra.get(field, ())}
    for key in sorted(set(node) - allowed):
        errors.add(f"{path}{key}", _("Unknown key."))
    cleaned = {"field": field, "op": op}
    value = _value(spec, op, node.get("value"), f"{path}value", errors)
    if value is not None:
        cleaned["value"] = value
    if field == "consent":
        purpose = node.get("purpose")
        if not isinstance(purpose, str) or not consent.PURPOSE.match(purpose):
            errors.add(f"{path}purpose", _("Use a lower-case name such as email_marketing."))
        cleaned["purpose"] = purpose
    if field in BEHAVIOUR_FIELDS:
        key = BEHAVIOUR_FIELDS[field]
        cleaned[key] = _scalar(FieldSpec((), "text"), node.get(key), f"{path}{key}", errors)
        cleaned["days"] = _scalar(FieldSpec((), "days"), node.get("days"), f"{path}days", errors)
    return cleaned


def _node(node, path: str, depth: int, specs: dict, errors: _Errors, counter: list[int]) -> dict:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        errors.add(
            path.rstrip("."), _("A filter has at most %(n)s conditions and groups.") % {"n": MAX_NODES}
        )
        return {}
    if not isinstance(node, dict):
        errors.add(path.rstrip("."), _("Give an object: a group or a condition."))
        return {}
    if "rules" not in node:
        return _condition(node, path, specs, errors)
    if depth >= MAX_DEPTH:
        errors.add(path.rstrip("."), _("Groups nest at most %(n)s deep.") % {"n": MAX_DEPTH})
        return {}
    if node.get("op") not in GROUP_OPS:
        errors.add(f"{path}op", _("Use and, or or not."))
    for key in sorted(set(node) - {"op", "rules"}):
        errors.add(f"{path}{key}", _("Unknown key."))
    rules = node.get("rules")
    if not isinstance(rules, list):
        errors.add(f"{path}rules", _("Give a list of conditions."))
        return {}
    cleaned = [
        _node(rule, f"{path}rules[{index}].", depth + 1, specs, errors, counter)
        for index, rule in enumerate(rules)
    ]
    return {"op": node.get("op"), "rules": cleaned}


def clean_filter(workspace, tree) -> dict:
    """The validated, normalised filter tree; ``ValidationFailed`` names every bad node's path.
    An empty group (``{"op": "and", "rules": []}``) matches every contact."""
    errors = _Errors()
    if not isinstance(tree, dict) or "rules" not in tree:
        raise ValidationFailed(fields={"filter": _('Give a group such as {"op": "and", "rules": [...]}.')})
    cleaned = _node(tree, "", 0, field_specs(workspace), errors, [0])
    if errors:
        raise ValidationFailed(fields=dict(errors))
    return cleaned
