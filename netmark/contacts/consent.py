"""Consent per purpose and the one question every send asks: ``may_contact(contact, purpose)``.

Consent rows are append-only statements (status, lawful basis, source, time, proof: form id and a
hash of the IP address); the latest statement per purpose is the status. A merge moves every
statement to the surviving contact, so the history is kept whole.
"""

import hashlib
import re
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netmark.contacts import timeline
from netmark.contacts.models import Consent, ConsentState, Contact
from netmark.core.errors import ValidationFailed

PURPOSES = {
    "email_marketing": gettext_lazy("Email marketing"),
    "sms_marketing": gettext_lazy("SMS marketing"),
    "phone": gettext_lazy("Phone calls"),
    "wechat": gettext_lazy("WeChat messages"),
    "profiling": gettext_lazy("Profiling and lead scoring"),
}
PURPOSE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def hash_ip(ip_address: str) -> str:
    """A keyed hash of an IP address as proof; the address itself is never stored."""
    key = hashlib.sha256(f"netmark-consent-ip|{settings.SECRET_KEY}".encode()).digest()
    return hashlib.blake2b(ip_address.encode(), key=key, digest_size=16).hexdigest()


def _clean(purpose: str, status: str, lawful_basis: str) -> None:
    fields = {}
    if not PURPOSE.match(purpose or ""):
        fields["purpose"] = _("Use a lower-case name such as email_marketing.")
    if status not in Consent.Status.values:
        fields["status"] = _("Use granted, denied or withdrawn.")
    if lawful_basis not in Consent.Basis.values:
        fields["lawful_basis"] = _("Use consent, contract, legitimate_interest or legal_obligation.")
    if fields:
        raise ValidationFailed(fields=fields)


def record_consent(
    contact: Contact,
    purpose: str,
    status: str,
    *,
    lawful_basis: str = Consent.Basis.CONSENT,
    source: str = "",
    at: datetime | None = None,
    form_id: str = "",
    ip_address: str = "",
    text: str = "",
) -> Consent:
    """Appends a consent statement and its timeline entry. Callers authorise; this only validates."""
    _clean(purpose, status, lawful_basis)
    at = at or timezone.now()
    consent = Consent.unscoped.create(
        workspace_id=contact.workspace_id,
        contact=contact,
        purpose=purpose,
        status=status,
        lawful_basis=lawful_basis,
        source=str(source)[:100],
        recorded_at=at,
        form_id=str(form_id)[:60],
        ip_hash=hash_ip(ip_address) if ip_address else "",
        text=str(text)[:5000],
    )
    refresh_state(contact, purpose)
    timeline.record(contact, "consent", at, {"purpose": purpose, "status": status, "source": consent.source})
    return consent


def refresh_state(contact: Contact, purpose: str | None = None) -> None:
    """Sets ``ConsentState`` from the statements (the latest per purpose; all purposes when None)."""
    latest = current(contact)
    purposes = [purpose] if purpose else list(latest)
    for name in purposes:
        statement = latest.get(name)
        if statement is None:
            continue
        ConsentState.unscoped.update_or_create(
            contact=contact,
            purpose=name,
            defaults={
                "workspace_id": contact.workspace_id,
                "status": statement.status,
                "recorded_at": statement.recorded_at,
            },
        )


def current(contact: Contact) -> dict[str, Consent]:
    """The latest statement per purpose."""
    latest: dict[str, Consent] = {}
    for consent in Consent.unscoped.filter(workspace_id=contact.workspace_id, contact_id=contact.pk).order_by(
        "-recorded_at", "-id"
    ):
        latest.setdefault(consent.purpose, consent)
    return latest


def may_contact(contact: Contact, purpose: str) -> bool:
    """Whether netmark may reach ``contact`` for ``purpose`` now. Every send asks this, nothing else.

    True only when the contact exists, is not marked do-not-contact, and the latest consent
    statement for ``purpose`` is ``granted`` (on any lawful basis). No statement means no: opt-in,
    as China's PIPL and the GDPR expect for marketing. Suppression lists (bounces, unsubscribes)
    are the mailing app's and are checked there in addition.
    """
    if contact is None or contact.pk is None:
        return False
    fresh = Contact.unscoped.filter(pk=contact.pk, workspace_id=contact.workspace_id).values_list(
        "do_not_contact", flat=True
    )
    flags = list(fresh)
    if not flags or flags[0]:
        return False
    latest = (
        Consent.unscoped.filter(workspace_id=contact.workspace_id, contact_id=contact.pk, purpose=purpose)
        .order_by("-recorded_at", "-id")
        .values_list("status", flat=True)
        .first()
    )
    return latest == Consent.Status.GRANTED
