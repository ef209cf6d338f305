"""Polling bounce mailboxes over IMAP: every report goes through the same path as the SMTP
receiver's (``feedback.receive_message``), so thresholds, suppression and timeline entries are
identical, and one report has one effect (``source_ref`` from the report's Message-ID).

Per message: fetch (without setting ``\\Seen``), parse (``reports.parse``); a report's effects are
committed first, then the message is moved to the processed folder or deleted. A crash in between
leaves the message where it was: the next poll applies it again, which changes nothing. Mail that
is no report is never deleted: it is moved to ``other_folder`` or, when none is set, left in place
with the keyword ``SKIP_KEYWORD`` (so it is counted once and not read again).

A poll holds a lease on the mailbox row (two workers, or the periodic job and ``netmark mailing
poll-bounces``, never poll the same mailbox at once). Its outcome is written on the row: time,
counts, and the error in words when the server could not be reached or refused the login.
"""

import logging
import ssl
from dataclasses import asdict, dataclass
from datetime import timedelta
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from netmark.core.addresses import AddressPolicy
from netmark.mailing import feedback, imap, reports, sealing
from netmark.mailing.inbox_models import BounceMailbox

log = logging.getLogger("netmark.mailing")
SKIP_KEYWORD = "NetmarkNotReport"
MAX_PER_POLL = 500
LEASE_SECONDS = 900
ENVELOPE_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To")
TLS_CONTEXT: ssl.SSLContext | None = None  # tests trust their own server's certificate here


@dataclass
class PollResult:
    mailbox_id: int
    status: str = "ok"  # ok, error, busy
    seen: int = 0  # messages looked at
    reports: int = 0  # bounce and complaint reports processed (moved or deleted)
    applied: int = 0  # new bounces and complaints recorded
    duplicates: int = 0  # items applied before (a report seen again)
    unmatched: int = 0  # items naming no message of this workspace
    others: int = 0  # messages that are no report, set aside
    error: str = ""

    def counts(self) -> dict:
        data = asdict(self)
        data.pop("mailbox_id")
        return data


def envelope_recipients(raw: bytes) -> list[str]:
    """Where the mail server delivered the report: the headers it records the envelope in."""
    headers = BytesHeaderParser(policy=compat32).parsebytes(raw[:65536])
    values = [str(value) for name in ENVELOPE_HEADERS for value in headers.get_all(name) or []]
    return [address for _name, address in getaddresses(values) if address]


def due(now=None) -> list[int]:
    now = now or timezone.now()
    rows = BounceMailbox.unscoped.filter(is_active=True).values_list("pk", "last_poll_at", "poll_minutes")
    return [
        pk for pk, last, minutes in rows if last is None or last + timedelta(minutes=max(minutes, 1)) <= now
    ]


def poll_due() -> list[dict]:
    """The periodic job: polls every active mailbox whose interval has passed. An unexpected
    failure of one mailbox is recorded on it and raised after the others were polled."""
    results, failure = [], None
    for pk in due():
        try:
            results.append(asdict(poll(pk)))
        except Exception as exc:  # noqa: BLE001 - recorded on the mailbox by poll; raised below
            failure = failure or exc
    if failure is not None:
        raise failure
    return results


def _claim(mailbox_id: int) -> BounceMailbox | None:
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    claimed = (
        BounceMailbox.unscoped.filter(pk=mailbox_id)
        .filter(free)
        .update(lease_until=now + timedelta(seconds=LEASE_SECONDS))
    )
    return BounceMailbox.unscoped.filter(pk=mailbox_id).first() if claimed else None


def poll(mailbox_id: int) -> PollResult:
    """Polls one mailbox once; the outcome is also written on the mailbox row."""
    result = PollResult(mailbox_id)
    mailbox = _claim(mailbox_id)
    if mailbox is None:
        result.status = "busy" if BounceMailbox.unscoped.filter(pk=mailbox_id).exists() else "error"
        result.error = "another poll of this mailbox is running" if result.status == "busy" else "gone"
        return result
    try:
        _run(mailbox, result)
    except imap.ImapError as exc:
        _failed(mailbox, result, str(exc))
        log.warning("bounce mailbox poll failed", extra={"workspace_id": mailbox.workspace_id})
    except sealing.Unreadable:
        _failed(mailbox, result, "the password cannot be read (SECRET_KEY changed): enter it again")
    except Exception as exc:
        _failed(mailbox, result, f"internal error: {exc!r}"[:500])
        log.exception("bounce mailbox poll crashed", extra={"workspace_id": mailbox.workspace_id})
        raise
    else:
        _finish(mailbox, result)
    return result


def _failed(mailbox: BounceMailbox, result: PollResult, message: str) -> None:
    result.status, result.error = "error", message[:500]
    now = timezone.now()
    BounceMailbox.unscoped.filter(pk=mailbox.pk).update(
        lease_until=None, last_poll_at=now, last_error=result.error, last_error_at=now,
        last_counts=result.counts(),
    )  # fmt: skip


def _finish(mailbox: BounceMailbox, result: PollResult) -> None:
    now = timezone.now()
    BounceMailbox.unscoped.filter(pk=mailbox.pk).update(
        lease_until=None, last_poll_at=now, last_success_at=now, last_error="", last_counts=result.counts()
    )


def _config(mailbox: BounceMailbox) -> imap.ImapConfig:
    return imap.ImapConfig(
        host=mailbox.host,
        port=mailbox.port,
        security=mailbox.security,
        username=mailbox.username,
        password=sealing.unseal(mailbox.password_sealed),
        policy=AddressPolicy.from_settings(),
        tls_context=TLS_CONTEXT,
    )


def _run(mailbox: BounceMailbox, result: PollResult) -> None:
    with imap.Session(_config(mailbox)) as session:
        if mailbox.after == BounceMailbox.After.MOVE:
            session.ensure_folder(mailbox.processed_folder)
        if mailbox.other_folder:
            session.ensure_folder(mailbox.other_folder)
        session.select(mailbox.folder)
        for uid in session.search("UNKEYWORD", SKIP_KEYWORD)[:MAX_PER_POLL]:
            result.seen += 1
            _one(session, mailbox, uid, result)


def _one(session: imap.Session, mailbox: BounceMailbox, uid: bytes, result: PollResult) -> None:
    try:
        raw = session.fetch(uid)
    except imap.MessageTooLarge:
        raw = b""  # no report is this large: set aside, never lost
    if raw is None:
        return  # expunged meanwhile by someone else
    found = reports.parse(raw) if raw else []
    if not found:
        _set_aside(session, mailbox, uid)
        result.others += 1
        BounceMailbox.unscoped.filter(pk=mailbox.pk).update(others_total=F("others_total") + 1)
        return
    with transaction.atomic():
        outcomes = feedback.receive_message(raw, envelope_recipients(raw), workspace_id=mailbox.workspace_id)
    recorded = sum(1 for outcome in outcomes if outcome.recorded)
    result.applied += recorded
    result.duplicates += len(outcomes) - recorded
    result.unmatched += sum(1 for report in found if report.kind != reports.DELAYED) - len(outcomes)
    if mailbox.after == BounceMailbox.After.DELETE:
        session.delete(uid)
    else:
        session.move(uid, mailbox.processed_folder)
    result.reports += 1
    BounceMailbox.unscoped.filter(pk=mailbox.pk).update(reports_total=F("reports_total") + 1)


def _set_aside(session: imap.Session, mailbox: BounceMailbox, uid: bytes) -> None:
    if mailbox.other_folder:
        session.move(uid, mailbox.other_folder)
    else:
        session.mark(uid, SKIP_KEYWORD)
