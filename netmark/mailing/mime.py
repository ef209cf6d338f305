"""Building one marketing message: HTML with a plain-text part, headers encoded for Chinese.

Headers that are not ASCII are RFC 2047 encoded words (``=?utf-8?b?...?=``); bodies are UTF-8 in
quoted-printable or base64 (never raw 8-bit, so the message survives any relay and its DKIM body
hash does not change on the way); lines end with CRLF (``email.policy.SMTP``). Every marketing
message carries ``List-Id``, ``List-Unsubscribe`` (URL and, where configured, mailto) and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 2369, RFC 2919, RFC 8058).
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from html.parser import HTMLParser

from django.conf import settings

# 7-bit bodies: set_content then picks quoted-printable or base64, whichever is shorter.
POLICY = policy.SMTP.clone(cte_type="7bit")
ONE_CLICK = "List-Unsubscribe=One-Click"
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tr",
        "ul",
    ]
)
_LINES = frozenset({"li", "tr", "dt", "dd", "br"})  # one line each, no blank line after
_HIDDEN = frozenset({"script", "style", "head", "title", "template"})
_SPACES = re.compile(r"[ \t\u00a0]+")
_NEWLINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Unsubscribe:
    """Where a recipient unsubscribes: the one-click URL and an optional mailbox (mailto)."""

    url: str
    mailto: str = ""

    def header(self) -> str:
        parts = [f"<{self.url}>"]
        if self.mailto:
            parts.append(f"<mailto:{self.mailto}?subject=unsubscribe>")
        return ", ".join(parts)


def message_id(key: str, domain: str) -> str:
    """A Message-ID that depends only on ``key`` (e.g. campaign x recipient): a resend keeps it.

    The key is hashed with the installation's secret so the id does not reveal the address.
    """
    secret = settings.SECRET_KEY.encode()
    digest = hmac.new(secret, f"netmark.message-id:{key}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def single_line(text: str) -> str:
    """Header text on one line: CR, LF and tabs become spaces (no header injection)."""
    return _SPACES.sub(" ", re.sub(r"[\r\n\t\x00-\x1f]+", " ", text or "")).strip()


def address(display_name: str, email: str) -> Address:
    local, _, domain = email.rpartition("@")
    return Address(display_name=single_line(display_name), username=local, domain=domain)


def build_message(
    *,
    sender: Address,
    recipient: str,
    subject: str,
    html: str,
    text: str | None = None,
    key: str,
    list_id: str | None = None,
    unsubscribe: Unsubscribe | None = None,
    reply_to: str | None = None,
    date: datetime | None = None,
    extra_headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A multipart/alternative message (plain text first, then HTML), ready to sign and send.

    ``key`` makes the Message-ID (stable across resends); ``list_id`` and ``unsubscribe`` are
    required for marketing messages (``is_marketing`` below checks them), optional for test sends.
    """
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = single_line(subject)
    message["Date"] = format_datetime(date or datetime.now(UTC))
    message["Message-ID"] = message_id(key, sender.domain)
    if reply_to:
        message["Reply-To"] = reply_to
    if list_id:
        message["List-Id"] = single_line(list_id)
    if unsubscribe is not None:
        message["List-Unsubscribe"] = unsubscribe.header()
        message["List-Unsubscribe-Post"] = ONE_CLICK
    for name, value in (extra_headers or {}).items():
        message[name] = single_line(value)
    message.set_content(text if text is not None else html_to_text(html), charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message


def is_marketing_ready(message: EmailMessage) -> bool:
    return all(message[name] for name in ("List-Id", "List-Unsubscribe", "List-Unsubscribe-Post"))


def list_id(name: str, identifier: str, domain: str) -> str:
    """``List-Id: 春季新品 <spring.example.com>`` (RFC 2919); the identifier is ASCII."""
    label = re.sub(r"[^a-z0-9-]+", "-", identifier.lower()).strip("-") or "list"
    return f"{single_line(name)} <{label}.{domain}>"


def to_bytes(message: EmailMessage) -> bytes:
    """The message as sent: CRLF line endings, headers folded and encoded."""
    return message.as_bytes(policy=POLICY)


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.links: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")
        if tag == "a":
            self.links.append(dict(attrs).get("href"))
        if tag == "img" and dict(attrs).get("alt"):
            self.parts.append(dict(attrs)["alt"])

    def handle_endtag(self, tag):
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS and tag not in _LINES:
            self.parts.append("\n")
        if tag == "a" and self.links:
            href = self.links.pop()
            if href and href.startswith(("http://", "https://", "mailto:")):
                self.parts.append(f" ({href})")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(_SPACES.sub(" ", data.replace("\n", " ")))


def html_to_text(html: str) -> str:
    """A readable plain-text version of ``html``: blocks on their own lines, links as ``text (url)``."""
    extractor = _TextExtractor()
    extractor.feed(html or "")
    extractor.close()
    lines = [line.strip() for line in "".join(extractor.parts).split("\n")]
    return _NEWLINES.sub("\n\n", "\n".join(lines)).strip() + "\n"
