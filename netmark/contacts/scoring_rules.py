"""Scoring rules and settings: validation and the write path (docs/contacts.md, "Lead scoring").

Every change schedules a recompute of the workspace on commit (``tasks.recompute_scores``), so
stored scores follow the rules without waiting for the daily run. Rights: everyone reads; members
who execute change rules and settings; owners delete rules.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from netmark.contacts import timeline
from netmark.contacts.models import ScoringRule, ScoringSettings
from netmark.contacts.scoring import settings_for
from netmark.contacts.segment_filters import MAX_COUNT, MAX_DAYS, clean_filter
from netmark.core import audit, records
from netmark.core.errors import ValidationFailed
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped

MAX_POINTS = 1000
MAX_THRESHOLD = 1_000_000
MAX_HALF_LIFE = 3650
FIELDS = ("name", "points", "kind", "interaction_kind", "max_times", "condition", "path", "times", "days")


def list_rules(workspace) -> QuerySet:
    return scoped(ScoringRule, workspace)


def get_rule(workspace, rule_id) -> ScoringRule:
    return get_for(ScoringRule, workspace, rule_id)


def _whole(value, low: int, high: int, field: str, errors: dict):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[field] = _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
        return None
    return value


def _interaction(workspace, data: dict, cleaned: dict, errors: dict) -> None:
    if timeline.get_type(str(data.get("interaction_kind") or "")) is None:
        errors["interaction_kind"] = _("Unknown interaction type.")
    if data.get("max_times") is not None:
        _whole(data.get("max_times"), 1, MAX_COUNT, "max_times", errors)


def _field(workspace, data: dict, cleaned: dict, errors: dict) -> None:
    tree = data.get("condition")
    if not isinstance(tree, dict) or not tree.get("rules"):
        errors["condition"] = _("Give a condition group with at least one condition.")
        return
    try:
        cleaned["condition"] = clean_filter(workspace, tree)
    except ValidationFailed as exc:
        errors.update({key.replace("filter", "condition", 1): value for key, value in exc.fields.items()})


def _behaviour(workspace, data: dict, cleaned: dict, errors: dict) -> None:
    if not cleaned["path"] or len(cleaned["path"]) > 200:
        errors["path"] = _("Give a page path of 1 to 200 characters.")
    _whole(data.get("times"), 1, MAX_COUNT, "times", errors)
    _whole(data.get("days"), 1, MAX_DAYS, "days", errors)


KINDS = {
    ScoringRule.Kind.INTERACTION: _interaction,
    ScoringRule.Kind.FIELD: _field,
    ScoringRule.Kind.BEHAVIOUR: _behaviour,
}


def clean_rule(workspace, data: dict) -> dict:
    """The rule's fields, checked together (the kind decides which of them matter)."""
    errors: dict[str, str] = {}
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 200:
        errors["name"] = _("Give the rule a name of 1 to 200 characters.")
    _whole(data.get("points"), -MAX_POINTS, MAX_POINTS, "points", errors)
    cleaned = {**data, "name": name, "path": str(data.get("path") or "").strip()}
    cleaned["condition"] = data.get("condition") or {}
    check = KINDS.get(data.get("kind"))
    if check is None:
        errors["kind"] = _("Use interaction, field or behaviour.")
    else:
        check(workspace, data, cleaned, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    return cleaned


def _schedule(workspace) -> None:
    from netmark.contacts.tasks import recompute_scores

    transaction.on_commit(lambda: recompute_scores(workspace.pk))


_DEFAULTS = {"interaction_kind": "", "max_times": None, "condition": {}, "path": "", "times": 1, "days": 30}


@transaction.atomic
def create_rule(member, **data) -> ScoringRule:
    require(member, Capability.EXECUTE)
    data = clean_rule(member.workspace, {**_DEFAULTS, **data})
    rule = records.create_record(
        member, ScoringRule, {key: data[key] for key in FIELDS}, capability=Capability.EXECUTE
    )
    _schedule(member.workspace)
    return rule


@transaction.atomic
def update_rule(member, rule_id, **data) -> ScoringRule:
    require(member, Capability.EXECUTE)
    rule = get_rule(member.workspace, rule_id)
    unknown = set(data) - {*FIELDS, "is_active"}
    if unknown:
        raise ValidationFailed(fields={key: _("This field cannot be changed.") for key in sorted(unknown)})
    data = {key: value for key, value in data.items() if value is not None or key == "max_times"}
    current = {key: getattr(rule, key) for key in FIELDS}
    merged = clean_rule(member.workspace, {**current, **data})
    changes = {key: merged[key] for key in data if key in FIELDS}
    if "is_active" in data:
        changes["is_active"] = bool(data["is_active"])
    rule = records.update_record(
        member, ScoringRule, rule.pk, changes, capability=Capability.EXECUTE, instance=rule
    )
    _schedule(member.workspace)
    return rule


@transaction.atomic
def delete_rule(member, rule_id) -> None:
    records.delete_record(member, ScoringRule, get_rule(member.workspace, rule_id).pk)
    _schedule(member.workspace)


@transaction.atomic
def update_settings(member, **data) -> ScoringSettings:
    """Half-life (0 = no decay) and the thresholds; ``lead_at`` may not exceed ``qualified_at``."""
    require(member, Capability.EXECUTE)
    found = settings_for(member.workspace)
    if data.get("half_life_days", 0) is None:  # null: unchanged (thresholds take null as "none")
        del data["half_life_days"]
    merged = {
        key: data.get(key, getattr(found, key)) for key in ("half_life_days", "lead_at", "qualified_at")
    }
    errors: dict[str, str] = {}
    _whole(merged["half_life_days"], 0, MAX_HALF_LIFE, "half_life_days", errors)
    for key in ("lead_at", "qualified_at"):
        if merged[key] is not None:
            _whole(merged[key], -MAX_THRESHOLD, MAX_THRESHOLD, key, errors)
    both = None not in (merged["lead_at"], merged["qualified_at"])
    if not errors and both and merged["lead_at"] > merged["qualified_at"]:
        errors["lead_at"] = _("The lead threshold may not exceed the qualified one.")
    if errors:
        raise ValidationFailed(fields=errors)
    changes = audit.diff(found, merged)
    for key, value in merged.items():
        setattr(found, key, value)
    records.validate_and_save(found)
    if changes:
        audit.record(member, "scoringsettings.updated", found, changes)
    _schedule(member.workspace)
    return found
