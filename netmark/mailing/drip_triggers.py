"""Entering sequences: the events that enrol a contact (docs/mailing.md, "Drip sequences").

``lists.confirm`` calls ``on_subscribed``; a ``form_submission`` timeline entry and a tag added to
a contact reach ``interaction_recorded`` / ``tags_added``, registered with the contacts app's
listener registry (``contacts.listeners``) in ``MailingConfig.ready``, after the commit (so the
contacts and capture apps need not know about sequences); date fields are scanned by the periodic
job (``scan_dates``). One enrollment per contact and sequence,
unless the sequence allows re-entry after the previous one ended.
"""

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from netmark.contacts.models import Contact
from netmark.mailing.drip_models import Enrollment, Sequence

Trigger = Sequence.Trigger


def enroll(
    sequence: Sequence, contact: Contact, now: datetime | None = None, *, key: int | None = None,
    by_hand: bool = False,
):  # fmt: skip
    """Enrols the contact (the first step is due now); None when they may not enter (again).
    ``key`` fixes the round (the date scan uses the year, so a rescan is a no-op). Triggers enrol
    only into active sequences; ``by_hand`` also into a draft or paused one (it waits until active)."""
    if contact.workspace_id != sequence.workspace_id:
        return None
    if sequence.status != Sequence.Status.ACTIVE and not by_hand:
        return None
    now = now or timezone.now()
    rows = Enrollment.unscoped.filter(sequence=sequence, contact=contact)
    last = rows.order_by("-round").first()
    if key is None:
        if last is not None and (not sequence.allow_reentry or last.state == Enrollment.State.ACTIVE):
            return None
        round_ = last.round + 1 if last is not None else 1
    else:
        if rows.filter(round=key).exists() or rows.filter(state=Enrollment.State.ACTIVE).exists():
            return None
        round_ = key
    try:
        with transaction.atomic():
            return Enrollment.unscoped.create(
                workspace_id=sequence.workspace_id,
                sequence=sequence,
                contact=contact,
                round=round_,
                next_run_at=now,
            )
    except IntegrityError:  # enrolled concurrently
        return None


def _active(workspace_id: int, trigger: str, **filters):
    return Sequence.unscoped.filter(
        workspace_id=workspace_id, status=Sequence.Status.ACTIVE, trigger=trigger, **filters
    )


def on_subscribed(subscription) -> list[Enrollment]:
    """A confirmed subscription enrols the contact in the list's 'subscribed' sequences."""
    found = _active(
        subscription.workspace_id, Trigger.SUBSCRIBED, mailing_list_id=subscription.mailing_list_id
    )
    return [e for e in (enroll(s, subscription.contact) for s in found) if e is not None]


def interaction_recorded(interaction) -> list[Enrollment]:
    """A new timeline entry: a form submission enrols in the form's sequences."""
    if interaction.kind != "form_submission":
        return []
    form_id = str((interaction.payload or {}).get("form_id", ""))
    if not form_id:
        return []
    found = _active(interaction.workspace_id, Trigger.FORM, trigger_value=form_id)
    return [e for e in (enroll(s, interaction.contact) for s in found) if e is not None]


def tags_added(contact: Contact, names: list[str]) -> list[Enrollment]:
    """Tags added to a contact: each enrols in its tag's sequences."""
    found = _active(contact.workspace_id, Trigger.TAG, trigger_value__in=list(names))
    return [e for e in (enroll(s, contact) for s in found) if e is not None]


def _date_of(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def scan_dates(now: datetime | None = None) -> int:
    """Enrols contacts whose date field plus the offset is today (yearly: on its anniversary). The
    round is the year of the day it fires, so scanning twice a day enrols once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    enrolled = 0
    for sequence in Sequence.unscoped.filter(status=Sequence.Status.ACTIVE, trigger=Trigger.DATE).exclude(
        trigger_value=""
    ):
        field = sequence.trigger_value
        wanted = today - timedelta(days=sequence.offset_days)  # the field value that fires today
        contacts = Contact.unscoped.filter(workspace_id=sequence.workspace_id, custom__has_key=field)
        for contact in contacts.iterator():
            value = _date_of(contact.custom.get(field))
            if value is None:
                continue
            hits = (
                (value.month, value.day) == (wanted.month, wanted.day) if sequence.yearly else value == wanted
            )
            if hits and enroll(sequence, contact, now, key=today.year) is not None:
                enrolled += 1
    return enrolled
