"""Merge two contacts into one, keeping every interaction, tag, consent statement and identity.

The surviving contact (``into``) keeps its values; its empty fields take the other's, custom values
are united (the survivor's win), tags united. Interactions, consents and identities move over
(their rows are kept, so the history is whole); the other contact is then deleted and the merge is
written to the timeline and the audit log.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from netmark.contacts import consent, listeners, search, timeline
from netmark.contacts.models import Consent, Contact, Identity, Interaction, SegmentMember
from netmark.core import audit
from netmark.core.errors import ValidationFailed
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped

FILLABLE = (
    "name",
    "email",
    "phone",
    "wechat_id",
    "company_id",
    "title",
    "city",
    "language",
    "source",
    "source_plan_id",
    "owner_id",
)
STAGE_ORDER = ["lost", "subscriber", "lead", "qualified", "customer"]


@transaction.atomic
def merge_contacts(member, into_id, other_id) -> Contact:
    require(member, Capability.EXECUTE)
    contacts = scoped(Contact, member.workspace).select_for_update()
    into = get_for(Contact, member.workspace, into_id, queryset=contacts)
    other = get_for(Contact, member.workspace, other_id, queryset=contacts)
    if into.pk == other.pk:
        raise ValidationFailed(fields={"other_id": _("A contact cannot be merged with itself.")})
    moved = _move_rows(into, other)
    fills = {
        name: getattr(other, name) for name in FILLABLE if not getattr(into, name) and getattr(other, name)
    }
    tags = list(other.tags.all())
    summary = {"merged_id": other.pk, "merged": str(other), "moved": moved, "filled": sorted(fills)}
    into.custom = {**other.custom, **into.custom}
    into.do_not_contact = into.do_not_contact or other.do_not_contact
    if STAGE_ORDER.index(other.stage) > STAGE_ORDER.index(into.stage):
        into.stage = other.stage
    if other.last_activity_at and (
        not into.last_activity_at or other.last_activity_at > into.last_activity_at
    ):
        into.last_activity_at = other.last_activity_at
    other.delete()  # first: its email and phone must be free before the survivor takes them
    for name, value in fills.items():
        setattr(into, name, value)
    into.save()
    had = set(into.tags.values_list("name", flat=True))
    into.tags.add(*tags)
    listeners.tags_added(into, {tag.name for tag in tags} - had)
    consent.refresh_state(into)
    search.refresh(into)
    timeline.record(into, "merged", None, {"merged_id": summary["merged_id"], "merged": summary["merged"]})
    audit.record(member, "contact.merged", into, summary)
    return into


def _move_rows(into: Contact, other: Contact) -> dict[str, int]:
    moved = {}
    for model in (Interaction, Consent):
        moved[model._meta.model_name] = model.unscoped.filter(contact_id=other.pk).update(contact_id=into.pk)
    moved["identity"] = Identity.unscoped.filter(contact_id=other.pk).update(contact_id=into.pk)
    lists = SegmentMember.unscoped.filter(contact_id=into.pk).values("segment_id")
    SegmentMember.unscoped.filter(contact_id=other.pk).exclude(segment_id__in=lists).update(
        contact_id=into.pk
    )
    return moved
