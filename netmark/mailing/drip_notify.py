"""The drip "notify owner" step: a note on the contact's timeline (written with the step) and, after
the commit, an email to the person who follows the contact up.

The email goes to the contact's owner, or to the workspace's first owner when the contact has none,
through the SMTP server of the sequence (else the workspace's first one): the transactional path
the confirmation emails take (``sending.send_one``, no tracking, no unsubscribe). It is written in
the owner's language (members have no stored language, so the workspace's, which the pages default
to) and links to the contact's page. A ``DripMessage`` row per (enrollment, step) makes the job
idempotent: sent once, retried after ``smtp.backoff`` while the server answers temporarily, with
the same Message-ID.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from netmark.core.models import Member
from netmark.core.roles import Role
from netmark.mailing import composing, mime, sending, smtp
from netmark.mailing.drip_models import DripMessage, Enrollment, SequenceStep
from netmark.mailing.models import SmtpServer

MAX_ATTEMPTS = 5
RETRY = (smtp.TEMPORARY, smtp.DEFERRED, smtp.UNCERTAIN)


def queue(enrollment_id: int, step_id: int) -> None:
    """Sends the notice in a job once the step's transaction has committed."""
    from netmark.mailing import tasks  # noqa: PLC0415 - tasks import this module

    transaction.on_commit(lambda: tasks.notify_owner(enrollment_id, step_id))


def recipient_of(contact) -> Member | None:
    """The contact's owner, else the workspace's first owner; only members with an address."""
    if contact.owner_id and contact.owner.user_id and contact.owner.user.email:
        return contact.owner
    owners = Member.unscoped.filter(workspace_id=contact.workspace_id, role=Role.OWNER, user__isnull=False)
    return owners.exclude(user__email="").select_related("user").order_by("pk").first()


def server_for(sequence) -> SmtpServer | None:
    if sequence.server_id:
        return sequence.server
    return SmtpServer.unscoped.filter(workspace_id=sequence.workspace_id).order_by("pk").first()


def contact_url(contact) -> str:
    return settings.PUBLIC_URL + reverse("contacts:contact_detail", args=[contact.workspace.slug, contact.pk])


def notice_message(enrollment: Enrollment, step: SequenceStep, server: SmtpServer, to: str) -> mime.Message:
    contact, sequence = enrollment.contact, enrollment.sequence
    language = contact.workspace.language if contact.workspace.language in dict(settings.LANGUAGES) else "en"
    context = {"contact": contact, "sequence": sequence, "text": step.config.get("text", ""),
               "url": contact_url(contact)}  # fmt: skip
    with translation.override(language):
        subject = _("%(sequence)s: follow up %(contact)s") % {
            "sequence": sequence.name, "contact": contact.name or contact.email or contact.pk}  # fmt: skip
        html = render_to_string("mailing/email/drip_notice.html", context)
    return mime.build_message(
        sender=composing.sender_for(server),
        recipient=to,
        subject=subject,
        html=html,
        key=f"drip-notice:{enrollment.pk}:{step.pk}",
    )


def send_notice(enrollment_id: int, step_id: int) -> str:
    """Sends the step's notice once; the outcome ('sent', 'retry', 'no owner', 'no server', ...)."""
    found = Enrollment.unscoped.filter(pk=enrollment_id).select_related(
        "contact__owner__user", "contact__workspace", "sequence__server"
    )
    enrollment, step = found.first(), SequenceStep.unscoped.filter(pk=step_id).first()
    if enrollment is None or step is None or step.kind != SequenceStep.Kind.NOTIFY:
        return "gone"
    member, server = recipient_of(enrollment.contact), server_for(enrollment.sequence)
    to = member.user.email if member is not None else ""
    row, _created = DripMessage.unscoped.get_or_create(
        enrollment=enrollment, step=step, defaults={"workspace_id": enrollment.workspace_id, "email": to}
    )
    if row.state in (DripMessage.State.SENT, DripMessage.State.FAILED, DripMessage.State.SKIPPED):
        return row.state
    if not to or server is None:
        reason = "no owner" if not to else "no server"
        DripMessage.unscoped.filter(pk=row.pk).update(state=DripMessage.State.SKIPPED, last_detail=reason)
        return reason
    message = notice_message(enrollment, step, server, to)
    row.attempts += 1
    outcome = sending.send_one(server, message, to)
    return _record(row, outcome, message["Message-ID"])


def _record(row: DripMessage, outcome: smtp.Outcome, message_id: str) -> str:
    values = {"attempts": row.attempts, "message_id": message_id, "last_detail": outcome.detail[:500]}
    if outcome.status == smtp.SENT:
        values.update(state=DripMessage.State.SENT, sent_at=timezone.now())
    elif outcome.status in RETRY and row.attempts < MAX_ATTEMPTS:
        DripMessage.unscoped.filter(pk=row.pk).update(**values)
        return "retry"
    else:
        values["state"] = DripMessage.State.FAILED
    DripMessage.unscoped.filter(pk=row.pk).update(**values)
    return outcome.status


def retry_delay(enrollment_id: int, step_id: int) -> timedelta:
    row = DripMessage.unscoped.filter(enrollment_id=enrollment_id, step_id=step_id).first()
    return timedelta(seconds=smtp.backoff(row.attempts if row is not None else 1))
