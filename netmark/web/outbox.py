"""The installation outbox: mail that Django's file backend wrote to ``EMAIL_FILE_PATH``.

Without ``NETMARK_SMTP_URL`` installation email (invitations, password resets, reports) is written
to ``var/outbox/``, one file per connection, messages separated by a line of 79 dashes. Superusers
see every message. A workspace owner sees only messages tagged with their workspace
(``X-Netmark-Workspace``): password-reset links and other workspaces' mail must never be readable
by the owner of another workspace.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings

from netmark.core.invitations import WORKSPACE_HEADER

SEPARATOR = b"\n" + b"-" * 79 + b"\n"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,120}\.log$")
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_LISTED = 500


@dataclass(frozen=True)
class OutboxMessage:
    file_name: str
    index: int
    subject: str
    sender: str
    recipients: str
    sent_at: datetime
    workspace_slug: str
    body: str

    @property
    def key(self) -> str:
        return f"{self.file_name}:{self.index}"


def is_enabled() -> bool:
    return settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend" and bool(
        getattr(settings, "EMAIL_FILE_PATH", None)
    )


def _folder() -> Path:
    return Path(settings.EMAIL_FILE_PATH)


def _text_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        return part.get_content()
    except (LookupError, UnicodeDecodeError):
        return part.get_payload(decode=True).decode("utf-8", errors="replace")


def _parse(file_name: str, index: int, raw: bytes, modified: datetime) -> OutboxMessage | None:
    raw = raw.strip(b"\n")
    if not raw:
        return None
    message = message_from_bytes(raw, policy=policy.default)
    return OutboxMessage(
        file_name=file_name,
        index=index,
        subject=str(message.get("Subject", "")),
        sender=str(message.get("From", "")),
        recipients=", ".join(str(value) for value in message.get_all("To", [])),
        sent_at=modified,
        workspace_slug=str(message.get(WORKSPACE_HEADER, "")),
        body=_text_body(message),
    )


def _read_file(path: Path) -> list[OutboxMessage]:
    if path.stat().st_size > MAX_FILE_BYTES:
        return []
    modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    chunks = path.read_bytes().split(SEPARATOR)
    parsed = (_parse(path.name, index, chunk, modified) for index, chunk in enumerate(chunks))
    return [message for message in parsed if message is not None]


def messages(workspace_slug: str | None = None) -> list[OutboxMessage]:
    """Newest first; only ``workspace_slug``'s messages when given (``None``: all, for superusers)."""
    if not is_enabled() or not _folder().is_dir():
        return []
    files = sorted(
        (path for path in _folder().iterdir() if path.is_file() and NAME_PATTERN.match(path.name)),
        key=lambda path: path.stat().st_mtime,
        reverse=True,
    )
    found: list[OutboxMessage] = []
    for path in files:
        for message in reversed(_read_file(path)):
            if workspace_slug is None or message.workspace_slug == workspace_slug:
                found.append(message)
        if len(found) >= MAX_LISTED:
            break
    return found[:MAX_LISTED]


def message(key: str, workspace_slug: str | None = None) -> OutboxMessage | None:
    """One message by ``<file>:<index>``; names are matched against the folder, never joined blindly."""
    file_name, _sep, index = key.rpartition(":")
    if not (is_enabled() and NAME_PATTERN.match(file_name) and index.isdigit()):
        return None
    path = _folder() / file_name
    if not path.is_file() or path.parent.resolve() != _folder().resolve():
        return None
    for found in _read_file(path):
        if found.index == int(index) and workspace_slug in (None, found.workspace_slug):
            return found
    return None
