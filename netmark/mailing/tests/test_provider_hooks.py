"""Provider webhooks in (HOOK-IN): SES through SNS, SendGrid, Mailgun. The bundled samples verify
with their test keys; the endpoint is driven with keys made here (fresh timestamps): forgeries,
stale timestamps and malformed bodies are refused with 4xx before anything is written, and a
redelivery has exactly one effect."""

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from django.test import Client

from netmark.mailing import hooks, providers
from netmark.mailing.feedback_models import MailEvent
from netmark.mailing.models import Suppression
from netmark.mailing.tests.feedback_helpers import SAMPLES, contact, sample, sent_message

pytestmark = pytest.mark.django_db
HOOKS = f"{SAMPLES}/webhooks"


def text(name: str) -> str:
    with open(f"{HOOKS}/{name}", encoding="utf-8") as handle:
        return handle.read()


def header(name: str, field: str) -> str:
    for line in text(name).splitlines():
        if line.lower().startswith(field.lower() + ":"):
            return line.split(":", 1)[1].strip()
    raise KeyError(field)


# The samples, checked with the bundled test keys at the time they were "sent".


def test_the_ses_samples_verify_with_the_bundled_certificate():
    for name in ("ses_sns_bounce_notification.json", "ses_sns_complaint_notification.json"):
        message = json.loads(text(name))
        moment = datetime.fromisoformat(message["Timestamp"].replace("Z", "+00:00")).timestamp()
        providers.verify_sns(message, text("ses_sns_TEST_signing_cert.pem"), now=moment + 5)
    items = providers.ses_items(1, json.loads(text("ses_sns_bounce_notification.json")))
    assert [(i.kind, i.recipient, i.status) for i in items] == [
        ("bounce_hard", "zhoujie.old@qq.example", "5.1.1")
    ]
    complaint = providers.ses_items(1, json.loads(text("ses_sns_complaint_notification.json")))
    assert [(i.kind, i.recipient, i.detail) for i in complaint] == [
        ("complaint", "ouyang.xj@163.example", "abuse")
    ]


def test_the_sendgrid_sample_verifies_over_the_raw_bytes():
    body = sample("webhooks/sendgrid_event_webhook_body.json")
    name = "sendgrid_event_webhook.headers.txt"
    stamp = header(name, "X-Twilio-Email-Event-Webhook-Timestamp")
    signature = header(name, "X-Twilio-Email-Event-Webhook-Signature")
    key = text("sendgrid_TEST_verification_key.txt").strip()
    providers.verify_sendgrid(body, signature, stamp, key, now=float(stamp) + 5)
    with pytest.raises(providers.BadSignature):
        providers.verify_sendgrid(body.rstrip(), signature, stamp, key, now=float(stamp) + 5)
    kinds = [(i.kind, i.recipient) for i in providers.sendgrid_items(1, body)]
    assert ("bounce_hard", "zhangwei@qq.example") in kinds
    assert all(kind in ("bounce_hard", "bounce_soft", "complaint", "delivered") for kind, _r in kinds)
    assert "complaint" in {kind for kind, _r in kinds}


def test_the_mailgun_samples_verify_and_map_to_hard_soft_and_complaint():
    key = text("mailgun_TEST_webhook_signing_key.txt").strip()
    found = []
    for name in ("failed_permanent", "failed_temporary", "complained"):
        payload = json.loads(text(f"mailgun_webhook_{name}.json"))
        providers.verify_mailgun(payload, key, now=float(payload["signature"]["timestamp"]) + 5)
        found += [(i.kind, i.recipient) for i in providers.mailgun_items(1, payload)]
    assert found == [
        ("bounce_hard", "zhangwei@qq.example"),
        ("bounce_soft", "liuyang@126.example"),
        ("complaint", "ouyang.xj@163.example"),
    ]


def test_a_sample_replayed_today_is_stale():
    payload = json.loads(text("mailgun_webhook_complained.json"))
    with pytest.raises(providers.Stale):
        providers.verify_mailgun(payload, text("mailgun_TEST_webhook_signing_key.txt"), now=time.time())


# The endpoint, with keys made here.


def sns_identity():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.test.amazonaws.example")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30)).sign(key, hashes.SHA256())
    )  # fmt: skip
    return key, cert.public_bytes(serialization.Encoding.PEM).decode()


def sns_body(
    key, inner: dict, *, message_id="m-1", when=None, topic="arn:aws:sns:cn-north-1:1:netmark"
) -> bytes:
    message = {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": topic,
        "Message": json.dumps(inner, ensure_ascii=False),
        "Timestamp": (when or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "SignatureVersion": "2",
        "SigningCertURL": "https://sns.cn-north-1.amazonaws.com/SimpleNotificationService-test.pem",
    }
    signature = key.sign(providers.sns_string_to_sign(message), padding.PKCS1v15(), hashes.SHA256())
    message["Signature"] = base64.b64encode(signature).decode()
    return json.dumps(message).encode()


def bounce_of(address: str, tag: str = "") -> dict:
    headers = [{"name": "X-Netmark-Tag", "value": tag}] if tag else []
    return {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bouncedRecipients": [{"emailAddress": address, "status": "5.1.1"}],
        },
        "mail": {"destination": [address], "headers": headers},
    }


@pytest.fixture
def ses_hook(team_a):
    key, pem = sns_identity()
    hook = hooks.create_hook(
        team_a.owner, provider="ses", secret=pem, topic_arn="arn:aws:sns:cn-north-1:1:netmark"
    )
    return hook, key


def post(hook, body: bytes, **headers):
    return Client().post(
        f"/mail/hooks/{hook.provider}/{hook.key}/", body, content_type="text/plain", **headers
    )


def test_an_ses_bounce_suppresses_once_and_finds_its_message(team_a, ses_hook):
    hook, key = ses_hook
    person = contact(team_a.workspace, "zhoujie@qq.example")
    _key, tag = sent_message(team_a.workspace, "zhoujie@qq.example", contact_id=person.pk)
    body = sns_body(key, bounce_of("zhoujie@qq.example", tag))
    first, second = post(hook, body), post(hook, body)
    assert (first.status_code, first.json()["applied"]) == (200, 1)
    assert (second.status_code, second.json()["applied"], second.json()["duplicates"]) == (200, 0, 1)
    assert Suppression.unscoped.get(email="zhoujie@qq.example").reason == "hard_bounce"
    event = MailEvent.unscoped.get(kind="bounce_hard")
    assert (event.campaign_id, event.contact_id) == (7, person.pk)


@pytest.mark.parametrize("change", ["forged", "stale", "other_topic", "garbage"])
def test_bad_ses_deliveries_are_refused_and_change_nothing(team_a, ses_hook, change):
    hook, key = ses_hook
    inner = bounce_of("zhoujie@qq.example")
    if change == "forged":
        body = sns_body(rsa.generate_private_key(public_exponent=65537, key_size=2048), inner)
    elif change == "stale":
        body = sns_body(key, inner, when=datetime.now(UTC) - timedelta(hours=2))
    elif change == "other_topic":
        body = sns_body(key, inner, topic="arn:aws:sns:cn-north-1:1:someone-else")
    else:
        body = b"\xff not json"
    response = post(hook, body)
    assert response.status_code == (400 if change == "garbage" else 401)
    assert Suppression.unscoped.count() == 0 and MailEvent.unscoped.count() == 0


def test_an_unknown_hook_answers_404(ses_hook):
    hook, key = ses_hook
    response = Client().post(
        "/mail/hooks/ses/no-such-key/", sns_body(key, bounce_of("a@qq.example")), content_type="text/plain"
    )
    assert response.status_code == 404
    assert Client().get(f"/mail/hooks/ses/{hook.key}/").status_code == 405


def sendgrid_pair():
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key, base64.b64encode(public).decode()


def test_a_sendgrid_spam_report_suppresses_as_complaint_and_a_forgery_is_refused(team_a):
    key, public = sendgrid_pair()
    hook = hooks.create_hook(team_a.owner, provider="sendgrid", secret=public)
    body = json.dumps([{"email": "lina@163.example", "event": "spamreport", "sg_event_id": "e-1"}]).encode()
    stamp = str(int(time.time()))
    signature = base64.b64encode(key.sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))).decode()
    headers = {
        "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE": signature,
        "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_TIMESTAMP": stamp,
    }
    tampered = body.replace(b"lina", b"anna")
    assert (
        Client()
        .post(f"/mail/hooks/sendgrid/{hook.key}/", tampered, content_type="application/json", **headers)
        .status_code
        == 401
    )
    response = Client().post(
        f"/mail/hooks/sendgrid/{hook.key}/", body, content_type="application/json", **headers
    )
    assert response.status_code == 200
    assert list(Suppression.unscoped.values_list("email", "reason")) == [("lina@163.example", "complaint")]


def test_a_mailgun_permanent_failure_suppresses_and_a_wrong_key_is_refused(team_a, team_b):
    secret = "key-" + "9" * 32
    hook = hooks.create_hook(team_a.owner, provider="mailgun", secret=secret)
    payload = json.loads(text("mailgun_webhook_failed_permanent.json"))
    stamp, token = str(int(time.time())), "t" * 50
    signature = hmac.new(secret.encode(), (stamp + token).encode(), hashlib.sha256).hexdigest()
    payload["signature"] = {"timestamp": stamp, "token": token, "signature": signature}
    body = json.dumps(payload).encode()
    wrong = dict(payload, signature={**payload["signature"], "signature": "0" * 64})
    assert post(hook, json.dumps(wrong).encode()).status_code == 401
    assert post(hook, body).status_code == 200
    assert list(Suppression.unscoped.values_list("workspace_id", "email")) == [
        (team_a.workspace.pk, "zhangwei@qq.example")
    ]


def test_only_owners_create_hooks_and_bad_secrets_are_explained(team_a):
    from netmark.core.errors import PermissionDenied, ValidationFailed

    with pytest.raises(PermissionDenied):
        hooks.create_hook(team_a.member("planner"), provider="mailgun", secret="k" * 32)
    with pytest.raises(ValidationFailed) as error:
        hooks.create_hook(team_a.owner, provider="ses", secret="not a certificate")
    assert "secret" in error.value.fields


def test_a_provider_event_without_a_tag_is_attributed_to_the_last_message_to_the_address(team_a, ses_hook):
    hook, key = ses_hook
    sent_message(team_a.workspace, "zhoujie@qq.example", campaign_id=41, variant="B")
    assert post(hook, sns_body(key, bounce_of("zhoujie@qq.example"))).status_code == 200
    event = MailEvent.unscoped.get(kind="bounce_hard")
    assert (event.campaign_id, event.variant) == (41, "B")
