"""Applying bounces and complaints, from netmark's SMTP receiver or a provider's webhook.

Each item becomes one ``MailEvent`` (exactly once per delivery id) on the contact's timeline, and
the thresholds decide suppression: a hard bounce or a complaint suppresses the address at once;
``SOFT_BOUNCES_TO_SUPPRESS`` soft bounces within ``SOFT_BOUNCE_DAYS`` days suppress it as a hard
bounce. A report that reaches the receiver must name a message netmark sent (the VERP tag, or
the VERP in the attached original): anything else is ignored, so a forged bounce for an address
of someone's choosing suppresses nobody. Provider webhooks are authenticated by their signature
instead (``providers``), so their items may name only the address.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from netmark.mailing import events, reports, verp
from netmark.mailing.feedback_models import MailEvent
from netmark.mailing.models import Suppression
from netmark.mailing.suppression import normalise, suppress

log = logging.getLogger("netmark.mailing")
Kind = MailEvent.Kind
APPLIED_KINDS = {Kind.BOUNCE_HARD, Kind.BOUNCE_SOFT, Kind.COMPLAINT, Kind.DELIVERED}


@dataclass
class Item:
    """One bounce, complaint or delivery, from any source, before it is applied."""

    workspace_id: int
    kind: str
    recipient: str = ""
    status: str = ""
    detail: str = ""
    message_tag: str = ""
    source_ref: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class Outcome:
    kind: str
    recipient: str
    recorded: bool  # False: this delivery was applied before
    suppressed: bool  # newly suppressed by this item


def _soft_count(workspace_id: int, recipient: str, at: datetime) -> int:
    since = at - timedelta(days=settings.SOFT_BOUNCE_DAYS)
    return MailEvent.unscoped.filter(
        workspace_id=workspace_id, recipient=recipient, kind=Kind.BOUNCE_SOFT, at__gte=since
    ).count()


def _threshold(item: Item, recipient: str, at: datetime) -> tuple[str, str] | None:
    """(suppression reason, detail) when this item moves the address to suppression."""
    if item.kind == Kind.BOUNCE_HARD:
        return Suppression.Reason.HARD_BOUNCE, f"{item.status} {item.detail}".strip()
    if item.kind == Kind.COMPLAINT:
        return Suppression.Reason.COMPLAINT, item.detail
    if item.kind == Kind.BOUNCE_SOFT:
        count = _soft_count(item.workspace_id, recipient, at)
        if count >= settings.SOFT_BOUNCES_TO_SUPPRESS:
            return Suppression.Reason.HARD_BOUNCE, (
                f"{count} soft bounces in {settings.SOFT_BOUNCE_DAYS} days; last {item.status}".strip()
            )
    return None


@transaction.atomic
def apply(item: Item, *, require_message: bool = False) -> Outcome | None:
    """Records the item and applies the thresholds. With ``require_message`` (mail that reached
    the receiver) an item whose tag names no sent message is ignored: None."""
    if item.kind not in APPLIED_KINDS:
        return None
    occurrence = events.Occurrence(
        workspace_id=item.workspace_id,
        kind=item.kind,
        recipient=normalise(item.recipient),
        message_tag=item.message_tag,
        at=item.at or timezone.now(),
        detail=f"{item.status} {item.detail}".strip(),
        source_ref=item.source_ref,
    )
    sent = events.fill_from_sent(occurrence, by_address=not require_message)
    if require_message and sent is None:
        log.warning("report for an unknown message ignored", extra={"workspace_id": item.workspace_id})
        return None
    if sent is not None:
        occurrence.recipient = sent.recipient  # ours, not what the report claims (forwards)
    if not occurrence.recipient:
        return None
    row = events.record(occurrence)
    if row is None:
        return Outcome(item.kind, occurrence.recipient, recorded=False, suppressed=False)
    decision = _threshold(item, occurrence.recipient, occurrence.at)
    created = False
    if decision is not None:
        _row, created = suppress(item.workspace_id, occurrence.recipient, decision[0], decision[1])
    return Outcome(item.kind, occurrence.recipient, recorded=True, suppressed=created)


def _source_ref(report: reports.Report, tag: str, raw: bytes) -> str:
    seed = report.report_id or hashlib.sha256(raw).hexdigest()
    digest = hashlib.sha256(f"{seed}|{tag}|{report.kind}|{report.recipient}".encode()).hexdigest()
    return f"report:{digest[:48]}"


def _target(envelope_recipients, report: reports.Report) -> verp.ReturnPath | None:
    for address in envelope_recipients:
        found = verp.parse(address)
        if found is not None:
            return found
    return verp.parse(report.return_path)


def receive_message(
    raw: bytes, envelope_recipients: list[str], *, workspace_id: int | None = None
) -> list[Outcome]:
    """Everything one received report says, applied. Delay warnings and mail that is no report
    change nothing. With ``workspace_id`` (a workspace's own bounce mailbox) a report naming another
    workspace's message is ignored: a mailbox never changes what another workspace knows."""
    outcomes = []
    for report in reports.parse(raw):
        target = _target(envelope_recipients, report)
        if report.kind == reports.DELAYED or target is None:
            continue
        if workspace_id is not None and target.workspace_id != workspace_id:
            log.warning("report for another workspace ignored", extra={"workspace_id": workspace_id})
            continue
        item = Item(
            workspace_id=target.workspace_id,
            kind=report.kind,
            recipient=report.recipient,
            status=report.status,
            detail=report.detail,
            message_tag=target.tag,
            source_ref=_source_ref(report, target.tag, raw),
        )
        outcome = apply(item, require_message=True)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes
