"""Segments: saved groups of contacts (docs/contacts.md, "Segments").

A dynamic segment stores a filter tree (``segment_filters``) evaluated on every read
(``segment_compiler``); a static segment lists its contacts (``SegmentMember``).
``segment_contacts(segment)`` is the door other apps (mailing) use: a queryset of the workspace's
contacts, always re-evaluated. ``count_filter`` answers the builder's live count and sample.

Rights: everyone reads and counts; members who execute create, change and fill segments and export
them; owners delete them.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from netmark.contacts.models import Contact, Segment, SegmentMember
from netmark.contacts.segment_compiler import compile_filter
from netmark.contacts.segment_filters import clean_filter
from netmark.core import audit, records
from netmark.core.errors import ValidationFailed
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped

SAMPLE_SIZE = 10
MAX_MEMBER_CHANGE = 1000
EMPTY_FILTER = {"op": "and", "rules": []}


def list_segments(workspace) -> QuerySet:
    return scoped(Segment, workspace)


def get_segment(workspace, segment_id) -> Segment:
    return get_for(Segment, workspace, segment_id)


def filtered_contacts(workspace, tree, *, store=None) -> QuerySet:
    """The workspace's contacts matching a filter tree (validated here: raises ``ValidationFailed``)."""
    condition = compile_filter(workspace, clean_filter(workspace, tree), store=store)
    return scoped(Contact, workspace).filter(condition)


def segment_contacts(segment: Segment, *, store=None) -> QuerySet:
    """The contacts of ``segment`` now: the filter evaluated afresh, or the static list's members."""
    contacts = scoped(Contact, segment.workspace)
    if segment.kind == Segment.Kind.STATIC:
        members = SegmentMember.unscoped.filter(workspace_id=segment.workspace_id, segment_id=segment.pk)
        return contacts.filter(pk__in=members.values("contact_id"))
    return filtered_contacts(segment.workspace, segment.filter or EMPTY_FILTER, store=store)


def count_filter(workspace, tree, *, sample: int = SAMPLE_SIZE, store=None) -> dict:
    """The live count of a (not yet saved) filter and the newest few matching contacts."""
    contacts = filtered_contacts(workspace, tree, store=store)
    return {
        "count": contacts.count(),
        "sample": list(contacts.order_by("-id").only("id", "name", "email", "stage")[:sample]),
    }


def _clean(member, data: dict) -> dict:
    if "name" in data and not str(data["name"] or "").strip():
        raise ValidationFailed(fields={"name": _("Give the segment a name.")})
    if "filter" in data:
        data["filter"] = clean_filter(member.workspace, data["filter"] or EMPTY_FILTER)
    return data


@transaction.atomic
def create_segment(
    member, *, name: str, kind: str = Segment.Kind.DYNAMIC, filter=None, description: str = ""
):
    require(member, Capability.EXECUTE)
    if kind not in Segment.Kind.values:
        raise ValidationFailed(fields={"kind": _("Use dynamic or static.")})
    data = _clean(
        member, {"name": str(name).strip(), "kind": kind, "filter": filter, "description": description}
    )
    if kind == Segment.Kind.STATIC:
        data["filter"] = {}
    return records.create_record(member, Segment, data, capability=Capability.EXECUTE)


@transaction.atomic
def update_segment(member, segment_id, **data) -> Segment:
    """Name, description and (dynamic segments) filter may change; the kind stays."""
    require(member, Capability.EXECUTE)
    segment = get_segment(member.workspace, segment_id)
    unknown = set(data) - {"name", "description", "filter"}
    if unknown:
        raise ValidationFailed(fields={key: _("This field cannot be changed.") for key in sorted(unknown)})
    if "filter" in data and segment.kind == Segment.Kind.STATIC:
        raise ValidationFailed(fields={"filter": _("A static list has members, not a filter.")})
    data = _clean(member, dict(data))
    if "name" in data:
        data["name"] = data["name"].strip()
    return records.update_record(
        member, Segment, segment.pk, data, capability=Capability.EXECUTE, instance=segment
    )


def delete_segment(member, segment_id) -> None:
    records.delete_record(member, Segment, get_segment(member.workspace, segment_id).pk)


@transaction.atomic
def change_members(member, segment_id, *, add=(), remove=()) -> dict:
    """Adds and removes contacts of a static list; ids of other workspaces answer a field error."""
    require(member, Capability.EXECUTE)
    segment = get_segment(member.workspace, segment_id)
    if segment.kind != Segment.Kind.STATIC:
        raise ValidationFailed(fields={"contact_ids": _("Only a static list has members to change.")})
    if len(add) + len(remove) > MAX_MEMBER_CHANGE:
        raise ValidationFailed(fields={"contact_ids": _("Change at most 1000 members at a time.")})
    known = set(scoped(Contact, member.workspace).filter(pk__in=[*add, *remove]).values_list("pk", flat=True))
    unknown = [pk for pk in [*add, *remove] if pk not in known]
    if unknown:
        raise ValidationFailed(
            fields={
                "contact_ids": _("Unknown contacts: %(ids)s") % {"ids": ", ".join(map(str, unknown[:10]))}
            }
        )
    existing = set(SegmentMember.unscoped.filter(segment=segment).values_list("contact_id", flat=True))
    fresh = [pk for pk in dict.fromkeys(add) if pk not in existing]
    SegmentMember.unscoped.bulk_create(
        [SegmentMember(workspace_id=segment.workspace_id, segment=segment, contact_id=pk) for pk in fresh]
    )
    removed, _count = SegmentMember.unscoped.filter(segment=segment, contact_id__in=list(remove)).delete()
    audit.record(member, "segment.members_changed", segment, {"added": len(fresh), "removed": removed})
    return {"added": len(fresh), "removed": removed}
