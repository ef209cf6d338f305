"""Recording what happened to sent mail, and counting it per campaign and variant.

Every event is written three times, each for its reader: a ``MailEvent`` row (campaign reports,
thresholds, the message's send time for machine detection), an event in the analytics store
(``email_*`` with the contact and the promotion's UTM, for attribution and KPIs) and, when the
contact is known, an entry on the contact's timeline. ``source_ref`` makes a redelivered webhook or
bounce a no-op (exactly one effect per delivery id).
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from netmark.analytics import services as analytics
from netmark.contacts import services as contacts
from netmark.contacts.models import Contact
from netmark.mailing.feedback_models import MailEvent
from netmark.mailing.suppression import normalise

log = logging.getLogger("netmark.mailing")
Kind = MailEvent.Kind
TIMELINE_KINDS = {
    Kind.OPEN: "email_open",
    Kind.CLICK: "email_click",
    Kind.BOUNCE_HARD: "email_bounce",
    Kind.BOUNCE_SOFT: "email_bounce",
    Kind.COMPLAINT: "email_complaint",
    Kind.UNSUBSCRIBE: "email_unsubscribe",
    Kind.DELIVERED: "email_delivered",
}


@dataclass
class Occurrence:
    """One event about one message, before it is recorded."""

    workspace_id: int
    kind: str
    recipient: str
    campaign_id: int | None = None
    variant: str = ""
    contact_id: int | None = None
    message_tag: str = ""
    at: datetime | None = None
    is_machine: bool = False
    machine_reason: str = ""
    url: str = ""
    detail: str = ""
    source_ref: str = ""
    utm: dict[str, str] = field(default_factory=dict)
    user_agent: str = ""


def sent_event(workspace_id: int, message_tag: str) -> MailEvent | None:
    """The ``sent`` row of a message (its campaign, variant, contact, recipient and send time)."""
    if not message_tag:
        return None
    return (
        MailEvent.unscoped.filter(workspace_id=workspace_id, message_tag=message_tag, kind=Kind.SENT)
        .order_by("at", "id")
        .first()
    )


def latest_sent_to(workspace_id: int, recipient: str, *, days: int = 30) -> MailEvent | None:
    """The last message sent to the address (for provider events that name only the address)."""
    since = timezone.now() - timedelta(days=days)
    rows = MailEvent.unscoped.filter(
        workspace_id=workspace_id, recipient=normalise(recipient), kind=Kind.SENT, at__gte=since
    )
    return rows.order_by("-at", "-id").first()


def record_sent(
    workspace_id: int,
    *,
    campaign_id: int | None,
    variant: str,
    contact_id: int | None,
    recipient: str,
    message_tag: str,
    at: datetime | None = None,
) -> MailEvent:
    """The campaign sender calls this once the relay took a message (2xx after DATA). Only a row:
    bounces, opens and clicks find their message through its ``message_tag``."""
    return MailEvent.unscoped.create(
        workspace_id=workspace_id,
        campaign_id=campaign_id,
        variant=str(variant or "")[:20],
        contact_id=contact_id,
        recipient=normalise(recipient),
        message_tag=message_tag,
        kind=Kind.SENT,
        at=at or timezone.now(),
    )


def fill_from_sent(occurrence: Occurrence, *, by_address: bool = False) -> MailEvent | None:
    """Completes campaign, variant, contact and recipient from the message's ``sent`` row (with
    ``by_address`` and no tag: the last message sent to the recipient)."""
    sent = sent_event(occurrence.workspace_id, occurrence.message_tag)
    if sent is None and by_address and not occurrence.message_tag and occurrence.recipient:
        sent = latest_sent_to(occurrence.workspace_id, occurrence.recipient)
        if sent is not None:
            occurrence.message_tag = sent.message_tag
    if sent is not None:
        occurrence.campaign_id = occurrence.campaign_id or sent.campaign_id
        occurrence.variant = occurrence.variant or sent.variant
        occurrence.contact_id = occurrence.contact_id or sent.contact_id
        occurrence.recipient = occurrence.recipient or sent.recipient
    return sent


def record(occurrence: Occurrence) -> MailEvent | None:
    """Writes the event (row, analytics store, timeline); None when ``source_ref`` was seen before."""
    item = occurrence
    at = item.at or timezone.now()
    row = MailEvent(
        workspace_id=item.workspace_id,
        campaign_id=item.campaign_id,
        variant=str(item.variant or "")[:20],
        contact_id=item.contact_id,
        recipient=normalise(item.recipient)[:254],
        message_tag=item.message_tag[:32],
        kind=item.kind,
        is_machine=item.is_machine,
        machine_reason=item.machine_reason[:40],
        url=item.url[:2000],
        detail=str(item.detail)[:500],
        source_ref=item.source_ref[:200],
        at=at,
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return None  # this delivery was applied before
    _to_store(row, item)
    _to_timeline(row)
    return row


def _to_store(row: MailEvent, item: Occurrence) -> None:
    # The store keeps UTM on visits only; an email event has none, so its UTM rides in props too.
    props = {"campaign_id": str(row.campaign_id or ""), "variant": row.variant, **item.utm}
    if row.url:
        props["url"] = row.url
    if row.machine_reason:
        props["machine_reason"] = row.machine_reason
    try:
        analytics.record_email_event(
            workspace_id=row.workspace_id,
            ts_ms=int(row.at.timestamp() * 1000),
            name=f"email_{row.kind}",
            contact_id=row.contact_id,
            utm=item.utm,
            props=props,
            is_machine=row.is_machine,
            user_agent=item.user_agent,
        )
    except Exception:  # noqa: BLE001 - the row is kept; the store's failure is logged, not raised
        log.exception("email event not stored in analytics", extra={"workspace_id": row.workspace_id})


def _to_timeline(row: MailEvent) -> None:
    kind = TIMELINE_KINDS.get(row.kind)
    if kind is None:
        return
    contacts_here = Contact.unscoped.filter(workspace_id=row.workspace_id)
    if row.contact_id:
        contact = contacts_here.filter(pk=row.contact_id).first()
    else:  # a provider event or an unsubscribe that names only the address
        contact = contacts_here.filter(email=row.recipient).first() if row.recipient else None
    if contact is None:
        return
    payload = {"campaign_id": row.campaign_id, "variant": row.variant, "event": row.kind}
    for name in ("url", "detail", "machine_reason"):
        if getattr(row, name):
            payload[name] = getattr(row, name)
    if row.is_machine:
        payload["machine"] = True
    contacts.record(contact, kind, row.at, payload, source_ref=f"mail-event:{row.pk}")


def _empty_counts() -> dict:
    return {
        "sent": 0,
        "delivered": 0,
        "human_opens": 0,
        "machine_opens": 0,
        "open_events": 0,
        "clicks": 0,
        "human_clickers": 0,
        "scanner_clicks": 0,
        "clicks_per_link": {},
        "bounces": {"hard": 0, "soft": 0},
        "complaints": 0,
        "unsubscribes": 0,
    }


def campaign_counts(workspace_id: int, campaign_id: int) -> dict[str, dict]:
    """Per variant: messages ``sent`` / ``delivered``; ``human_opens`` (messages opened by a person at
    least once), ``machine_opens`` (messages only machines opened), ``open_events`` (all pixel
    loads); ``clicks`` (human clicks), ``human_clickers`` (messages a person clicked in at least
    once), ``scanner_clicks``, ``clicks_per_link`` (human clicks per URL); ``bounces`` hard / soft,
    ``complaints``, ``unsubscribes`` (distinct messages)."""
    rows = MailEvent.unscoped.filter(workspace_id=workspace_id, campaign_id=campaign_id)
    found: dict[str, dict] = defaultdict(_empty_counts)
    opened: dict[str, dict[str, set]] = defaultdict(lambda: {"human": set(), "machine": set()})
    grouped = rows.values("variant", "kind", "is_machine").annotate(n=Count("id"))
    for entry in grouped:
        _add(found[entry["variant"]], entry["kind"], entry["is_machine"], entry["n"])
    for entry in (
        rows.filter(kind__in=[Kind.BOUNCE_HARD, Kind.BOUNCE_SOFT, Kind.COMPLAINT, Kind.UNSUBSCRIBE])
        .values("variant", "kind")
        .annotate(n=Count("recipient", distinct=True))
    ):
        _distinct(found[entry["variant"]], entry["kind"], entry["n"])
    for entry in rows.filter(kind=Kind.OPEN).values("variant", "message_tag", "is_machine").distinct():
        opened[entry["variant"]]["machine" if entry["is_machine"] else "human"].add(entry["message_tag"])
    for variant, sets in opened.items():
        found[variant]["human_opens"] = len(sets["human"])
        found[variant]["machine_opens"] = len(sets["machine"] - sets["human"])
    clickers = (
        rows.filter(kind=Kind.CLICK, is_machine=False)
        .values("variant")
        .annotate(n=Count("message_tag", distinct=True))
    )
    for entry in clickers:
        found[entry["variant"]]["human_clickers"] = entry["n"]
    links = rows.filter(kind=Kind.CLICK, is_machine=False).values("variant", "url").annotate(n=Count("id"))
    for entry in links:
        found[entry["variant"]]["clicks_per_link"][entry["url"]] = entry["n"]
    return dict(found)


def _add(counts: dict, kind: str, is_machine: bool, n: int) -> None:
    if kind in (Kind.SENT, Kind.DELIVERED):
        counts[kind] += n
    elif kind == Kind.OPEN:
        counts["open_events"] += n
    elif kind == Kind.CLICK:
        counts["scanner_clicks" if is_machine else "clicks"] += n


def _distinct(counts: dict, kind: str, n: int) -> None:
    if kind == Kind.BOUNCE_HARD:
        counts["bounces"]["hard"] = n
    elif kind == Kind.BOUNCE_SOFT:
        counts["bounces"]["soft"] = n
    elif kind == Kind.COMPLAINT:
        counts["complaints"] = n
    else:
        counts["unsubscribes"] = n
