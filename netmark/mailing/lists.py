"""Mailing lists and subscriptions with double opt-in.

A subscription starts ``unconfirmed``; the contact gets a confirmation email in their language
(the list's when the contact has none) with a link signed for the purpose ``mailing.confirm``
that expires after ``CONFIRM_DAYS``. Confirming records ``email_marketing`` consent (so
``may_contact`` says yes) and makes the subscription ``confirmed``; only confirmed subscribers
receive campaigns. Unsubscribing from a list sets ``unsubscribed`` (the one-click link of a
campaign also suppresses the address workspace-wide).
"""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from netmark.contacts import consent
from netmark.contacts import services as contacts
from netmark.core import audit, records, signing
from netmark.core.errors import NotFound, ValidationFailed
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped
from netmark.mailing import mime, sending, smtp
from netmark.mailing.campaign_models import LANGUAGES, MailingList, Subscription
from netmark.mailing.models import SmtpServer
from netmark.mailing.suppression import check_email
from netmark.planning.models import Plan

CONFIRM_PURPOSE = "mailing.confirm"
CONFIRM_DAYS = 7
LIST_FIELDS = {"name", "language", "server_id", "plan_id", "description", "is_public"}
Status = Subscription.Status


def list_lists(workspace):
    return scoped(MailingList, workspace)


def get_list(workspace, list_id) -> MailingList:
    return get_for(MailingList, workspace, list_id)


def _clean_list(workspace, fields: dict) -> dict:
    unknown = sorted(set(fields) - LIST_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: _("Unknown field.") for name in unknown})
    data = dict(fields)
    if "language" in data and data["language"] not in dict(LANGUAGES):
        raise ValidationFailed(fields={"language": _("Choose zh-hans or en.")})
    for name, model in (("server_id", SmtpServer), ("plan_id", Plan)):
        if data.get(name) is not None:
            data[name] = get_for(model, workspace, data[name]).pk
    return data


def create_list(member, **fields) -> MailingList:
    require(member, Capability.EXECUTE)
    return records.create_record(
        member, MailingList, _clean_list(member.workspace, fields), capability=Capability.EXECUTE
    )


def update_list(member, list_id, **fields) -> MailingList:
    require(member, Capability.EXECUTE)
    mailing_list = get_list(member.workspace, list_id)
    return records.update_record(
        member, MailingList, mailing_list.pk, _clean_list(member.workspace, fields),
        capability=Capability.EXECUTE, instance=mailing_list,
    )  # fmt: skip


def delete_list(member, list_id) -> None:
    records.delete_record(member, MailingList, list_id, capability=Capability.ERASE)


def status_counts(mailing_list: MailingList) -> dict[str, int]:
    counts = dict.fromkeys(Status.values, 0)
    rows = mailing_list.subscriptions.values_list("status").order_by()
    for (status,) in rows:
        counts[status] += 1
    return counts


def list_subscriptions(mailing_list: MailingList, *, status: str | None = None):
    rows = Subscription.unscoped.filter(workspace_id=mailing_list.workspace_id, mailing_list=mailing_list)
    return (rows.filter(status=status) if status else rows).select_related("contact")


# Subscribing and confirming


@transaction.atomic
def subscribe(mailing_list: MailingList, email: str, *, name: str = "", language: str = "", source: str = ""):
    """``(subscription, created)``: finds or creates the contact and an unconfirmed subscription,
    and queues the confirmation email. A confirmed subscriber stays confirmed; an unsubscribed one
    starts over (unconfirmed, a new confirmation). Callers authorise (the API checks the role)."""
    email = check_email(email)
    data = {"email": email, "name": name, "language": language if language in dict(LANGUAGES) else ""}
    contact, _created = contacts.upsert_contact(
        mailing_list.workspace, {k: v for k, v in data.items() if v}, source=source or "mailing list"
    )
    subscription, created = Subscription.unscoped.get_or_create(
        workspace_id=mailing_list.workspace_id,
        mailing_list=mailing_list,
        contact=contact,
        defaults={"source": str(source)[:100], "subscribed_at": timezone.now()},
    )
    if not created and subscription.status == Status.UNSUBSCRIBED:
        subscription.status, subscription.subscribed_at = Status.UNCONFIRMED, timezone.now()
        subscription.unsubscribed_at = subscription.confirmed_at = None
        subscription.save()
    if subscription.status == Status.UNCONFIRMED:
        from netmark.mailing import tasks  # noqa: PLC0415 - tasks import this module

        transaction.on_commit(lambda: tasks.send_confirmation(subscription.pk))
    return subscription, created


def subscribe_member(member, list_id, email: str, **options):
    require(member, Capability.EXECUTE)
    subscription, created = subscribe(get_list(member.workspace, list_id), email, **options)
    if created:
        audit.record(member, "subscription.created", subscription, {"email": subscription.contact.email})
    return subscription


def confirm_token(subscription: Subscription) -> str:
    return signing.sign(CONFIRM_PURPOSE, {"w": subscription.workspace_id, "s": subscription.pk})


def confirm_url(subscription: Subscription) -> str:
    return settings.PUBLIC_URL + reverse("mailing_public:confirm", args=[confirm_token(subscription)])


def read_confirm_token(token: str) -> Subscription:
    """The subscription of a valid, unexpired token, or ``NotFound``."""
    if not isinstance(token, str) or len(token) > 1000:
        raise NotFound()
    value = signing.unsign(CONFIRM_PURPOSE, token, max_age=CONFIRM_DAYS * 86400)
    if not isinstance(value, dict) or not all(isinstance(value.get(k), int) for k in ("w", "s")):
        raise NotFound()
    found = Subscription.unscoped.filter(workspace_id=value["w"], pk=value["s"]).select_related(
        "mailing_list", "contact", "workspace"
    )
    subscription = found.first()
    if subscription is None:
        raise NotFound()
    return subscription


@transaction.atomic
def confirm(token: str, *, ip_address: str = "") -> Subscription:
    """Confirms the token's subscription (idempotent) and records the consent it proves. An
    unsubscribed subscription is not revived by an old link."""
    subscription = read_confirm_token(token)
    if subscription.status == Status.UNCONFIRMED:
        subscription.status, subscription.confirmed_at = Status.CONFIRMED, timezone.now()
        subscription.save(update_fields=["status", "confirmed_at", "updated_at"])
        consent.record_consent(
            subscription.contact,
            "email_marketing",
            "granted",
            source="double_opt_in",
            ip_address=ip_address,
            text=f"list {subscription.mailing_list.name}",
        )
        from netmark.mailing import drip_triggers  # noqa: PLC0415 - sequences build on lists

        drip_triggers.on_subscribed(subscription)
    return subscription


def unsubscribe_contact(workspace_id: int, list_id: int, email: str) -> int:
    """Marks the address's subscription to the list unsubscribed; the number of rows changed."""
    return (
        Subscription.unscoped.filter(
            workspace_id=workspace_id, mailing_list_id=list_id, contact__email=email.strip().lower()
        )
        .exclude(status=Status.UNSUBSCRIBED)
        .update(status=Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())
    )


def is_subscribed(workspace_id: int, list_id: int, contact_id: int) -> bool:
    return Subscription.unscoped.filter(
        workspace_id=workspace_id, mailing_list_id=list_id, contact_id=contact_id, status=Status.CONFIRMED
    ).exists()


def confirmation_message(subscription: Subscription) -> mime.Message:
    """The confirmation email, in the contact's language (the list's when the contact has none)."""
    mailing_list, contact = subscription.mailing_list, subscription.contact
    server = mailing_list.server
    language = contact.language if contact.language in dict(LANGUAGES) else mailing_list.language
    context = {
        "list": mailing_list,
        "contact": contact,
        "url": confirm_url(subscription),
        "days": CONFIRM_DAYS,
    }
    with translation.override(language):
        subject = _("Please confirm your subscription to %(list)s") % {"list": mailing_list.name}
        html = render_to_string("mailing/email/confirm_subscription.html", context)
    return mime.build_message(
        sender=mime.address(server.from_name or mailing_list.name, server.from_email),
        recipient=contact.email,
        subject=subject,
        html=html,
        key=f"confirm:{subscription.pk}:{subscription.subscribed_at.timestamp()}",
    )


def send_confirmation(subscription_id: int) -> str:
    """Sends the confirmation email once per subscription round; the outcome's status."""
    subscription = (
        Subscription.unscoped.filter(pk=subscription_id, status=Status.UNCONFIRMED)
        .select_related("mailing_list__server", "contact")
        .first()
    )
    if subscription is None or subscription.confirmation_sent_at is not None:
        return "skipped"
    server = subscription.mailing_list.server
    if server is None:
        return "no_server"
    outcome = sending.send_one(server, confirmation_message(subscription), subscription.contact.email)
    if outcome.status == smtp.SENT:
        subscription.confirmation_sent_at = timezone.now()
        subscription.save(update_fields=["confirmation_sent_at", "updated_at"])
    return outcome.status
