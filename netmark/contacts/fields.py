"""Typed custom fields per workspace: definitions and the validation of a contact's values.

Values live in ``Contact.custom`` as JSON keyed by the field's key: text as a string, number as a
JSON number (int when whole), date as ``YYYY-MM-DD``, choice as one of the choices, multi-choice as a
list of choices (order of definition, no repeats), boolean as true/false.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netmark.contacts.models import CustomField
from netmark.core import audit, csvio, records
from netmark.core.errors import Conflict, ValidationFailed
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped

MAX_TEXT = 1000
KEY = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
MAX_CHOICES = 100
Kind = CustomField.Kind


def list_fields(workspace):
    return scoped(CustomField, workspace)


def get_field(workspace, field_id) -> CustomField:
    return get_for(CustomField, workspace, field_id)


def _clean_choices(kind: str, choices) -> list[str]:
    if kind not in (Kind.CHOICE, Kind.MULTI_CHOICE):
        return []
    if not isinstance(choices, list) or not 1 <= len(choices) <= MAX_CHOICES:
        raise ValidationFailed(fields={"choices": _("Give between 1 and 100 choices.")})
    cleaned = list(dict.fromkeys(str(choice).strip()[:100] for choice in choices if str(choice).strip()))
    if not cleaned:
        raise ValidationFailed(fields={"choices": _("Give between 1 and 100 choices.")})
    return cleaned


@transaction.atomic
def create_field(member, *, key: str, label: str, kind: str, choices=None, is_required: bool = False):
    require(member, Capability.EXECUTE)
    if kind not in Kind.values:
        raise ValidationFailed(fields={"kind": _("Unknown field type.")})
    if not KEY.match(key or ""):
        raise ValidationFailed(
            fields={"key": _("Use lower-case letters, digits and _, starting with a letter.")}
        )
    if scoped(CustomField, member.workspace).filter(key=key).exists():
        raise Conflict(fields={"key": _("Another custom field has this key.")})
    data = {
        "key": key,
        "label": label,
        "kind": kind,
        "choices": _clean_choices(kind, choices or []),
        "is_required": bool(is_required),
    }
    from netmark.contacts import custom_index

    field = records.create_record(member, CustomField, data, capability=Capability.EXECUTE)
    custom_index.ensure(key)  # segment conditions on the field search this index
    return field


@transaction.atomic
def update_field(member, field_id, **data):
    """Label, choices and required may change; key and type stay (stored values depend on them)."""
    require(member, Capability.EXECUTE)
    field = get_field(member.workspace, field_id)
    unknown = set(data) - {"label", "choices", "is_required"}
    if unknown:
        raise ValidationFailed(fields={name: _("This field cannot be changed.") for name in sorted(unknown)})
    if "choices" in data:
        data["choices"] = _clean_choices(field.kind, data["choices"] or [])
    return records.update_record(
        member, CustomField, field.pk, data, capability=Capability.EXECUTE, instance=field
    )


def delete_field(member, field_id) -> None:
    """Owners only; stored values under the key stay in contacts' JSON until they are edited."""
    field = get_field(member.workspace, field_id)
    records.delete_record(member, CustomField, field.pk)
    audit.record(member, "customfield.values_orphaned", None, {"key": field.key})


def _number(value):
    if isinstance(value, bool):
        raise ValueError
    number = Decimal(str(value).strip().replace(",", ""))
    if not number.is_finite() or abs(number) >= Decimal("1e15"):
        raise ValueError
    return int(number) if number == number.to_integral_value() else float(number)


def _date(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    from datetime import datetime

    for pattern in csvio.DATE_FORMATS:
        try:
            return datetime.strptime(str(value).strip(), pattern).date().isoformat()
        except ValueError:
            continue
    raise ValueError


def _boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().casefold()
    if word not in csvio.BOOLEAN_WORDS:
        raise ValueError
    return csvio.BOOLEAN_WORDS[word]


def _multi(field: CustomField, value) -> list[str]:
    items = value if isinstance(value, list) else [part for part in str(value).replace("；", ";").split(";")]
    chosen = {str(item).strip() for item in items if str(item).strip()}
    if not chosen <= set(field.choices):
        raise ValueError
    return [choice for choice in field.choices if choice in chosen]


def clean_value(field: CustomField, value):
    """The stored form of ``value`` for ``field``; ``ValueError`` when it does not fit."""
    if field.kind == Kind.TEXT:
        if isinstance(value, dict | list) or len(str(value)) > MAX_TEXT:
            raise ValueError
        return str(value).strip()
    if field.kind == Kind.NUMBER:
        return _number(value)
    if field.kind == Kind.DATE:
        return _date(value)
    if field.kind == Kind.BOOLEAN:
        return _boolean(value)
    if field.kind == Kind.CHOICE:
        if str(value).strip() not in field.choices:
            raise ValueError
        return str(value).strip()
    return _multi(field, value)


MESSAGES = {
    Kind.TEXT: gettext_lazy("At most 1000 characters."),
    Kind.NUMBER: gettext_lazy("Enter a number, e.g. 1200.50."),
    Kind.DATE: gettext_lazy("Enter a date such as 2026-10-12."),
    Kind.BOOLEAN: gettext_lazy("Enter yes or no."),
    Kind.CHOICE: gettext_lazy("Choose one of the field's choices."),
    Kind.MULTI_CHOICE: gettext_lazy("Choose among the field's choices."),
}


def clean_custom(workspace, values, *, existing: dict | None = None, definitions=None) -> dict:
    """Merges ``values`` (key -> raw value; None or "" clears) into ``existing`` and validates all.

    ``ValidationFailed`` names each bad key as ``custom.<key>``.
    """
    if not isinstance(values, dict):
        raise ValidationFailed(fields={"custom": _("Give an object of field keys and values.")})
    by_key = (
        definitions if definitions is not None else {field.key: field for field in list_fields(workspace)}
    )
    result = dict(existing or {})
    errors = {}
    for key, value in values.items():
        field = by_key.get(key)
        if field is None:
            errors["custom"] = _("Unknown custom field: %(key)s") % {"key": str(key)[:50]}
        elif value is None or value == "" or value == []:
            result.pop(key, None)
        else:
            try:
                result[key] = clean_value(field, value)
            except (ValueError, InvalidOperation, TypeError):
                errors[f"custom.{key}"] = str(MESSAGES[field.kind])
    for key, field in by_key.items():
        if field.is_required and key not in result and f"custom.{key}" not in errors:
            errors[f"custom.{key}"] = _("This field is required.")
    if errors:
        raise ValidationFailed(fields=errors)
    return result
