"""``send_one(server, message, recipient)``: the one call that sends a message, classified.

Every send goes through here, in this order: the suppression check (a suppressed address gets
``suppressed`` and no connection is made), DKIM signing with the workspace's active keys for the
sender's domain (RSA and Ed25519 both sign when both exist, RFC 8463), the pace of the server and of
the recipient's domain (``throttle``), then the pooled connection (``smtp``). A permanent refusal of
the mailbox suppresses the address as a hard bounce. Campaigns keep each recipient's state in their
own rows and call this once per attempt; the same Message-ID is kept across resends by building the
message with the same key (``mime.message_id``).
"""

import threading
import time

from django.utils.translation import gettext as _

from netmark.core.addresses import AddressPolicy
from netmark.core.errors import ValidationFailed
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for
from netmark.mailing import dkim, mime, sealing, smtp
from netmark.mailing.models import DkimKey, SmtpServer, Suppression
from netmark.mailing.suppression import check_email, is_suppressed, suppress
from netmark.mailing.throttle import Throttle

_local = threading.local()
_throttles: dict[tuple, Throttle] = {}
_signers: dict[tuple, dkim.Signer] = {}
_lock = threading.Lock()


def config_for(server: SmtpServer) -> smtp.ServerConfig:
    return smtp.ServerConfig(
        host=server.host,
        port=server.port,
        security=server.security,
        username=server.username,
        password=sealing.unseal(server.password_sealed),
        policy=AddressPolicy.from_settings(),
    )


def pool() -> smtp.Pool:
    if not hasattr(_local, "pool"):
        _local.pool = smtp.Pool()
    return _local.pool


def close_connections() -> None:
    """Closes this thread's pooled connections (end of a batch, worker shutdown)."""
    pool().close_all()


def throttle_for(server: SmtpServer) -> Throttle:
    key = (server.pk, server.per_second, server.per_hour, repr(sorted(server.domain_limits.items())))
    with _lock:
        if key not in _throttles:
            _throttles[key] = Throttle(server.per_second, server.per_hour, server.domain_limits)
        return _throttles[key]


def signers_for(workspace_id: int, domain: str) -> list[dkim.Signer]:
    keys = DkimKey.unscoped.filter(workspace_id=workspace_id, domain=domain.lower(), is_active=True)
    found = []
    for key in keys.order_by("algorithm", "pk"):  # ed25519 on top of rsa when both exist
        cache_key = (key.pk, key.updated_at)
        if cache_key not in _signers:
            _signers[cache_key] = dkim.Signer(
                key.domain, key.selector, sealing.unseal(key.private_key_sealed)
            )
        found.append(_signers[cache_key])
    return found


def prepare(workspace_id: int, message: mime.Message) -> bytes:
    """The message's bytes as sent: CRLF, encoded, signed by every active key of its From domain."""
    data = mime.to_bytes(message)
    for signer in signers_for(workspace_id, message.sender.domain):
        data = signer.sign(data)
    return data


def send_one(
    server: SmtpServer, message: mime.Message, recipient: str, *, envelope_from: str | None = None
) -> smtp.Outcome:
    """Sends ``message`` to ``recipient`` through ``server``; never raises for delivery failures.
    ``envelope_from`` is the MAIL FROM (a VERP return path); the server's address by default.

    Blocks for the throttle up to ``throttle.MAX_WAIT`` seconds; past that answers ``deferred``
    with ``retry_after``. ``temporary`` outcomes carry no retry time: the caller applies
    ``smtp.backoff(attempt)`` from its own row's attempt count.
    """
    try:
        recipient = check_email(recipient)
    except ValidationFailed:
        return smtp.Outcome(smtp.INVALID, detail=_("Not a valid email address."))
    if is_suppressed(server.workspace_id, recipient):
        return smtp.Outcome(smtp.SUPPRESSED, detail=_("The address is on the suppression list."))
    data = prepare(server.workspace_id, message)
    wait = throttle_for(server).acquire(recipient)
    if wait:
        return smtp.Outcome(smtp.DEFERRED, detail=_("Sending pace reached."), retry_after=wait)
    outcome = (
        pool().get(server.pk, config_for(server)).send(envelope_from or server.from_email, recipient, data)
    )
    if outcome.status == smtp.PERMANENT and outcome.suppress:
        suppress(
            server.workspace_id, recipient, Suppression.Reason.HARD_BOUNCE, f"{outcome.code} {outcome.detail}"
        )
    return outcome


def test_message(server: SmtpServer, recipient: str) -> mime.Message:
    sender = mime.address(server.from_name or server.name, server.from_email)
    subject = _("netmark test message: %(server)s") % {"server": server.name}
    html = "<p>{}</p>".format(
        _("This test message was sent by netmark through the SMTP server %(server)s.")
        % {"server": server.name}
    )
    return mime.build_message(
        sender=sender,
        recipient=recipient,
        subject=subject,
        html=html,
        key=f"test:{server.pk}:{recipient}:{time.time_ns()}",
    )


def test_send(member, server_id, email: str) -> smtp.Outcome:
    """A test message to ``email`` through the server (owners only); the outcome, whatever it is."""
    require(member, Capability.ADMINISTER)
    server = get_for(SmtpServer, member.workspace, server_id)
    email = check_email(email)
    return send_one(server, test_message(server, email), email)


def send_with_retries(
    server: SmtpServer, message: mime.Message, recipient: str, *, attempts: int = 3, sleep=time.sleep
) -> smtp.Outcome:
    """``send_one`` retried after ``smtp.backoff`` waits while the outcome is temporary or deferred.

    For interactive sends (test sends, the CLI); campaigns keep attempts in their rows instead.
    """
    outcome = send_one(server, message, recipient)
    for attempt in range(1, attempts):
        if outcome.status not in (smtp.TEMPORARY, smtp.DEFERRED):
            break
        sleep(outcome.retry_after or smtp.backoff(attempt))
        outcome = send_one(server, message, recipient)
    return outcome
