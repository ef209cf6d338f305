"""One-click unsubscribe (RFC 8058): signed tokens naming workspace, address and list or campaign.

A token is signed for the purpose ``mailing.unsubscribe`` only (core.signing): a token made for
another purpose, or changed by one character, is refused. It carries no expiry: an unsubscribe
link in a years-old message must still work (RFC 8058 asks it to keep working).
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from netmark.core import signing
from netmark.core.errors import NotFound
from netmark.core.models import Workspace
from netmark.mailing.models import Suppression
from netmark.mailing.suppression import normalise, suppress

PURPOSE = "mailing.unsubscribe"


@dataclass(frozen=True)
class Target:
    workspace: Workspace
    email: str
    list_key: str
    campaign_key: str


def make_token(workspace_id: int, email: str, *, list_key: str = "", campaign_key: str = "") -> str:
    value = {"w": int(workspace_id), "e": normalise(email)}
    if list_key:
        value["l"] = str(list_key)
    if campaign_key:
        value["c"] = str(campaign_key)
    return signing.sign(PURPOSE, value)


def unsubscribe_url(token: str) -> str:
    return settings.PUBLIC_URL + reverse("mailing_public:unsubscribe", args=[token])


def preferences_url(token: str) -> str:
    """The preference centre, reached with the same token as the unsubscribe link."""
    return settings.PUBLIC_URL + reverse("mailing_public:preferences", args=[token])


def read_token(token: str) -> Target:
    """The target of a valid token, or ``NotFound`` (forged, other purpose, unknown workspace)."""
    if not isinstance(token, str) or len(token) > 1000:
        raise NotFound()
    value = signing.unsign(PURPOSE, token)
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("w"), int)
        or not isinstance(value.get("e"), str)
    ):
        raise NotFound()
    workspace = Workspace.objects.filter(pk=value["w"]).first()
    if workspace is None:
        raise NotFound()
    return Target(workspace, value["e"], str(value.get("l", "")), str(value.get("c", "")))


def unsubscribe(token: str) -> tuple[Target, bool]:
    """Suppresses the token's address in its workspace (idempotent): ``(target, newly_added)``."""
    target = read_token(token)
    detail = " ".join(part for part in (target.list_key, target.campaign_key) if part)
    _row, created = suppress(target.workspace.pk, target.email, Suppression.Reason.UNSUBSCRIBE, detail)
    if created:
        _record_event(target)
    if target.list_key.isdigit():
        from netmark.mailing.lists import unsubscribe_contact  # noqa: PLC0415 - lists sends mail too

        unsubscribe_contact(target.workspace.pk, int(target.list_key), target.email)
    return target, created


def _record_event(target: Target) -> None:
    """The unsubscribe as a mail event (campaign reports, the analytics store, the timeline)."""
    from netmark.mailing import events  # events reaches contacts and analytics; keep this module light

    campaign_id = int(target.campaign_key) if target.campaign_key.isdigit() else None
    last = events.latest_sent_to(target.workspace.pk, target.email)
    occurrence = events.Occurrence(target.workspace.pk, events.Kind.UNSUBSCRIBE, target.email)
    occurrence.campaign_id = campaign_id or (last.campaign_id if last else None)
    if last is not None and (campaign_id is None or last.campaign_id == campaign_id):
        occurrence.variant, occurrence.contact_id, occurrence.message_tag = (
            last.variant,
            last.contact_id,
            last.message_tag,
        )
    events.record(occurrence)
