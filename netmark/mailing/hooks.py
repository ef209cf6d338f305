"""Provider webhook endpoints of a workspace (owners configure them: "SMTP and integrations") and
the door the public endpoint goes through: ``receive`` checks the signature with the hook's
secret, then applies each item once (``feedback.apply``)."""

import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from netmark.core import audit
from netmark.core.errors import NotFound, ValidationFailed
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped
from netmark.mailing import feedback, providers, sealing
from netmark.mailing.feedback_models import FeedbackHook

log = logging.getLogger("netmark.mailing")
Provider = FeedbackHook.Provider


@dataclass(frozen=True)
class Received:
    applied: int
    duplicates: int
    note: str = ""


def hook_url(hook: FeedbackHook) -> str:
    return settings.PUBLIC_URL + reverse("mailing_public:provider_hook", args=[hook.provider, hook.key])


def list_hooks(workspace):
    return scoped(FeedbackHook, workspace)


def get_hook(workspace, hook_id) -> FeedbackHook:
    return get_for(FeedbackHook, workspace, hook_id)


def _check_secret(provider: str, secret: str) -> str:
    secret = str(secret or "").strip()
    message = None
    if provider == Provider.SES and "BEGIN CERTIFICATE" not in secret:
        message = _("Paste the SNS signing certificate (PEM, -----BEGIN CERTIFICATE-----).")
    elif provider == Provider.SENDGRID and (len(secret) < 40 or " " in secret):
        message = _("Paste SendGrid's verification key (base64, from the event webhook settings).")
    elif provider == Provider.MAILGUN and len(secret) < 16:
        message = _("Paste Mailgun's webhook signing key.")
    if message:
        raise ValidationFailed(fields={"secret": message})
    return secret


@transaction.atomic
def create_hook(member, *, provider: str, secret: str, topic_arn: str = "") -> FeedbackHook:
    require(member, Capability.ADMINISTER)
    if provider not in Provider.values:
        raise ValidationFailed(fields={"provider": _("Choose one of the listed providers.")})
    hook = FeedbackHook.unscoped.create(
        workspace_id=member.workspace_id,
        provider=provider,
        key=secrets.token_urlsafe(24),
        secret_sealed=sealing.seal(_check_secret(provider, secret)),
        topic_arn=str(topic_arn or "").strip()[:300],
    )
    audit.record(member, "feedback_hook.created", hook, {"provider": provider})
    return hook


@transaction.atomic
def delete_hook(member, hook_id) -> None:
    require(member, Capability.ADMINISTER)
    hook = get_for(FeedbackHook, member.workspace, hook_id)
    audit.record(member, "feedback_hook.deleted", hook, {"provider": hook.provider})
    hook.delete()


def find_hook(provider: str, key: str) -> FeedbackHook:
    hook = FeedbackHook.unscoped.filter(provider=provider, key=str(key)[:64], is_active=True).first()
    if hook is None:
        raise NotFound()
    return hook


def _items(hook: FeedbackHook, headers, body: bytes, now: float) -> list[feedback.Item]:
    secret = sealing.unseal(hook.secret_sealed)
    if hook.provider == Provider.SES:
        message = providers.parse_json(body)
        providers.verify_sns(message, secret, now=now, topic_arn=hook.topic_arn)
        if message.get("Type") == "SubscriptionConfirmation":
            log.warning(
                "SNS subscription to confirm for hook %s: open %s", hook.pk, message.get("SubscribeURL")
            )
        return providers.ses_items(hook.workspace_id, message)
    if hook.provider == Provider.SENDGRID:
        providers.verify_sendgrid(
            body,
            headers.get("X-Twilio-Email-Event-Webhook-Signature", ""),
            headers.get("X-Twilio-Email-Event-Webhook-Timestamp", ""),
            secret,
            now=now,
        )
        return providers.sendgrid_items(hook.workspace_id, body)
    payload = providers.parse_json(body)
    providers.verify_mailgun(payload, secret, now=now)
    return providers.mailgun_items(hook.workspace_id, payload)


def receive(hook: FeedbackHook, headers, body: bytes, *, now: float | None = None) -> Received:
    """Verifies and applies one delivery; raises ``providers.BadSignature`` / ``Stale`` /
    ``Malformed`` before anything is written."""
    items = _items(hook, headers, body, time.time() if now is None else now)
    applied = duplicates = 0
    for item in items:
        outcome = feedback.apply(item)
        if outcome is None:
            continue
        applied += outcome.recorded
        duplicates += not outcome.recorded
    return Received(applied, duplicates)
