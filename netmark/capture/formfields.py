"""A form's field list: which contact field each input fills, its label, kind and required flag.

A field's ``key`` is a contact field (``name``, ``email``, ``phone``, ``wechat_id``,
``company_name``, ``title``, ``city``), ``custom:<key>`` for a custom field of the workspace, or
``message`` (free text kept on the submission and the timeline, not on the contact). The ``kind``
follows from the key (an input type); text fields may choose ``textarea``.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netmark.contacts import fields as contact_fields
from netmark.contacts.models import CustomField
from netmark.core.errors import ValidationFailed

MAX_FIELDS = 30
MAX_LABEL = 200
# key -> (kind, maximum length, default label)
STANDARD = {
    "name": ("text", 200, gettext_lazy("Name")),
    "email": ("email", 254, gettext_lazy("Email")),
    "phone": ("tel", 40, gettext_lazy("Phone")),
    "wechat_id": ("text", 100, gettext_lazy("WeChat ID")),
    "company_name": ("text", 200, gettext_lazy("Company")),
    "title": ("text", 100, gettext_lazy("Job title")),
    "city": ("text", 100, gettext_lazy("City")),
    "message": ("textarea", 5000, gettext_lazy("Message")),
}
CUSTOM_KINDS = {
    CustomField.Kind.TEXT: "text",
    CustomField.Kind.NUMBER: "number",
    CustomField.Kind.DATE: "date",
    CustomField.Kind.CHOICE: "select",
    CustomField.Kind.MULTI_CHOICE: "checkboxes",
    CustomField.Kind.BOOLEAN: "checkbox",
}
CUSTOM_PREFIX = "custom:"


def custom_definitions(workspace) -> dict[str, CustomField]:
    return {field.key: field for field in contact_fields.list_fields(workspace)}


def kind_for(key: str, custom: dict[str, CustomField]) -> str | None:
    if key in STANDARD:
        return STANDARD[key][0]
    if key.startswith(CUSTOM_PREFIX) and key[len(CUSTOM_PREFIX) :] in custom:
        return CUSTOM_KINDS[custom[key[len(CUSTOM_PREFIX) :]].kind]
    return None


def _clean_one(index: int, raw, custom: dict, seen: set, errors: dict) -> dict | None:
    where = f"fields.{index}"
    if not isinstance(raw, dict):
        errors[where] = _("Give an object with key, label and required.")
        return None
    key = str(raw.get("key") or "").strip()
    kind = kind_for(key, custom)
    if kind is None:
        errors[f"{where}.key"] = _("Use a contact field, message, or custom:<key> of a custom field.")
        return None
    if key in seen:
        errors[f"{where}.key"] = _("This field is on the form twice.")
        return None
    seen.add(key)
    label = str(raw.get("label") or "").strip()
    if len(label) > MAX_LABEL:
        errors[f"{where}.label"] = _("At most %(count)d characters.") % {"count": MAX_LABEL}
    asked = str(raw.get("kind") or kind)
    if asked != kind and not (kind == "text" and asked == "textarea"):
        errors[f"{where}.kind"] = _("This field is shown as %(kind)s.") % {"kind": kind}
    return {"key": key, "label": label, "required": bool(raw.get("required")), "kind": asked}


def clean_fields(workspace, raw_fields) -> list[dict]:
    """The stored field list, or ``ValidationFailed`` naming each bad entry (``fields.<i>.<part>``)."""
    if not isinstance(raw_fields, list | tuple) or not raw_fields or len(raw_fields) > MAX_FIELDS:
        raise ValidationFailed(
            fields={"fields": _("Give between 1 and %(count)d fields.") % {"count": MAX_FIELDS}}
        )
    custom = custom_definitions(workspace)
    errors: dict[str, str] = {}
    seen: set[str] = set()
    cleaned = [_clean_one(index, raw, custom, seen, errors) for index, raw in enumerate(raw_fields)]
    if not errors and not seen & {"email", "phone"}:
        errors["fields"] = _("A form needs an email or a phone field, so one person stays one contact.")
    missing = [key for key, field in custom.items() if field.is_required and CUSTOM_PREFIX + key not in seen]
    if not errors and missing:
        errors["fields"] = _("Add the required custom fields: %(keys)s.") % {"keys": ", ".join(missing)}
    if errors:
        raise ValidationFailed(fields=errors)
    return [field for field in cleaned if field is not None]


def label_of(field: dict, custom: dict[str, CustomField]) -> str:
    """The label shown: the form's own, else the custom field's, else the standard one."""
    if field.get("label"):
        return field["label"]
    key = field["key"]
    if key in STANDARD:
        return str(STANDARD[key][2])
    definition = custom.get(key[len(CUSTOM_PREFIX) :])
    return definition.label if definition is not None else key


def choices_of(field: dict, custom: dict[str, CustomField]) -> list[str]:
    definition = (
        custom.get(field["key"][len(CUSTOM_PREFIX) :]) if field["key"].startswith(CUSTOM_PREFIX) else None
    )
    return list(definition.choices) if definition is not None else []


def described(form, custom: dict[str, CustomField] | None = None) -> list[dict]:
    """The form's fields with the label, input name and choices a renderer needs."""
    custom = custom if custom is not None else custom_definitions(form.workspace)
    return [
        {
            **field,
            "label": label_of(field, custom),
            "name": field["key"],
            "choices": choices_of(field, custom),
        }
        for field in form.fields
    ]
