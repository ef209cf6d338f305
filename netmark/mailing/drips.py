"""Moving enrollments through their sequence's steps (docs/mailing.md, "Drip sequences").

A periodic job claims due enrollments atomically (``SELECT ... FOR UPDATE SKIP LOCKED`` on
PostgreSQL, a conditional UPDATE inside SQLite's write lock, as ``delivery.claim``) and runs their
steps. A step's completion is recorded in the same transaction as its effect and only by the worker
that still holds the lease at that position, so a retried job or a dead worker never runs a step
twice. An email step has its own ``DripMessage`` row: it becomes ``sending`` (Message-ID stored)
right before the SMTP hand-over and ``sent`` together with the advance; a row still ``sending``
after a crash is sent again with the same Message-ID (at least once, never a different message).
Every function takes ``now`` so tests drive the clock.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from netmark.analytics.services import plan_campaign
from netmark.contacts import services as contacts
from netmark.contacts import timeline
from netmark.contacts.consent import may_contact
from netmark.mailing import composing, delivery, drip_notify, events, lists, sending, smtp
from netmark.mailing.drip_models import DripMessage, Enrollment, Sequence, SequenceStep
from netmark.mailing.feedback_models import MailEvent
from netmark.mailing.suppression import is_suppressed
from netmark.mailing.templating import MessageTemplate

State = Enrollment.State
Kind = SequenceStep.Kind
MAX_ATTEMPTS = 5
BATCH = 50
MAX_STEPS_PER_RUN = 100  # a loop of conditions without a wait cannot spin forever
STOP = "stop"


class LeaseLost(Exception):
    """Another worker holds the enrollment now: this worker's step must leave no effect."""


def lease_seconds() -> int:
    return int(getattr(settings, "DRIP_LEASE_SECONDS", 120))


def wait_seconds(config: dict) -> int:
    return (
        int(config.get("days", 0)) * 86400
        + int(config.get("hours", 0)) * 3600
        + int(config.get("minutes", 0)) * 60
    )


# Claiming


def claim(worker: str, now: datetime, limit: int = BATCH) -> list[Enrollment]:
    """Leases up to ``limit`` due enrollments of active sequences to ``worker``."""
    due = Enrollment.unscoped.filter(
        state=State.ACTIVE, sequence__status=Sequence.Status.ACTIVE, next_run_at__lte=now
    ).filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    lease = now + timedelta(seconds=lease_seconds())
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            ids = list(
                due.select_for_update(skip_locked=True, of=("self",))
                .order_by("next_run_at", "id")
                .values_list("id", flat=True)[:limit]
            )
        else:  # SQLite: the transaction holds the write lock, the UPDATE re-checks
            ids = list(due.order_by("next_run_at", "id").values_list("id", flat=True)[:limit])
        Enrollment.unscoped.filter(pk__in=ids).filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=now)
        ).update(worker=worker, lease_until=lease)
    rows = Enrollment.unscoped.filter(pk__in=ids, worker=worker, lease_until=lease)
    return list(rows.select_related("contact", "sequence__server", "sequence__plan").order_by("id"))


def release(enrollment: Enrollment, worker: str) -> None:
    Enrollment.unscoped.filter(pk=enrollment.pk, worker=worker).update(worker="", lease_until=None)


# Moving on


def _target(steps: dict[int, SequenceStep], position: int, goto) -> int | None:
    """The next position (None: the sequence is done)."""
    if goto == STOP:
        return None
    nxt = position + 1 if goto is None else int(goto)
    return nxt if nxt in steps else None


def _advance(
    enrollment: Enrollment, worker: str, now: datetime, *, to: int | None, result: str, **extra
) -> None:
    """Records the current step done and moves on, only while this worker holds the enrollment at
    this position (else ``LeaseLost``: the caller's transaction rolls its effect back)."""
    entry = {"position": enrollment.position, "result": result, "at": now.isoformat()}
    values = {"history": [*enrollment.history, entry], "waited": False, "next_run_at": now}
    if to is None:
        values.update(state=extra.pop("state", State.DONE), finished_at=now, next_run_at=None)
    else:
        values["position"] = to
    values.update(extra)
    mine = Enrollment.unscoped.filter(
        pk=enrollment.pk, worker=worker, position=enrollment.position, state=State.ACTIVE
    )
    if not mine.update(**values):
        raise LeaseLost()
    for name, value in values.items():
        setattr(enrollment, name, value)


def _exit(enrollment: Enrollment, worker: str, now: datetime, reason: str) -> None:
    _advance(enrollment, worker, now, to=None, result="exit", state=State.EXITED, exit_reason=reason[:100])


# Conditions


def _previous_email(enrollment: Enrollment, position: int) -> DripMessage | None:
    return (
        DripMessage.unscoped.filter(
            enrollment=enrollment,
            step__position__lt=position,
            step__kind=Kind.EMAIL,
            state=DripMessage.State.SENT,
        )
        .order_by("-step__position")
        .first()
    )


def evaluate(enrollment: Enrollment, step: SequenceStep) -> bool:
    """Whether the condition holds for the enrollment's contact now."""
    config, contact = step.config, enrollment.contact
    test = config.get("test")
    if test in ("opened", "clicked"):
        message = _previous_email(enrollment, step.position)
        if message is None:
            return False
        kinds = [MailEvent.Kind.CLICK] if test == "clicked" else [MailEvent.Kind.OPEN, MailEvent.Kind.CLICK]
        return MailEvent.unscoped.filter(
            workspace_id=enrollment.workspace_id,
            message_tag=message.message_tag,
            kind__in=kinds,
            is_machine=False,
        ).exists()
    if test == "tag":
        return contact.tags.filter(name=config.get("value", "")).exists()
    if test == "stage":
        return contact.stage == config.get("value")
    if test == "field":
        return str((contact.custom or {}).get(config.get("value", ""), "")) == str(config.get("equals", ""))
    return False


# Emails


def message_key(message: DripMessage) -> str:
    return f"drip:{message.enrollment_id}:{message.step_id}"


def refusal(sequence: Sequence, contact, email: str) -> str:
    """Why the contact must not get the email now ('' when they may): asked right before sending."""
    if not email:
        return "no address"
    if is_suppressed(sequence.workspace_id, email):
        return "suppressed"
    if sequence.mailing_list_id and not lists.is_subscribed(
        sequence.workspace_id, sequence.mailing_list_id, contact.pk
    ):
        return "not subscribed"
    if not may_contact(contact, "email_marketing"):
        return "no consent"
    return ""


def compose(sequence: Sequence, step: SequenceStep, message: DripMessage, contact) -> composing.Outgoing:
    """The step's message (``composing.compose``); its key is (enrollment, step) for every attempt."""
    content = f"drip-{sequence.pk}-{step.position}"
    utm = {"utm_source": "netmark", "utm_medium": "email", "utm_content": content}
    if sequence.plan_id:
        utm["utm_campaign"] = plan_campaign(sequence.plan)
    template = MessageTemplate(
        step.config.get("subject", ""), step.config.get("html", ""), step.config.get("text") or None
    )
    letter = composing.Letter(
        workspace_id=sequence.workspace_id, server=sequence.server,
        sender=composing.sender_for(sequence.server, sequence.from_name, sequence.from_email),
        recipient=message.email, contact=contact, template=template, key=message_key(message),
        list_key=str(sequence.mailing_list_id or ""), list_name=sequence.name,
        list_fallback=f"d{sequence.pk}", unsubscribe_key=f"drip{sequence.pk}", utm=utm,
    )  # fmt: skip
    return composing.compose(letter)


def begin_email(enrollment: Enrollment, step: SequenceStep, worker: str, now: datetime):
    """Checks and composes; ``(row, outgoing)`` ready to hand over (the row is ``sending``), or
    ``(row, None)`` when there is nothing to send (already sent, refused: the enrollment moved)."""
    sequence, contact = enrollment.sequence, enrollment.contact
    row, _ = DripMessage.unscoped.get_or_create(
        enrollment=enrollment, step=step,
        defaults={"workspace_id": enrollment.workspace_id, "email": contact.email},
    )  # fmt: skip
    if row.state in (DripMessage.State.SENT, DripMessage.State.FAILED, DripMessage.State.SKIPPED):
        with transaction.atomic():
            _advance(
                enrollment,
                worker,
                now,
                to=_target(_steps(sequence), step.position, step.config.get("then")),
                result=row.state,
            )
        return row, None
    reason = "no server" if sequence.server is None else refusal(sequence, contact, row.email)
    if reason:
        with transaction.atomic():
            DripMessage.unscoped.filter(pk=row.pk).update(state=DripMessage.State.SKIPPED, last_detail=reason)
            _exit(enrollment, worker, now, reason)
        return row, None
    outgoing = compose(sequence, step, row, contact)
    row.was_uncertain = row.was_uncertain or row.state == DripMessage.State.SENDING
    row.attempts += 1
    row.message_id, row.message_tag = outgoing.message["Message-ID"], outgoing.tag
    row.state = DripMessage.State.SENDING
    row.save(update_fields=["state", "attempts", "was_uncertain", "message_id", "message_tag", "updated_at"])
    return row, outgoing


def finish_email(
    enrollment: Enrollment,
    step: SequenceStep,
    row: DripMessage,
    outcome: smtp.Outcome,
    worker: str,
    now: datetime,
) -> str:
    """Records the SMTP outcome and, unless it is worth retrying, moves the enrollment on."""
    sequence = enrollment.sequence
    detail = outcome.detail[:500]
    if (
        outcome.status in (smtp.TEMPORARY, smtp.BLOCKED, smtp.DEFERRED, smtp.UNCERTAIN)
        and row.attempts < MAX_ATTEMPTS
    ):
        wait = outcome.retry_after if outcome.status == smtp.DEFERRED else smtp.backoff(row.attempts)
        DripMessage.unscoped.filter(pk=row.pk).update(
            state=DripMessage.State.PENDING,
            last_detail=detail,
            was_uncertain=row.was_uncertain or outcome.status == smtp.UNCERTAIN,
        )
        Enrollment.unscoped.filter(pk=enrollment.pk, worker=worker).update(
            next_run_at=now + timedelta(seconds=max(1, wait)), worker="", lease_until=None
        )
        return "retry"
    with transaction.atomic():
        if outcome.status == smtp.SENT:
            DripMessage.unscoped.filter(pk=row.pk).update(
                state=DripMessage.State.SENT, sent_at=now, last_detail=detail
            )
            events.record_sent(
                sequence.workspace_id, campaign_id=None, variant="", contact_id=enrollment.contact_id,
                recipient=row.email, message_tag=row.message_tag, at=now,
            )  # fmt: skip
            _advance(
                enrollment,
                worker,
                now,
                to=_target(_steps(sequence), step.position, step.config.get("then")),
                result="sent",
            )
            return "sent"
        state = (
            DripMessage.State.SKIPPED
            if outcome.status in (smtp.SUPPRESSED, smtp.INVALID)
            else DripMessage.State.FAILED
        )
        DripMessage.unscoped.filter(pk=row.pk).update(state=state, last_detail=detail)
        _exit(enrollment, worker, now, f"email {state}")
        return state


# Running steps


def _steps(sequence: Sequence) -> dict[int, SequenceStep]:
    cache = getattr(sequence, "_drip_steps", None)
    if cache is None:
        cache = {step.position: step for step in SequenceStep.unscoped.filter(sequence=sequence)}
        sequence._drip_steps = cache
    return cache


def _effect(enrollment: Enrollment, step: SequenceStep, now: datetime) -> None:
    """The change a tag, stage or notify step makes to the contact."""
    contact, config = enrollment.contact, step.config
    if step.kind == Kind.TAG:
        contacts.add_tags(contact, [config["tag"]])
    elif step.kind == Kind.STAGE:
        contact.stage = config["stage"]
        contact.save(update_fields=["stage", "updated_at"])
    elif step.kind == Kind.NOTIFY:
        payload = {"text": config.get("text", ""), "sequence": enrollment.sequence.name}
        timeline.record(contact, "drip_note", now, payload, source_ref=f"drip:{enrollment.pk}:{step.pk}")
        drip_notify.queue(enrollment.pk, step.pk)  # the owner's email, once this step has committed


def _wait(enrollment: Enrollment, step: SequenceStep, worker: str, now: datetime) -> str:
    if not enrollment.waited:
        mine = Enrollment.unscoped.filter(pk=enrollment.pk, worker=worker, position=step.position)
        if not mine.update(waited=True, next_run_at=now + timedelta(seconds=wait_seconds(step.config))):
            raise LeaseLost()
        return "wait"
    steps = _steps(enrollment.sequence)
    with transaction.atomic():
        _advance(
            enrollment,
            worker,
            now,
            to=_target(steps, step.position, step.config.get("then")),
            result="waited",
        )
    return "next"


def _email(enrollment: Enrollment, step: SequenceStep, worker: str, now: datetime) -> str:
    row, outgoing = begin_email(enrollment, step, worker, now)
    if outgoing is None:
        return "next" if enrollment.state == State.ACTIVE else enrollment.state
    server = enrollment.sequence.server
    outcome = sending.send_one(server, outgoing.message, row.email, envelope_from=outgoing.envelope_from)
    return finish_email(enrollment, step, row, outcome, worker, now)


def run_step(enrollment: Enrollment, worker: str, now: datetime) -> str:
    """Runs the enrollment's current step once; what happened ('wait', 'sent', 'next', ...)."""
    steps = _steps(enrollment.sequence)
    step = steps.get(enrollment.position)
    if step is None:
        with transaction.atomic():
            _advance(enrollment, worker, now, to=None, result="done")
        return "done"
    if step.kind == Kind.WAIT:
        return _wait(enrollment, step, worker, now)
    if step.kind == Kind.EMAIL:
        return _email(enrollment, step, worker, now)
    with transaction.atomic():  # the effect and the step's completion commit together
        if step.kind == Kind.CONDITION:
            holds = evaluate(enrollment, step)
            goto = step.config.get("yes") if holds else step.config.get("no")
            result = "yes" if holds else "no"
        else:
            _effect(enrollment, step, now)
            goto, result = step.config.get("then"), "done"
        _advance(enrollment, worker, now, to=_target(steps, step.position, goto), result=result)
    return "next"


def process(enrollment: Enrollment, worker: str, now: datetime) -> list[str]:
    """Runs steps until the enrollment waits, finishes, retries later or is taken by another worker."""
    done: list[str] = []
    try:
        for _ in range(MAX_STEPS_PER_RUN):
            if enrollment.state != State.ACTIVE or enrollment.sequence.status != Sequence.Status.ACTIVE:
                break
            result = run_step(enrollment, worker, now)
            done.append(result)
            if result not in ("next", "sent"):  # waiting, retrying later, done or exited
                break
    except LeaseLost:
        done.append("lease lost")
    finally:
        release(enrollment, worker)
    return done


def tick(now: datetime | None = None, *, worker: str | None = None, limit: int = BATCH) -> dict[str, int]:
    """One pass of the periodic job: claims due enrollments and runs them. Counts of outcomes."""
    now = now or timezone.now()
    worker = worker or delivery.new_worker_id()
    counts: dict[str, int] = {}
    try:
        for enrollment in claim(worker, now, limit):
            for result in process(enrollment, worker, now):
                counts[result] = counts.get(result, 0) + 1
    finally:
        sending.close_connections()
    return counts
