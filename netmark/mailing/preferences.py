"""The preference centre (``/mail/preferences/<token>/``): a person's own choices, reached from the
unsubscribe page with the same signed token (``unsubscribe.make_token``), no sign-in.

It shows the workspace's public lists (``MailingList.is_public``) with the person's subscription to
each, a way to stop all marketing email, and the language of their emails. Changes:

- joining a list confirms the subscription at once (the link reached this address, which is what
  double opt-in proves) and records ``email_marketing`` consent ``granted``; an address that had
  unsubscribed from everything is taken off the suppression list then (bounces and complaints stay);
- leaving a list sets that subscription ``unsubscribed``;
- stopping everything is the one-click unsubscribe (suppression, the unsubscribe event) plus every
  subscription ``unsubscribed`` and consent ``withdrawn``;
- the language is the contact's (``Contact.language``).

Consent goes through ``contacts.consent.record_consent`` (a statement and its timeline entry); the
list and language changes are one ``email_preferences`` entry on the contact's timeline.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from netmark.contacts import consent, timeline
from netmark.contacts import services as contacts
from netmark.contacts.models import Contact
from netmark.core.errors import ValidationFailed
from netmark.mailing import drip_triggers, unsubscribe
from netmark.mailing.campaign_models import LANGUAGES, MailingList, Subscription
from netmark.mailing.models import Suppression

SOURCE = "preference_centre"
Status = Subscription.Status


@dataclass
class Preferences:
    target: unsubscribe.Target
    contact: Contact | None
    lists: list[tuple[MailingList, bool]] = field(default_factory=list)  # (public list, subscribed)
    stopped: bool = False  # unsubscribed from all marketing email
    language: str = ""

    @property
    def page_language(self) -> str:
        return self.language or self.target.workspace.language


def _contact(target: unsubscribe.Target) -> Contact | None:
    return Contact.unscoped.filter(workspace_id=target.workspace.pk, email=target.email).first()


def _public_lists(workspace_id: int):
    return MailingList.unscoped.filter(workspace_id=workspace_id, is_public=True).order_by("name", "id")


def _subscriptions(workspace_id: int, contact: Contact | None) -> dict[int, Subscription]:
    if contact is None:
        return {}
    rows = Subscription.unscoped.filter(workspace_id=workspace_id, contact=contact)
    return {row.mailing_list_id: row for row in rows}


def read(token: str) -> Preferences:
    """What the page shows for a valid token (``NotFound`` otherwise)."""
    target = unsubscribe.read_token(token)
    contact = _contact(target)
    subscriptions = _subscriptions(target.workspace.pk, contact)
    lists = [
        (row, row.pk in subscriptions and subscriptions[row.pk].status != Status.UNSUBSCRIBED)
        for row in _public_lists(target.workspace.pk)
    ]
    stopped = Suppression.unscoped.filter(
        workspace_id=target.workspace.pk, email=target.email, reason=Suppression.Reason.UNSUBSCRIBE
    ).exists()
    language = contact.language if contact is not None and contact.language in dict(LANGUAGES) else ""
    return Preferences(target, contact, lists, stopped, language)


@transaction.atomic
def save(token: str, *, list_ids, stop_all: bool, language: str = "", ip_address: str = "") -> Preferences:
    """Applies the page's form: ``list_ids`` are the public lists wanted."""
    before = read(token)
    target = before.target
    if language and language not in dict(LANGUAGES):
        raise ValidationFailed(fields={"language": "zh-hans, en"})
    public = {row.pk: row for row, _subscribed in before.lists}
    wanted = {int(pk) for pk in list_ids if str(pk).isdigit() and int(pk) in public}
    if stop_all:
        changes = _stop_all(token, target, before.contact, ip_address)
    else:
        changes = _lists(target, before, public, wanted, ip_address)
    contact = _contact(target)
    if language and contact is not None and contact.language != language:
        Contact.unscoped.filter(pk=contact.pk).update(language=language, updated_at=timezone.now())
        changes["language"] = language
    if changes and contact is not None:
        timeline.record(contact, "email_preferences", payload={"source": SOURCE, **changes})
    return read(token)


def _stop_all(token: str, target: unsubscribe.Target, contact: Contact | None, ip_address: str) -> dict:
    unsubscribe.unsubscribe(token)  # the one-click path: suppression, the event for its campaign
    if contact is None:
        return {}
    left = list(
        Subscription.unscoped.filter(workspace_id=target.workspace.pk, contact=contact)
        .exclude(status=Status.UNSUBSCRIBED)
        .select_related("mailing_list")
    )
    for row in left:
        row.status, row.unsubscribed_at = Status.UNSUBSCRIBED, timezone.now()
        row.save(update_fields=["status", "unsubscribed_at", "updated_at"])
    if _latest(contact) != "withdrawn":
        consent.record_consent(contact, "email_marketing", "withdrawn", source=SOURCE, ip_address=ip_address)
    return {"detail": "unsubscribed from all", "left": [row.mailing_list.name for row in left]}


def _latest(contact: Contact) -> str:
    statement = consent.current(contact).get("email_marketing")
    return statement.status if statement is not None else ""


def _lists(target, before: Preferences, public: dict, wanted: set[int], ip_address: str) -> dict:
    subscriptions = _subscriptions(target.workspace.pk, before.contact)
    joined, left = [], []
    for pk, mailing_list in public.items():
        row = subscriptions.get(pk)
        active = row is not None and row.status != Status.UNSUBSCRIBED
        if pk in wanted and not (row is not None and row.status == Status.CONFIRMED):
            joined.append(mailing_list)
        elif pk not in wanted and active:
            row.status, row.unsubscribed_at = Status.UNSUBSCRIBED, timezone.now()
            row.save(update_fields=["status", "unsubscribed_at", "updated_at"])
            left.append(mailing_list.name)
    if joined:
        _join(target, before.contact, joined, ip_address)
    changes = {}
    if joined:
        changes["joined"] = [row.name for row in joined]
    if left:
        changes["left"] = left
    return changes


def _join(target, contact: Contact | None, lists: list[MailingList], ip_address: str) -> None:
    if contact is None:
        contact, _created = contacts.upsert_contact(target.workspace, {"email": target.email}, source=SOURCE)
    now = timezone.now()
    for mailing_list in lists:
        row, _created = Subscription.unscoped.get_or_create(
            workspace_id=target.workspace.pk,
            mailing_list=mailing_list,
            contact=contact,
            defaults={"source": SOURCE, "subscribed_at": now},
        )
        row.status, row.confirmed_at, row.unsubscribed_at = Status.CONFIRMED, now, None
        row.save(update_fields=["status", "confirmed_at", "unsubscribed_at", "updated_at"])
        drip_triggers.on_subscribed(row)  # sequences that start on subscribing, as after double opt-in
    Suppression.unscoped.filter(
        workspace_id=target.workspace.pk, email=target.email, reason=Suppression.Reason.UNSUBSCRIBE
    ).delete()
    if _latest(contact) != "granted":
        names = ", ".join(row.name for row in lists)
        consent.record_consent(
            contact, "email_marketing", "granted", source=SOURCE, ip_address=ip_address, text=f"lists {names}"
        )
