"""Secrets at rest (SMTP passwords, DKIM private keys): sealed with Fernet (AES-128-CBC + HMAC).

The key is derived from the installation's ``SECRET_KEY`` (generated on first run into the data
folder), so a database copy alone does not reveal them; rotating ``SECRET_KEY`` means entering the
SMTP passwords again and generating new DKIM keys (docs/mailing.md).
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from netmark.core import audit


class Unreadable(Exception):
    """A sealed value that this installation's key cannot open (``SECRET_KEY`` changed)."""


def _fernet() -> Fernet:
    digest = hashlib.sha256(f"netmark.mailing.sealing:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode("ascii") if plain else ""


def unseal(sealed: str) -> str:
    if not sealed:
        return ""
    try:
        return _fernet().decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, ValueError) as exc:
        raise Unreadable("this secret was sealed with another SECRET_KEY") from exc


def apply_fields(record, data: dict) -> dict:
    """Sets ``data`` on ``record`` (an SMTP server, a bounce mailbox); a ``password`` in it is
    sealed into ``password_sealed``. Returns the audit changes, where a password shows only as
    changed."""
    data = dict(data)
    password = data.pop("password", None)
    changes = audit.diff(record, data)
    for field, value in data.items():
        setattr(record, field, value)
    if password is not None:
        record.password_sealed = seal(password)
        changes["password"] = ["…", "…"]
    return changes
