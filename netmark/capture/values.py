"""A submission's values, checked field by field; messages in the active language (the form's).

Every value is hostile input: it is bounded, normalised and stored as text or the custom field's
type; nothing here trusts what the browser says a field is.
"""

from decimal import InvalidOperation

from django.utils.translation import gettext as _

from netmark.capture.formfields import CUSTOM_PREFIX, STANDARD
from netmark.contacts import fields as contact_fields
from netmark.contacts import normalise
from netmark.core.errors import ValidationFailed

CHECKED = {"on", "1", "true", "yes", "是"}


def raw_value(data, field: dict):
    """The raw value of ``field`` from a QueryDict (form-encoded) or a dict (JSON)."""
    name = field["key"]
    if field["kind"] == "checkboxes":
        if hasattr(data, "getlist"):
            return [str(item) for item in data.getlist(name)]
        value = data.get(name)
        return (
            [str(item) for item in value]
            if isinstance(value, list)
            else ([] if value in (None, "") else [str(value)])
        )
    value = data.get(name)
    if isinstance(value, list | dict):
        return None if field["kind"] != "checkbox" else value
    return value


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _standard(key: str, value) -> str:
    text = normalise.text(value)
    if key == "email":
        return normalise.email(text)
    if key == "phone":
        return normalise.phone(text)
    limit = STANDARD[key][1]
    if len(text) > limit:
        raise ValidationFailed(fields={key: _("At most %(count)d characters.") % {"count": limit}})
    return text


def _custom(definition, field: dict, value):
    if field["kind"] == "checkbox":
        return str(value).strip().casefold() in CHECKED if not isinstance(value, bool) else value
    try:
        return contact_fields.clean_value(definition, value)
    except (ValueError, InvalidOperation, TypeError):
        raise ValidationFailed(fields={field["key"]: str(contact_fields.MESSAGES[definition.kind])}) from None


def clean_one(field: dict, value, custom: dict):
    key = field["key"]
    if key.startswith(CUSTOM_PREFIX):
        definition = custom.get(key[len(CUSTOM_PREFIX) :])
        if definition is None:  # the custom field was deleted after the form was made
            return None
        return _custom(definition, field, value)
    return _standard(key, value)


def clean_values(form, data, custom: dict) -> dict:
    """``{field key: cleaned value}`` for every field given; ``ValidationFailed`` per field key."""
    values, errors = {}, {}
    for field in form.fields:
        value = raw_value(data, field)
        if field["kind"] == "checkbox" and is_empty(value):
            value = False
        if is_empty(value) or value is False:
            if field["required"]:
                errors[field["key"]] = _("This field is required.")
            continue
        try:
            cleaned = clean_one(field, value, custom)
        except ValidationFailed as exc:
            errors[field["key"]] = next(iter(exc.fields.values()), exc.message)
            continue
        if cleaned is not None:
            values[field["key"]] = cleaned
    if not errors and not (values.get("email") or values.get("phone")):
        first = next(field["key"] for field in form.fields if field["key"] in ("email", "phone"))
        errors[first] = _("Give an email address or a phone number.")
    if errors:
        raise ValidationFailed(fields=errors)
    return values


def contact_data(values: dict) -> dict:
    """The ``upsert_contact`` data of cleaned values (``message`` stays on the submission)."""
    data = {key: value for key, value in values.items() if key in STANDARD and key != "message"}
    custom = {
        key[len(CUSTOM_PREFIX) :]: value for key, value in values.items() if key.startswith(CUSTOM_PREFIX)
    }
    if custom:
        data["custom"] = custom
    return data


def is_checked(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().casefold() in CHECKED
