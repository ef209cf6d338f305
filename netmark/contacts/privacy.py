"""Access requests and erasure (docs/contacts.md, "Privacy"). Owners only (``Capability.ERASE``).

``export_contact`` gathers everything the records database holds on one contact: fields, custom
values, tags, company, consent history, every interaction and the analytics visitors linked to it.

``erase_contact`` removes the contact with its interactions, consents and identities (so no later
event is linked to it), takes the personal data out of the audit entries about it, and writes one
audit entry that names only the id. Events in the ``EventStore`` lose the contact id
(``forget_contact``); with the identity rows gone, nothing leads from them back to a person.
"""

from django.db import transaction
from django.utils import timezone

from netmark.contacts import consent, identity
from netmark.contacts.models import Contact
from netmark.core import audit
from netmark.core.models import AuditEntry
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped

FIELDS = (
    "id",
    "name",
    "email",
    "phone",
    "wechat_id",
    "title",
    "city",
    "language",
    "source",
    "stage",
    "do_not_contact",
    "custom",
    "source_plan_id",
    "owner_id",
    "created_at",
    "updated_at",
    "last_activity_at",
)


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def export_contact(member, contact_id) -> dict:
    require(member, Capability.ERASE)
    contact = get_for(
        Contact,
        member.workspace,
        contact_id,
        queryset=scoped(Contact, member.workspace).select_related("company"),
    )
    data = {name: _plain(getattr(contact, name)) for name in FIELDS}
    data["company"] = {"id": contact.company_id, "name": contact.company.name} if contact.company else None
    data["tags"] = sorted(contact.tags.values_list("name", flat=True))
    data["consents"] = [
        {
            "purpose": c.purpose,
            "status": c.status,
            "lawful_basis": c.lawful_basis,
            "source": c.source,
            "recorded_at": c.recorded_at.isoformat(),
            "form_id": c.form_id,
            "ip_hash": c.ip_hash,
            "text": c.text,
        }
        for c in contact.consents.order_by("recorded_at", "id")
    ]
    data["current_consent"] = {purpose: c.status for purpose, c in consent.current(contact).items()}
    data["interactions"] = [
        {
            "id": i.pk,
            "kind": i.kind,
            "occurred_at": i.occurred_at.isoformat(),
            "payload": i.payload,
            "source_ref": i.source_ref,
        }
        for i in contact.interactions.order_by("occurred_at", "id")
    ]
    data["analytics_visitors"] = [{"site_id": s, "visitor_id": v} for s, v in identity.visitor_ids(contact)]
    audit.record(member, "contact.exported", contact, {})
    return {"format": "netmark.contact/1", "exported_at": timezone.now().isoformat(), "contact": data}


def _forget_in_events(workspace_id: int, contact_id: int) -> int:
    """Events and visits of the contact lose its id in the ``EventStore`` (before the records
    commit: if the store is down the erasure fails whole and can be repeated)."""
    from netmark.analytics.stores import get_store

    return get_store().forget_contact(workspace_id, contact_id)


@transaction.atomic
def erase_contact(member, contact_id) -> dict:
    """Deletes the contact and everything hanging off it; returns the counts removed."""
    require(member, Capability.ERASE)
    contact = get_for(
        Contact, member.workspace, contact_id, queryset=scoped(Contact, member.workspace).select_for_update()
    )
    pk = contact.pk
    counts = {
        "interactions": contact.interactions.count(),
        "consents": contact.consents.count(),
        "identities": contact.identities.count(),
    }
    contact.tags.clear()
    contact.delete()  # interactions, consents, identities and static list memberships cascade
    counts["events_anonymised"] = _forget_in_events(member.workspace_id, pk)
    scrubbed = AuditEntry.unscoped.filter(
        workspace_id=member.workspace_id, object_type="contact", object_id=str(pk)
    ).update(changes={"erased": True}, object_repr=f"#{pk}")
    counts["audit_entries_scrubbed"] = scrubbed
    entry = audit.record(member, "contact.erased", None, {"contact_id": pk, **counts})
    AuditEntry.unscoped.filter(pk=entry.pk).update(
        object_type="contact", object_id=str(pk), object_repr=f"#{pk}"
    )
    return counts
