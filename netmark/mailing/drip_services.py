"""Creating and editing drip sequences and their steps; validation of every step's ``config``.

Steps are edited only while the sequence is not active (draft or paused), so a running
enrollment never finds its position pointing at a step that changed under it mid-run.
"""

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from netmark.contacts import services as contacts
from netmark.contacts.models import Stage
from netmark.core import audit, records
from netmark.core.errors import Conflict, ValidationFailed
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped
from netmark.mailing import drip_triggers
from netmark.mailing.campaign_models import MailingList
from netmark.mailing.drip_models import Enrollment, Sequence, SequenceStep
from netmark.mailing.models import SmtpServer
from netmark.mailing.templating import MessageTemplate
from netmark.planning.models import Plan

FIELDS = {
    "name", "trigger", "trigger_value", "offset_days", "yearly", "allow_reentry", "mailing_list_id",
    "server_id", "from_name", "from_email", "plan_id",
}  # fmt: skip
MAX_STEPS = 50
TESTS = ("opened", "clicked", "tag", "stage", "field")
Kind = SequenceStep.Kind


def list_sequences(workspace):
    return scoped(Sequence, workspace)


def get_sequence(workspace, sequence_id) -> Sequence:
    return get_for(Sequence, workspace, sequence_id)


def _clean(workspace, fields: dict, current: Sequence | None = None) -> dict:
    unknown = sorted(set(fields) - FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: _("Unknown field.") for name in unknown})
    data = dict(fields)
    for name, model in (("mailing_list_id", MailingList), ("server_id", SmtpServer), ("plan_id", Plan)):
        if data.get(name) is not None:
            data[name] = get_for(model, workspace, data[name]).pk
    trigger = data.get("trigger", current.trigger if current else None)
    if trigger not in Sequence.Trigger.values:
        raise ValidationFailed(fields={"trigger": _("Choose subscribed, form, tag or date.")})
    listed = data.get("mailing_list_id", current.mailing_list_id if current else None)
    value = data.get("trigger_value", current.trigger_value if current else "")
    if trigger == Sequence.Trigger.SUBSCRIBED and not listed:
        raise ValidationFailed(fields={"mailing_list_id": _("A 'subscribed' sequence needs its list.")})
    if trigger != Sequence.Trigger.SUBSCRIBED and not value:
        raise ValidationFailed(fields={"trigger_value": _("Give the form id, the tag or the date field.")})
    if abs(int(data.get("offset_days", 0) or 0)) > 3660:
        raise ValidationFailed(fields={"offset_days": _("At most 3660 days before or after.")})
    return data


def create_sequence(member, **fields) -> Sequence:
    require(member, Capability.EXECUTE)
    data = _clean(member.workspace, fields)
    return records.create_record(member, Sequence, data, capability=Capability.EXECUTE)


def update_sequence(member, sequence_id, **fields) -> Sequence:
    require(member, Capability.EXECUTE)
    sequence = get_sequence(member.workspace, sequence_id)
    data = _clean(member.workspace, fields, sequence)
    return records.update_record(
        member, Sequence, sequence.pk, data, capability=Capability.EXECUTE, instance=sequence
    )


def delete_sequence(member, sequence_id) -> None:
    records.delete_record(member, Sequence, sequence_id, capability=Capability.ERASE)


def set_status(member, sequence_id, status: str) -> Sequence:
    """Activates or pauses; activating checks the sequence can run (steps, a server for emails)."""
    require(member, Capability.EXECUTE)
    sequence = get_sequence(member.workspace, sequence_id)
    if status not in (Sequence.Status.ACTIVE, Sequence.Status.PAUSED):
        raise ValidationFailed(fields={"status": _("Choose active or paused.")})
    steps = list(sequence.steps.all())
    if status == Sequence.Status.ACTIVE:
        if not steps:
            raise Conflict(_("Add at least one step before activating."))
        if any(step.kind == Kind.EMAIL for step in steps) and sequence.server_id is None:
            raise Conflict(_("Choose the SMTP server for the sequence's emails."))
    sequence.status = status
    sequence.save(update_fields=["status", "updated_at"])
    audit.record(member, f"sequence.{status}", sequence)
    return sequence


# Steps


def _target(config: dict, name: str, count: int) -> None:
    value = config.get(name)
    if value is None or value == "stop":
        return
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < count:
        raise ValidationFailed(fields={name: _("Give a step position or 'stop'.")})


def _text(config: dict, name: str, limit: int, *, required: bool = True) -> str:
    value = config.get(name, "")
    if (
        not isinstance(value, str)
        or len(value) > limit
        or (required and not value.strip())
        or "\x00" in value
    ):
        raise ValidationFailed(
            fields={name: _("Give a text of at most %(limit)s characters.") % {"limit": limit}}
        )
    return value


def _clean_wait(config: dict) -> dict:
    parts = {name: config.get(name, 0) for name in ("days", "hours", "minutes")}
    if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in parts.values()):
        raise ValidationFailed(fields={"config": _("Days, hours and minutes are whole numbers.")})
    total = parts["days"] * 1440 + parts["hours"] * 60 + parts["minutes"]
    if not 0 < total <= 366 * 1440:
        raise ValidationFailed(fields={"config": _("Wait between one minute and a year.")})
    return parts


def _clean_condition(config: dict, count: int) -> dict:
    if config.get("test") not in TESTS:
        raise ValidationFailed(fields={"test": _("Choose opened, clicked, tag, stage or field.")})
    _target(config, "yes", count)
    _target(config, "no", count)
    clean = {name: config.get(name) for name in ("test", "yes", "no")}
    if config["test"] in ("tag", "stage", "field"):
        clean["value"] = _text(config, "value", 100)
    if config["test"] == "stage" and clean["value"] not in Stage.values:
        raise ValidationFailed(fields={"value": _("Unknown lifecycle stage.")})
    if config["test"] == "field":
        clean["equals"] = _text(config, "equals", 200, required=False)
    return clean


def clean_step(kind: str, config, count: int) -> dict:
    """The config to store for a step of ``kind`` among ``count`` steps, or ``ValidationFailed``."""
    if kind not in Kind.values:
        raise ValidationFailed(fields={"kind": _("Choose wait, condition, email, tag, stage or notify.")})
    if not isinstance(config, dict):
        raise ValidationFailed(fields={"config": _("Give an object.")})
    clean = _clean_kind(kind, config, count)
    if kind != Kind.CONDITION and config.get("then") is not None:  # where to go after the step
        _target(config, "then", count)
        clean["then"] = config["then"]
    return clean


def _clean_kind(kind: str, config: dict, count: int) -> dict:
    if kind == Kind.WAIT:
        return _clean_wait(config)
    if kind == Kind.CONDITION:
        return _clean_condition(config, count)
    if kind == Kind.EMAIL:
        clean = {"subject": _text(config, "subject", 500), "html": _text(config, "html", 200_000)}
        clean["text"] = _text(config, "text", 100_000, required=False)
        MessageTemplate(clean["subject"], clean["html"], clean["text"] or None)  # syntax errors are 422
        return clean
    if kind == Kind.TAG:
        return {"tag": _text(config, "tag", 50)}
    if kind == Kind.STAGE:
        if config.get("stage") not in Stage.values:
            raise ValidationFailed(fields={"stage": _("Unknown lifecycle stage.")})
        return {"stage": config["stage"]}
    return {"text": _text(config, "text", 2000, required=False)}  # notify: the note names the sequence


@transaction.atomic
def replace_steps(member, sequence_id, steps: list[dict]) -> list[SequenceStep]:
    """Replaces every step (positions 0, 1, ...), refused while the sequence is active."""
    require(member, Capability.EXECUTE)
    sequence = get_sequence(member.workspace, sequence_id)
    if sequence.status == Sequence.Status.ACTIVE:
        raise Conflict(_("Pause the sequence before editing its steps."))
    if not isinstance(steps, list) or len(steps) > MAX_STEPS:
        raise ValidationFailed(fields={"steps": _("Give at most 50 steps.")})
    cleaned = []
    for i, step in enumerate(steps):
        try:
            cleaned.append(
                (step.get("kind"), clean_step(step.get("kind"), step.get("config", {}), len(steps)))
            )
        except ValidationFailed as exc:  # named by the step: steps.<i>.config
            detail = "; ".join(f"{name}: {message}" for name, message in exc.fields.items())
            raise ValidationFailed(fields={f"steps.{i}.config": detail}) from None
    sequence.steps.all().delete()
    rows = [
        SequenceStep(
            workspace_id=sequence.workspace_id, sequence=sequence, position=i, kind=kind, config=config
        )
        for i, (kind, config) in enumerate(cleaned)
    ]
    SequenceStep.unscoped.bulk_create(rows)
    audit.record(member, "sequence.steps_replaced", sequence, {"steps": len(rows)})
    return list(sequence.steps.all())


def list_enrollments(sequence: Sequence, *, state: str | None = None):
    rows = Enrollment.unscoped.filter(workspace_id=sequence.workspace_id, sequence=sequence)
    return (rows.filter(state=state) if state else rows).select_related("contact")


def step_counts(sequence: Sequence) -> dict[int, int]:
    """Active enrollments waiting at (or running) each step position."""
    rows = Enrollment.unscoped.filter(sequence=sequence, state=Enrollment.State.ACTIVE)
    return dict(rows.values_list("position").annotate(n=Count("id")).order_by())


def state_counts(sequence: Sequence) -> dict[str, int]:
    counts = dict.fromkeys(Enrollment.State.values, 0)
    for state, n in sequence.enrollments.values_list("state").annotate(n=Count("id")).order_by():
        counts[state] = n
    return counts


def enroll_member(member, sequence_id, contact_id) -> Enrollment:
    require(member, Capability.EXECUTE)
    sequence = get_sequence(member.workspace, sequence_id)
    row = drip_triggers.enroll(sequence, contacts.get_contact(member.workspace, contact_id), by_hand=True)
    if row is None:
        raise Conflict(_("The contact is already in this sequence."))
    audit.record(member, "sequence.enrolled", sequence, {"contact_id": row.contact_id})
    return row


@transaction.atomic
def add_step(member, sequence_id, kind: str, config: dict) -> SequenceStep:
    """Appends one step (the page editor's row); refused while the sequence is active."""
    require(member, Capability.EXECUTE)
    sequence = get_sequence(member.workspace, sequence_id)
    if sequence.status == Sequence.Status.ACTIVE:
        raise Conflict(_("Pause the sequence before editing its steps."))
    count = sequence.steps.count()
    if count >= MAX_STEPS:
        raise ValidationFailed(fields={"steps": _("Give at most 50 steps.")})
    clean = clean_step(kind, config, count + 1)
    step = SequenceStep.unscoped.create(
        workspace_id=sequence.workspace_id, sequence=sequence, position=count, kind=kind, config=clean
    )
    audit.record(member, "sequence.step_added", sequence, {"kind": kind})
    return step


@transaction.atomic
def remove_step(member, sequence_id, step_id) -> None:
    """Removes the last step only (earlier positions are what conditions point at)."""
    require(member, Capability.EXECUTE)
    sequence = get_sequence(member.workspace, sequence_id)
    if sequence.status == Sequence.Status.ACTIVE:
        raise Conflict(_("Pause the sequence before editing its steps."))
    step = get_for(SequenceStep, member.workspace, step_id)
    last = sequence.steps.order_by("-position").first()
    if step.sequence_id != sequence.pk or last is None or step.pk != last.pk:
        raise Conflict(_("Only the last step can be removed; replace the steps to reorder them."))
    step.delete()
    audit.record(member, "sequence.step_removed", sequence, {"position": step.position})
