"""The shared write path for plain workspace-owned records: authorise, validate, save, audit.

Domain services call these after their own checks, so every app maps model validation to
``ValidationFailed`` (422 with field messages), unique clashes to ``Conflict`` (409) and records
the change in the audit log the same way.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from netmark.core import audit
from netmark.core.errors import Conflict, ValidationFailed
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for


def validation_fields(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {
            field: " ".join(str(m) for e in errors for m in e.messages)
            for field, errors in exc.error_dict.items()
        }
    return {"__all__": " ".join(exc.messages)}


def validate_and_save(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationFailed(fields=validation_fields(exc)) from None
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise Conflict(_("A record with these values already exists.")) from None


def _event_name(model: type[models.Model], verb: str) -> str:
    return f"{model._meta.model_name}.{verb}"


@transaction.atomic
def create_record(
    member,
    model: type[models.Model],
    data: dict,
    *,
    capability: Capability = Capability.PLAN,
    many: dict | None = None,
):
    """Creates ``model(**data)`` in the member's workspace; ``many`` sets many-to-many fields."""
    require(member, capability)
    instance = model(workspace=member.workspace, **data)
    validate_and_save(instance)
    for field, values in (many or {}).items():
        getattr(instance, field).set(values)
    audit.record(
        member,
        _event_name(model, "created"),
        instance,
        {key: audit._plain(value) for key, value in data.items()},
    )
    return instance


@transaction.atomic
def update_record(
    member,
    model: type[models.Model],
    record_id,
    data: dict,
    *,
    capability: Capability = Capability.PLAN,
    instance=None,
):
    """Applies ``data`` (only the fields given) to the record; audits the changed fields."""
    require(member, capability)
    instance = instance or get_for(model, member.workspace, record_id)
    changes = audit.diff(instance, data)
    for field, value in data.items():
        setattr(instance, field, value)
    validate_and_save(instance)
    if changes:
        audit.record(member, _event_name(model, "updated"), instance, changes)
    return instance


@transaction.atomic
def delete_record(member, model: type[models.Model], record_id, *, capability: Capability = Capability.ERASE):
    require(member, capability)
    instance = get_for(model, member.workspace, record_id)
    audit.record(member, _event_name(model, "deleted"), instance)
    try:
        instance.delete()
    except models.ProtectedError:
        raise Conflict(_("Other records still use this one; remove them first.")) from None
