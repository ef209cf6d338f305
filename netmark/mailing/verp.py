"""VERP return paths that cannot be forged (bounces come back to an address naming the message).

A marketing message is sent with the envelope sender ``nmb-<workspace>-<tag>@<bounce domain>``.
``tag`` is an HMAC of the workspace and the message key under a key derived from ``SECRET_KEY``:
the return path names exactly one message and nobody without the secret can make one for a message
of their choosing, so a forged bounce cannot suppress anybody. The tag doubles as the lookup key:
the sender records it with the ``sent`` event (``events.record_sent``), and a bounce whose tag no
message of the workspace carries is ignored. Tags are lower-case base32, since some MTAs lower-case
addresses.
"""

import base64
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import salted_hmac

PREFIX = "nmb"
TAG_LENGTH = 24  # base32 characters: 120 bits
_LOCAL = re.compile(rf"^{PREFIX}-(\d{{1,18}})-([a-z2-7]{{{TAG_LENGTH}}})$")


@dataclass(frozen=True)
class ReturnPath:
    workspace_id: int
    tag: str


def message_tag(workspace_id: int, message_key: str) -> str:
    """The keyed hash naming one message of a workspace (stable for the same key)."""
    digest = salted_hmac(
        "netmark.mailing.verp", f"{int(workspace_id)}:{message_key}", algorithm="sha256"
    ).digest()
    return base64.b32encode(digest[:15]).decode("ascii").lower()


def bounce_domain() -> str:
    return settings.BOUNCE_DOMAIN


def return_path(workspace_id: int, message_key: str) -> str:
    """The envelope sender (``MAIL FROM``) for one message."""
    return address(workspace_id, message_tag(workspace_id, message_key))


def address(workspace_id: int, tag: str) -> str:
    """The return path of the message whose tag is already known (``composing`` hashes once)."""
    return f"{PREFIX}-{int(workspace_id)}-{tag}@{bounce_domain()}"


def parse(address: str) -> ReturnPath | None:
    """The workspace and tag of a return path we made, or None for anything else (any domain:
    the receiver may sit behind several MX names)."""
    local, _at, _domain = str(address or "").strip().strip("<>").rpartition("@")
    found = _LOCAL.match(local.lower())
    if found is None:
        return None
    return ReturnPath(int(found.group(1)), found.group(2))
