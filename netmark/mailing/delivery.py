"""Crash-safe campaign sending (RELIABILITY.md MAIL-CRASH, MAIL-FAULT): claim, check, compose, send.

A worker leases a batch of rows (``claimed``, ``lease_until``) atomically: ``SELECT ... FOR UPDATE
SKIP LOCKED`` where the database has it (PostgreSQL), else a conditional UPDATE inside SQLite's
write lock, so two workers never take the same row. Right before the hand-over to SMTP the row
becomes ``sending`` (attempt counted, Message-ID stored); the outcome then makes it ``sent``,
``failed``, ``pending`` again (temporary: retried after ``smtp.backoff``), ``uncertain`` (the
connection broke after the content went out) or ``skipped`` (not to be sent any more). Each
worker thread sends over one connection, one message at a time, so at a crash at most one row
per connection is ``sending``. ``recover`` turns rows whose lease ran out back into ``pending``
(only claimed: nothing went out) or into ``uncertain`` (``sending``: it may have gone out); those
are sent again with the same Message-ID, and ``was_uncertain`` keeps them counted in the report.
"""

import os
import threading
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from netmark.analytics.services import plan_campaign
from netmark.contacts.consent import may_contact
from netmark.mailing import composing, events, lists, sending, smtp
from netmark.mailing.campaign_models import Campaign, Recipient
from netmark.mailing.suppression import is_suppressed
from netmark.mailing.templating import MessageTemplate

State = Recipient.State
CLAIMABLE = (State.PENDING, State.UNCERTAIN)
OPEN_STATES = (State.PENDING, State.CLAIMED, State.SENDING, State.UNCERTAIN)
MAX_ATTEMPTS = 5
BATCH = 20
_templates: dict[tuple, MessageTemplate] = {}


def lease_seconds() -> int:
    return int(getattr(settings, "CAMPAIGN_LEASE_SECONDS", 60))


def new_worker_id() -> str:
    return f"{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:8]}"


# Composing: what a campaign gives ``composing.compose`` (tracking and VERP plug in there).


def template_for(campaign: Campaign, variant_key: str = "") -> MessageTemplate:
    """The compiled template of the campaign or of one variant, cached per process."""
    variant = (
        next((v for v in campaign.variants.all() if v.key == variant_key), None) if variant_key else None
    )
    subject = variant.subject if variant else campaign.subject
    html = variant.html if variant and variant.html else campaign.html
    key = (campaign.pk, variant_key, subject, html, campaign.text)
    if key not in _templates:
        if len(_templates) > 256:
            _templates.clear()
        _templates[key] = MessageTemplate(subject, html, campaign.text or None)
    return _templates[key]


def message_key(campaign: Campaign, recipient: Recipient) -> str:
    """Names one recipient's message for every attempt: its Message-ID, tracking tokens and VERP tag."""
    return f"campaign:{campaign.pk}:{recipient.email}"


def utm_content(campaign_id: int, variant: str = "") -> str:
    """The ``utm_content`` of a campaign's links: names the campaign and the A/B variant, so the
    visits and sales they bring are attributed to each (lower-case, as analytics stores UTM)."""
    return f"campaign-{int(campaign_id)}-{variant}".lower() if variant else f"campaign-{int(campaign_id)}"


def campaign_utm(campaign: Campaign, variant: str) -> dict[str, str]:
    """The UTM every tracked link carries: the promotion's campaign (as its KPIs count it), medium
    email, and the campaign and A/B variant as the content; a link's own UTM values win (``tag_url``)."""
    utm = {"utm_source": "netmark", "utm_medium": "email", "utm_content": utm_content(campaign.pk, variant)}
    if campaign.plan_id:
        utm["utm_campaign"] = plan_campaign(campaign.plan)
    return utm


def compose(campaign: Campaign, recipient: Recipient) -> composing.Outgoing:
    """One recipient's message (``composing.compose``); the key is campaign x address."""
    list_key = str(campaign.mailing_list_id or "")
    letter = composing.Letter(
        workspace_id=campaign.workspace_id,
        server=campaign.server,
        sender=composing.sender_for(campaign.server, campaign.from_name, campaign.from_email),
        recipient=recipient.email,
        contact=recipient.contact,
        template=template_for(campaign, recipient.variant),
        key=message_key(campaign, recipient),
        list_key=list_key,
        list_name=campaign.mailing_list.name if campaign.mailing_list_id else campaign.name,
        list_fallback=f"c{campaign.pk}",
        unsubscribe_key=str(campaign.pk),
        utm=campaign_utm(campaign, recipient.variant),
        campaign_id=campaign.pk,
        variant=recipient.variant,
    )
    return composing.compose(letter)


# Claiming


def claim(campaign: Campaign, worker: str, limit: int = BATCH) -> list[Recipient]:
    """Leases up to ``limit`` due rows to ``worker``; no other worker gets them while the lease runs."""
    now = timezone.now()
    due = Recipient.unscoped.filter(campaign_id=campaign.pk, state__in=CLAIMABLE).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    lease = now + timedelta(seconds=lease_seconds())
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            ids = list(
                due.select_for_update(skip_locked=True).order_by("id").values_list("id", flat=True)[:limit]
            )
        else:  # SQLite: the transaction holds the write lock, the UPDATE re-checks the state
            ids = list(due.order_by("id").values_list("id", flat=True)[:limit])
        Recipient.unscoped.filter(pk__in=ids, state__in=CLAIMABLE).update(
            state=State.CLAIMED, worker=worker, lease_until=lease
        )
    rows = Recipient.unscoped.filter(pk__in=ids, worker=worker, state=State.CLAIMED)
    return list(rows.select_related("contact").order_by("id"))


def heartbeat(worker: str) -> int:
    """Extends the lease of every row this worker holds."""
    lease = timezone.now() + timedelta(seconds=lease_seconds())
    return Recipient.unscoped.filter(worker=worker, state__in=(State.CLAIMED, State.SENDING)).update(
        lease_until=lease
    )


def release(worker: str) -> int:
    """Gives back the rows claimed but not begun (pause, cancel, shutdown)."""
    return Recipient.unscoped.filter(worker=worker, state=State.CLAIMED).update(
        state=State.PENDING, worker="", lease_until=None
    )


def recover(campaign_id: int | None = None) -> dict[str, int]:
    """Rows whose lease ran out: ``claimed`` back to ``pending``, ``sending`` to ``uncertain``."""
    stale = Recipient.unscoped.filter(lease_until__lt=timezone.now())
    if campaign_id is not None:
        stale = stale.filter(campaign_id=campaign_id)
    with transaction.atomic():
        returned = stale.filter(state=State.CLAIMED).update(state=State.PENDING, worker="", lease_until=None)
        uncertain = stale.filter(state=State.SENDING).update(
            state=State.UNCERTAIN, was_uncertain=True, worker="", lease_until=None, next_attempt_at=None
        )
    return {"returned": returned, "uncertain": uncertain}


# Checking and sending one row


def refusal(campaign: Campaign, recipient: Recipient) -> str:
    """Why this row must not be sent now ('' when it may): asked right before every send."""
    contact = recipient.contact
    if contact is None:
        return "contact deleted"
    if is_suppressed(campaign.workspace_id, recipient.email):
        return "suppressed"
    if campaign.mailing_list_id and not lists.is_subscribed(
        campaign.workspace_id, campaign.mailing_list_id, contact.pk
    ):
        return "not subscribed"
    if not may_contact(contact, "email_marketing"):
        return "no consent"
    return ""


def _finish_row(recipient: Recipient, worker: str, **values) -> None:
    Recipient.unscoped.filter(pk=recipient.pk, worker=worker).update(worker="", lease_until=None, **values)


def _begin(recipient: Recipient, worker: str, message_id: str) -> bool:
    """``claimed`` -> ``sending`` (the attempt counted); False when the lease was lost or the
    campaign stopped sending (paused or cancelled since the batch was claimed)."""
    recipient.attempts += 1
    mine = Recipient.unscoped.filter(
        pk=recipient.pk, worker=worker, state=State.CLAIMED, campaign__status=Campaign.Status.SENDING
    )
    return bool(mine.update(state=State.SENDING, attempts=recipient.attempts, message_id=message_id))


def outcome_values(recipient: Recipient, outcome: smtp.Outcome) -> dict:
    """The row's new state for an SMTP outcome (docs/mailing.md, "Outcome classes")."""
    now = timezone.now()
    detail = {"last_code": outcome.code, "last_detail": outcome.detail[:500]}
    if outcome.status == smtp.SENT:
        return {"state": State.SENT, "sent_at": now, **detail}
    if outcome.status in (smtp.SUPPRESSED, smtp.INVALID):
        return {"state": State.SKIPPED, **detail}
    if outcome.status == smtp.DEFERRED:  # the hourly pace: nothing was tried, so no attempt counted
        later = now + timedelta(seconds=outcome.retry_after)
        attempts = recipient.attempts - 1
        return {"state": State.PENDING, "attempts": attempts, "next_attempt_at": later, **detail}
    if outcome.status == smtp.PERMANENT or recipient.attempts >= MAX_ATTEMPTS:
        return {"state": State.FAILED, **detail}
    if outcome.status == smtp.UNCERTAIN:
        later = now + timedelta(seconds=smtp.backoff(recipient.attempts))
        return {"state": State.UNCERTAIN, "was_uncertain": True, "next_attempt_at": later, **detail}
    wait = smtp.backoff(recipient.attempts)  # temporary or blocked
    return {"state": State.PENDING, "next_attempt_at": now + timedelta(seconds=wait), **detail}


def deliver(campaign: Campaign, recipient: Recipient, worker: str) -> str:
    """Checks, composes and sends one claimed row; its new state."""
    reason = refusal(campaign, recipient)
    if reason:
        _finish_row(recipient, worker, state=State.SKIPPED, last_detail=reason)
        return State.SKIPPED
    outgoing = compose(campaign, recipient)
    if not _begin(recipient, worker, outgoing.message["Message-ID"]):
        return ""
    outcome = sending.send_one(
        campaign.server, outgoing.message, recipient.email, envelope_from=outgoing.envelope_from
    )
    values = outcome_values(recipient, outcome)
    with transaction.atomic():
        _finish_row(recipient, worker, **values)
        if values["state"] == State.SENT:  # opens, clicks and bounces find the message by this row
            events.record_sent(
                campaign.workspace_id, campaign_id=campaign.pk, variant=recipient.variant,
                contact_id=recipient.contact_id, recipient=recipient.email,
                message_tag=outgoing.tag,
            )  # fmt: skip
    return values["state"]


# The worker loop


def work(campaign_id: int, *, worker: str | None = None, max_seconds: float | None = None) -> dict:
    """Sends the campaign's due rows until none is left, the campaign stops being ``sending``, or
    ``max_seconds`` pass. Safe to run in many workers at once. Returns counts of what it did."""
    worker = worker or new_worker_id()
    started = last_beat = time.monotonic()
    done: dict[str, int] = {}
    recover(campaign_id)
    try:
        while max_seconds is None or time.monotonic() - started < max_seconds:
            campaign = _active(campaign_id)
            if campaign is None:
                break
            rows = claim(campaign, worker)
            if not rows:
                break
            for row in rows:
                if time.monotonic() - last_beat > lease_seconds() / 3:
                    heartbeat(worker)
                    last_beat = time.monotonic()
                    if _active(campaign_id) is None:
                        break
                state = deliver(campaign, row, worker)
                if not state:  # paused, cancelled, or the lease was lost: stop here
                    break
                done[state] = done.get(state, 0) + 1
    finally:
        release(worker)
        sending.close_connections()
    return done


def _active(campaign_id: int) -> Campaign | None:
    found = Campaign.unscoped.filter(pk=campaign_id, status=Campaign.Status.SENDING)
    campaign = found.select_related("server", "mailing_list", "plan").prefetch_related("variants").first()
    return campaign if campaign is not None and campaign.server is not None else None


def is_being_worked(campaign_id: int) -> bool:
    """Whether some worker holds a live lease on the campaign's rows."""
    live = Recipient.unscoped.filter(campaign_id=campaign_id, lease_until__gt=timezone.now())
    return live.exists()


def next_wake(campaign_id: int) -> float | None:
    """Seconds until this campaign has work again (a retry or a lease to recover); None: nothing open."""
    rows = Recipient.unscoped.filter(campaign_id=campaign_id, state__in=OPEN_STATES).order_by()
    if not rows.exists():
        return None
    if rows.filter(next_attempt_at__isnull=True, lease_until__isnull=True).exists():
        return 0.0
    found = rows.aggregate(retry=Min("next_attempt_at"), lease=Min("lease_until"))
    soonest = min(t for t in found.values() if t is not None)
    return max(0.0, (soonest - timezone.now()).total_seconds())
