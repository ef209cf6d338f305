"""Identify: link an analytics visitor to a contact (docs/contacts.md, "Identify").

``identify(contact, site_id, visitor_id, via=...)`` records that the visitor ``visitor_id`` of the
site ``site_id`` is this contact (a form submission, a personal tracked link, an email click): one
``Identity`` row (unique per site and visitor; a visitor identified again as someone else moves to
the newer contact) and an ``identified`` timeline entry. Callers must have a lawful reason (the
form's consent, the link's purpose) before they call it.

Server-side conversions already carry ``contact_ref``; with the contact's id as ``contact_ref``
their events carry ``contact_id`` and the stable visitor id ``analytics.identity.contact_visitor``,
so behaviour of identified contacts spans salt periods. Contacts never join the event store:
``visitor_ids(contact)`` gives the ids to ask the ``EventStore`` about.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netmark.contacts import timeline
from netmark.contacts.models import Contact, Identity
from netmark.core.errors import ValidationFailed

MAX_ID = 2**63 - 1


@transaction.atomic
def identify(contact: Contact, site_id: int, visitor_id: int, *, via: str = "form") -> Identity:
    """Links the visitor to ``contact``; idempotent for the same contact."""
    from netmark.analytics.models import Site

    if not isinstance(visitor_id, int) or not 0 < visitor_id <= MAX_ID:
        raise ValidationFailed(fields={"visitor_id": _("Give a positive visitor id.")})
    if not Site.unscoped.filter(pk=site_id, workspace_id=contact.workspace_id).exists():
        raise ValidationFailed(fields={"site_id": _("Not found.")})
    identity, created = Identity.unscoped.select_for_update().get_or_create(
        workspace_id=contact.workspace_id,
        site_id=site_id,
        visitor_id=visitor_id,
        defaults={"contact": contact, "via": str(via)[:40]},
    )
    if not created and identity.contact_id == contact.pk:
        return identity
    if not created:
        identity.contact, identity.via = contact, str(via)[:40]
        identity.save(update_fields=["contact", "via", "updated_at"])
    timeline.record(contact, "identified", timezone.now(), {"site_id": site_id, "via": identity.via})
    return identity


def visitor_ids(contact: Contact) -> list[tuple[int, int]]:
    """(site id, visitor id) pairs known to be this contact."""
    return list(
        Identity.unscoped.filter(workspace_id=contact.workspace_id, contact_id=contact.pk).values_list(
            "site_id", "visitor_id"
        )
    )


def contact_for_visitor(workspace_id: int, site_id: int, visitor_id: int) -> Contact | None:
    identity = (
        Identity.unscoped.filter(workspace_id=workspace_id, site_id=site_id, visitor_id=visitor_id)
        .select_related("contact")
        .first()
    )
    return identity.contact if identity is not None else None
