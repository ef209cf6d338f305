"""IMAP transport for bounce mailboxes: stdlib ``imaplib`` with its socket opened through the
outbound address policy (checked at connect time, like SMTP), TLS from the start, STARTTLS or none.

Folder names are sent quoted and in IMAP's modified UTF-7 (RFC 3501 5.1.3), so a Chinese folder
name such as ``退信`` works. Errors come out as ``ImapError`` with a message for people.
"""

import base64
import contextlib
import imaplib
import re
import ssl
from dataclasses import dataclass

from netmark.core.addresses import AddressPolicy, OutboundBlocked, OutboundError, open_connection

TIMEOUT = 30.0
MAX_MESSAGE_BYTES = 20 * 1024 * 1024
_LITERAL = re.compile(rb"\{(\d+)\}$")


class ImapError(Exception):
    """The mailbox could not be reached, refused the login, or answered something unexpected."""


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int
    security: str  # tls, starttls, none
    username: str
    password: str
    timeout: float = TIMEOUT
    policy: AddressPolicy | None = None
    tls_context: ssl.SSLContext | None = None

    def context(self) -> ssl.SSLContext:
        return self.tls_context or ssl.create_default_context()


def encode_folder(name: str) -> str:
    """``name`` in modified UTF-7, quoted for an IMAP command."""
    out, pending = [], []

    def flush():
        if pending:
            raw = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(raw).decode("ascii").rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    text = "".join(out).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


class _GuardedIMAP(imaplib.IMAP4):
    def __init__(self, config: ImapConfig):
        self.config = config
        super().__init__(config.host, config.port, timeout=config.timeout)

    def _create_socket(self, timeout):
        sock = open_connection(self.host, self.port, timeout=timeout, policy=self.config.policy)
        if self.config.security == "tls":
            sock = self.config.context().wrap_socket(sock, server_hostname=self.host)
        return sock


def login(client: imaplib.IMAP4, username: str, password: str) -> None:
    """LOGIN, or AUTHENTICATE PLAIN in UTF-8 for a user name or password that is not ASCII
    (imaplib's LOGIN sends ASCII only)."""
    if (username + password).isascii():
        client.login(username, password)
    else:
        client.authenticate("PLAIN", lambda _challenge: f"\0{username}\0{password}".encode())


def _check(answer, what: str):
    typ, data = answer
    if typ != "OK":
        text = b" ".join(part for part in data if isinstance(part, bytes)).decode("utf-8", "replace")
        raise ImapError(f"{what}: {typ} {text}".strip()[:400])
    return data


class Session:
    """One logged-in IMAP session on one folder. Use as a context manager."""

    def __init__(self, config: ImapConfig):
        self.config = config
        self.client: _GuardedIMAP | None = None
        self.capabilities: set[str] = set()

    def __enter__(self) -> "Session":
        try:
            client = _GuardedIMAP(self.config)
        except OutboundBlocked as exc:
            raise ImapError(f"address refused by the outbound policy: {exc}") from None
        except (OutboundError, OSError, imaplib.IMAP4.error) as exc:
            raise ImapError(f"cannot connect to {self.config.host}:{self.config.port}: {exc}") from None
        self.client = client
        try:
            if self.config.security == "starttls":
                self._starttls()
            login(client, self.config.username, self.config.password)
        except imaplib.IMAP4.error as exc:
            self.close()
            raise ImapError(f"login refused: {_text(exc)}") from None
        except ImapError:
            self.close()
            raise
        except OSError as exc:  # ssl.SSLError (a certificate that does not verify) is one
            self.close()
            raise ImapError(f"connection failed during login: {exc}") from None
        self.capabilities = self._capabilities()
        return self

    def _capabilities(self) -> set[str]:
        """Asked again after the login: servers offer MOVE and UIDPLUS only to logged-in users."""
        data = self._run("capability", self.client.capability)
        words = b" ".join(part for part in data if isinstance(part, bytes)).decode("ascii", "replace")
        return {word.upper() for word in words.split()}

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _starttls(self) -> None:
        try:
            self.client.starttls(ssl_context=self.config.context())
        except imaplib.IMAP4.error as exc:
            raise ImapError(f"STARTTLS refused: {_text(exc)}") from None

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            if client.state == "SELECTED":
                client.close()  # expunges what was marked \Deleted
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            with contextlib.suppress(OSError):  # the socket is already gone: nothing left to close
                client.shutdown()

    def _run(self, what: str, function, *args):
        try:
            return _check(function(*args), what)
        except imaplib.IMAP4.abort as exc:
            raise ImapError(f"{what}: connection lost ({_text(exc)})") from None
        except imaplib.IMAP4.error as exc:
            raise ImapError(f"{what}: {_text(exc)}") from None
        except OSError as exc:
            raise ImapError(f"{what}: {exc}") from None

    def select(self, folder: str) -> None:
        self._run(f"select {folder}", self.client.select, encode_folder(folder))

    def ensure_folder(self, folder: str) -> None:
        """Creates ``folder`` unless it exists."""
        found = self._run(f"list {folder}", self.client.list, '""', encode_folder(folder))
        if any(item for item in found if item):
            return
        self._run(f"create {folder}", self.client.create, encode_folder(folder))

    def search(self, *criteria: str) -> list[bytes]:
        data = self._run("search", self.client.uid, "SEARCH", *criteria)
        return [uid for uid in (data[0] or b"").split() if uid.isdigit()]

    def fetch(self, uid: bytes) -> bytes | None:
        """The whole message (without setting \\Seen), or None when it is gone or too large."""
        sizes = self._run("fetch size", self.client.uid, "FETCH", uid, "(RFC822.SIZE)")
        found = re.search(rb"RFC822\.SIZE (\d+)", b" ".join(p for p in sizes if isinstance(p, bytes)))
        if found is None:
            return None
        if int(found.group(1)) > MAX_MESSAGE_BYTES:
            raise MessageTooLarge(int(found.group(1)))
        data = self._run("fetch", self.client.uid, "FETCH", uid, "(BODY.PEEK[])")
        for part in data:
            if isinstance(part, tuple) and len(part) == 2 and _LITERAL.search(part[0]):
                return part[1]
        return None

    def mark(self, uid: bytes, flag: str) -> None:
        self._run("store", self.client.uid, "STORE", uid, "+FLAGS.SILENT", f"({flag})")

    def move(self, uid: bytes, folder: str) -> None:
        """Moves one message (MOVE, RFC 6851, where offered; else COPY, then delete)."""
        if "MOVE" in self.capabilities:
            self._run(f"move to {folder}", self.client.uid, "MOVE", uid, encode_folder(folder))
            return
        self._run(f"copy to {folder}", self.client.uid, "COPY", uid, encode_folder(folder))
        self.delete(uid)

    def delete(self, uid: bytes) -> None:
        self.mark(uid, "\\Deleted")
        if "UIDPLUS" in self.capabilities:
            self._run("expunge", self.client.uid, "EXPUNGE", uid)
        else:
            self._run("expunge", self.client.expunge)


class MessageTooLarge(ImapError):
    def __init__(self, size: int):
        self.size = size
        super().__init__(f"message of {size} bytes is over the limit")


def _text(exc: Exception) -> str:
    value = exc.args[0] if exc.args else exc
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
