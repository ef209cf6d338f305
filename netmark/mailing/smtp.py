"""SMTP transport: one pooled connection per server, opened through the outbound address policy.

Replies are classified into outcomes (docs/mailing.md, "Outcome classes"):

- ``sent``: the server accepted the message (2xx after DATA).
- ``temporary``: a 4xx reply, or the server could not be reached; retry later with backoff.
- ``permanent``: a 5xx reply; at RCPT (or a 5.1.x mailbox status after DATA) the address is suppressed.
- ``uncertain``: the connection broke after the message content was sent and before the reply:
  the server may or may not have taken it. Counted and reported, never silently retried as new.
- ``blocked``: the host resolved to an address the policy refuses; nothing was sent.

A connection that dropped before the message content went out is reopened and the message tried
once more on the new connection, since nothing can have been delivered.
"""

import contextlib
import smtplib
import ssl
from collections import Counter
from dataclasses import dataclass, field

from netmark.core.addresses import AddressPolicy, OutboundBlocked, OutboundError, open_connection

SENT, TEMPORARY, PERMANENT, UNCERTAIN, BLOCKED = "sent", "temporary", "permanent", "uncertain", "blocked"
SUPPRESSED, DEFERRED, INVALID = "suppressed", "deferred", "invalid"
OUTCOMES = (SENT, TEMPORARY, PERMANENT, UNCERTAIN, BLOCKED, SUPPRESSED, DEFERRED, INVALID)
BACKOFF_SECONDS = (60, 300, 1800, 7200, 21600)
TIMEOUT = 30.0


@dataclass(frozen=True)
class Outcome:
    status: str
    code: int = 0
    detail: str = ""
    stage: str = ""  # connect, mail, rcpt, data, content
    retry_after: float = 0.0
    suppress: bool = False

    @property
    def delivered(self) -> bool:
        return self.status == SENT


def backoff(attempt: int) -> int:
    """Seconds to wait before retry number ``attempt`` (1-based) of a temporary failure."""
    return BACKOFF_SECONDS[min(max(attempt, 1), len(BACKOFF_SECONDS)) - 1]


@dataclass(frozen=True)
class ServerConfig:
    host: str
    port: int
    security: str = "starttls"  # starttls, tls, none
    username: str = ""
    password: str = ""
    timeout: float = TIMEOUT
    helo: str | None = None
    policy: AddressPolicy | None = None
    tls_context: ssl.SSLContext | None = None

    def context(self) -> ssl.SSLContext:
        return self.tls_context or ssl.create_default_context()


class _GuardedSMTP(smtplib.SMTP):
    """smtplib with its socket opened through the address policy (checked at connect time)."""

    def __init__(self, config: ServerConfig):
        self.config = config
        super().__init__(local_hostname=config.helo, timeout=config.timeout)

    def _get_socket(self, host, port, timeout):
        sock = open_connection(host, port, timeout=timeout, policy=self.config.policy)
        if self.config.security == "tls":
            sock = self.config.context().wrap_socket(sock, server_hostname=host)
        return sock


def _reply(exc: smtplib.SMTPResponseException) -> tuple[int, str]:
    message = exc.smtp_error
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return exc.smtp_code, text[:500]


def classify_reply(code: int, text: str, stage: str) -> Outcome:
    if 200 <= code < 300:
        return Outcome(SENT, code, text, stage)
    if 400 <= code < 500:
        return Outcome(TEMPORARY, code, text, stage)
    mailbox_gone = stage == "rcpt" or text.lstrip().startswith("5.1.")
    return Outcome(PERMANENT, code, text, stage, suppress=mailbox_gone)


class Connection:
    """One reusable SMTP session; ``send`` reconnects when the server closed it in between."""

    def __init__(self, config: ServerConfig):
        self.config = config
        self.smtp: _GuardedSMTP | None = None
        self.stats: Counter = Counter()

    def open(self) -> None:
        self.close()
        smtp = _GuardedSMTP(self.config)
        try:
            smtp.connect(self.config.host, self.config.port)
            smtp.ehlo_or_helo_if_needed()
            if self.config.security == "starttls":
                smtp.starttls(context=self.config.context())
                smtp.ehlo()
            if self.config.username:
                smtp.login(self.config.username, self.config.password)
        except BaseException:
            _quietly_close(smtp)
            raise
        self.smtp = smtp
        self.stats["connections"] += 1

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                _quietly_close(self.smtp)
            self.smtp = None

    def send(self, sender: str, recipient: str, data: bytes) -> Outcome:
        """One message to one recipient, classified. Never raises for SMTP or network failures."""
        outcome = self._attempt(sender, recipient, data, retry_on_drop=True)
        self.stats[outcome.status] += 1
        return outcome

    def _attempt(self, sender: str, recipient: str, data: bytes, *, retry_on_drop: bool) -> Outcome:
        try:
            if self.smtp is None:
                self.open()
        except OutboundBlocked as exc:
            return Outcome(BLOCKED, 0, str(exc), "connect")
        except smtplib.SMTPResponseException as exc:
            self.smtp = None
            return _connect_failure(exc)
        except (OutboundError, smtplib.SMTPException, OSError) as exc:
            self.smtp = None
            return Outcome(TEMPORARY, 0, f"{type(exc).__name__}: {exc}"[:500], "connect")
        try:
            return self._transaction(sender, recipient, data)
        except _DroppedBeforeContent:
            self.smtp = None
            if retry_on_drop:
                return self._attempt(sender, recipient, data, retry_on_drop=False)
            return Outcome(TEMPORARY, 0, "the connection closed before the message was sent", "mail")

    def _transaction(self, sender: str, recipient: str, data: bytes) -> Outcome:
        smtp = self.smtp
        stage = "mail"
        try:
            code, text = smtp.mail(sender)
            if code != 250:
                return self._refused(code, text, stage)
            stage = "rcpt"
            code, text = smtp.rcpt(recipient)
            if code not in (250, 251):
                return self._refused(code, text, stage)
            stage = "data"
            code, text = smtp.docmd("data")
            if code != 354:
                return self._refused(code, text, stage)
        except (smtplib.SMTPServerDisconnected, OSError):
            raise _DroppedBeforeContent() from None
        return self._content(data)

    def _content(self, data: bytes) -> Outcome:
        smtp = self.smtp
        try:
            payload = smtplib._quote_periods(data)
            if not payload.endswith(b"\r\n"):
                payload += b"\r\n"
            smtp.send(payload + b".\r\n")
            code, text = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            _quietly_close(smtp)
            self.smtp = None
            return Outcome(
                UNCERTAIN, 0, f"connection lost after the content was sent: {exc}"[:500], "content"
            )
        outcome = classify_reply(code, _text(text), "content")
        if code == 421:
            self._drop()
        return outcome

    def _refused(self, code: int, text: bytes, stage: str) -> Outcome:
        outcome = classify_reply(code, _text(text), stage)
        if code == 421:
            self._drop()
        else:
            try:
                self.smtp.rset()
            except (smtplib.SMTPException, OSError):
                self._drop()
        return outcome

    def _drop(self) -> None:
        _quietly_close(self.smtp)
        self.smtp = None


class _DroppedBeforeContent(Exception):
    pass


def _connect_failure(exc: smtplib.SMTPResponseException) -> Outcome:
    code, text = _reply(exc)
    if isinstance(exc, smtplib.SMTPAuthenticationError) or code >= 500:
        return Outcome(PERMANENT, code, text, "connect")
    return Outcome(TEMPORARY, code, text, "connect")


def _text(value) -> str:
    return (value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))[:500]


def _quietly_close(smtp) -> None:
    with contextlib.suppress(OSError, AttributeError):
        smtp.close()


@dataclass
class Pool:
    """Connections per server key in this thread's hands (smtplib sessions are not thread-safe)."""

    connections: dict = field(default_factory=dict)

    def get(self, key, config: ServerConfig) -> Connection:
        connection = self.connections.get(key)
        if connection is None or connection.config != config:
            if connection is not None:
                connection.close()
            connection = self.connections[key] = Connection(config)
        return connection

    def close_all(self) -> None:
        for connection in self.connections.values():
            connection.close()
        self.connections.clear()
