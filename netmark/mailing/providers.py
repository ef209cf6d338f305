"""Provider webhooks in (HOOK-IN): Amazon SES through SNS, SendGrid's signed event webhook,
Mailgun. Each is checked against the hook's secret before anything is read, refused when its
timestamp is outside the replay window, and mapped to ``feedback.Item``s whose ``source_ref`` is the
provider's event id, so a redelivery has no second effect.

Signatures: SNS signs ``Key\\nValue\\n`` of a fixed field list with RSA (SHA1 for version 1, SHA256
for 2); the certificate comes from the hook's configuration, never from ``SigningCertURL`` (no
network fetch, no trust in what the request names). SendGrid signs ``timestamp + raw body`` with
ECDSA P-256 / SHA-256. Mailgun signs ``timestamp + token`` with HMAC-SHA256 inside the body.
"""

import base64
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from django.conf import settings

from netmark.mailing import reports
from netmark.mailing.feedback import Item

SNS_NOTIFICATION = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
SNS_SUBSCRIPTION = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
SNS_CERT_HOST = re.compile(r"^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/")
TAG_HEADER = "x-netmark-tag"


class BadSignature(Exception):
    """Not signed by the configured key (or not signed at all)."""


class Stale(Exception):
    """Signed, but outside the replay window."""


class Malformed(Exception):
    """Not a body this provider sends."""


def _fresh(moment: float, now: float) -> None:
    if abs(now - moment) > settings.WEBHOOK_REPLAY_SECONDS:
        raise Stale()


def parse_json(body: bytes):
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Malformed() from None


def _tag(value) -> str:
    text = str(value or "").strip().lower()
    return text if re.fullmatch(r"[a-z2-7]{24}", text) else ""


# Amazon SES through SNS


def sns_string_to_sign(message: dict) -> bytes:
    keys = SNS_NOTIFICATION if message.get("Type") == "Notification" else SNS_SUBSCRIPTION
    text = "".join(f"{key}\n{message[key]}\n" for key in keys if message.get(key) is not None)
    return text.encode("utf-8")


def verify_sns(message: dict, certificate_pem: str, *, now: float, topic_arn: str = "") -> None:
    if not isinstance(message, dict) or not all(
        isinstance(message.get(k), str) for k in ("Type", "Signature", "Timestamp")
    ):
        raise Malformed()
    if not SNS_CERT_HOST.match(str(message.get("SigningCertURL", ""))):
        raise BadSignature()
    # SignatureVersion 1 is SHA1withRSA: SNS still signs with it unless the topic asks for version 2.
    algorithms = {"1": hashes.SHA1(), "2": hashes.SHA256()}  # noqa: S303
    algorithm = algorithms.get(str(message.get("SignatureVersion")))
    if algorithm is None:
        raise BadSignature()
    try:
        key = x509.load_pem_x509_certificate(certificate_pem.encode()).public_key()
        signature = base64.b64decode(message["Signature"], validate=True)
        key.verify(signature, sns_string_to_sign(message), padding.PKCS1v15(), algorithm)
    except (InvalidSignature, ValueError, TypeError):
        raise BadSignature() from None
    if topic_arn and message.get("TopicArn") != topic_arn:
        raise BadSignature()
    try:
        moment = datetime.fromisoformat(message["Timestamp"].replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise Malformed() from None
    _fresh(moment, now)


def _ses_tag(mail: dict) -> str:
    for header in mail.get("headers") or []:
        if isinstance(header, dict) and str(header.get("name", "")).lower() == TAG_HEADER:
            return _tag(header.get("value"))
    return ""


def ses_items(workspace_id: int, message: dict) -> list[Item]:
    """Items of a verified SNS notification (a subscription confirmation has none)."""
    if message.get("Type") != "Notification":
        return []
    inner = parse_json(str(message.get("Message", "")).encode())
    if not isinstance(inner, dict):
        raise Malformed()
    kind = inner.get("notificationType") or inner.get("eventType")
    mail = inner.get("mail") if isinstance(inner.get("mail"), dict) else {}
    base = {"workspace_id": workspace_id, "message_tag": _ses_tag(mail)}
    ref = f"ses:{message.get('MessageId', '')}"
    found = []
    if kind == "Bounce":
        bounce = inner.get("bounce") or {}
        permanent = bounce.get("bounceType") == "Permanent"
        for n, entry in enumerate(bounce.get("bouncedRecipients") or []):
            status = str(entry.get("status") or "")
            item_kind = reports.classify_status("failed", status) if permanent else reports.SOFT
            detail = str(entry.get("diagnosticCode") or bounce.get("bounceSubType") or "")
            found.append(Item(kind=item_kind or reports.SOFT, recipient=str(entry.get("emailAddress", "")),
                              status=status, detail=detail, source_ref=f"{ref}:{n}", **base))  # fmt: skip
    elif kind == "Complaint":
        complaint = inner.get("complaint") or {}
        detail = str(complaint.get("complaintFeedbackType") or "abuse")
        for n, entry in enumerate(complaint.get("complainedRecipients") or []):
            found.append(Item(kind=reports.COMPLAINT, recipient=str(entry.get("emailAddress", "")),
                              detail=detail, source_ref=f"{ref}:{n}", **base))  # fmt: skip
    elif kind == "Delivery":
        delivery = inner.get("delivery") or {}
        for n, address in enumerate(delivery.get("recipients") or mail.get("destination") or []):
            found.append(Item(kind="delivered", recipient=str(address), source_ref=f"{ref}:{n}", **base))
    return found


# SendGrid


def verify_sendgrid(
    body: bytes, signature_b64: str, timestamp: str, public_key_b64: str, *, now: float
) -> None:
    try:
        key = serialization.load_der_public_key(base64.b64decode(public_key_b64.strip(), validate=True))
        signature = base64.b64decode(str(signature_b64 or ""), validate=True)
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise BadSignature()
        key.verify(signature, str(timestamp).encode() + body, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError, TypeError):
        raise BadSignature() from None
    try:
        _fresh(float(timestamp), now)
    except ValueError:
        raise Malformed() from None


def _sendgrid_kind(event: dict) -> str:
    name = event.get("event")
    if name == "delivered":
        return "delivered"
    if name == "spamreport":
        return reports.COMPLAINT
    if name == "bounce":
        if event.get("type") == "blocked":
            return reports.SOFT
        return reports.classify_status("failed", str(event.get("status") or "5.0.0")) or reports.SOFT
    return ""  # processed, deferred, dropped, open, click ...: nothing to apply


def sendgrid_items(workspace_id: int, body: bytes) -> list[Item]:
    events = parse_json(body)
    if not isinstance(events, list):
        raise Malformed()
    found = []
    for event in events[:1000]:
        kind = _sendgrid_kind(event) if isinstance(event, dict) else ""
        if not kind or not event.get("sg_event_id"):
            continue
        found.append(
            Item(
                workspace_id=workspace_id,
                kind=kind,
                recipient=str(event.get("email", "")),
                status=str(event.get("status") or ""),
                detail=str(event.get("reason") or event.get("bounce_classification") or ""),
                message_tag=_tag(event.get("netmark_tag")),
                source_ref=f"sendgrid:{event['sg_event_id']}",
            )
        )
    return found


# Mailgun


def verify_mailgun(payload: dict, signing_key: str, *, now: float) -> None:
    signature = payload.get("signature") if isinstance(payload, dict) else None
    if not isinstance(signature, dict):
        raise Malformed()
    timestamp, token = str(signature.get("timestamp", "")), str(signature.get("token", ""))
    expected = hmac.new(
        signing_key.strip().encode(), (timestamp + token).encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, str(signature.get("signature", ""))):
        raise BadSignature()
    try:
        _fresh(float(timestamp), now)
    except ValueError:
        raise Malformed() from None


def mailgun_items(workspace_id: int, payload: dict) -> list[Item]:
    data = payload.get("event-data")
    if not isinstance(data, dict):
        raise Malformed()
    name, severity = data.get("event"), data.get("severity")
    status = data.get("delivery-status") if isinstance(data.get("delivery-status"), dict) else {}
    kind = {
        ("failed", "permanent"): reports.HARD,
        ("failed", "temporary"): reports.SOFT,
        ("complained", None): reports.COMPLAINT,
        ("delivered", None): "delivered",
    }.get((name, severity if name == "failed" else None), "")
    if not kind or not data.get("id"):
        return []
    if kind == reports.HARD:
        kind = reports.classify_status("failed", str(status.get("enhanced-code") or "5.0.0")) or reports.SOFT
    variables = data.get("user-variables") if isinstance(data.get("user-variables"), dict) else {}
    return [
        Item(
            workspace_id=workspace_id,
            kind=kind,
            recipient=str(data.get("recipient", "")),
            status=str(status.get("enhanced-code") or ""),
            detail=str(status.get("message") or data.get("reason") or ""),
            message_tag=_tag(variables.get("netmark_tag")),
            source_ref=f"mailgun:{data['id']}",
            at=datetime.fromtimestamp(float(data.get("timestamp") or 0), tz=UTC)
            if data.get("timestamp")
            else None,
        )
    ]
