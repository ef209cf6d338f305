"""How contacts are recognised as the same person: normalised email and phone (docs/contacts.md).

Email: NFKC, surrounding space trimmed, lower-cased as a whole (providers treat the local part
case-insensitively in practice); an address that is not ``local@domain.tld`` is refused.

Phone: NFKC (full-width digits), then separators (space, dash, dot, brackets, slash) dropped.
Chinese mobiles (11 digits ``1[3-9]...``) with or without ``+86`` / ``0086`` / ``86`` become
``+86`` followed by the 11 digits; a Chinese landline with its trunk ``0`` (``0871-6555-0019``)
becomes ``+86`` followed by the number without the ``0``; any other ``+`` or ``00`` number keeps its
country code (``+85291234567``); anything else keeps its digits as written. Excel's scientific
notation (``8.61381E+12``) has lost digits and is refused, as are cells holding two numbers.
"""

import re
import unicodedata

from django.utils.translation import gettext as _

from netmark.core.errors import ValidationFailed

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
SEPARATORS = re.compile(r"[\s\-.()（）/]+")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0[1-9]\d{8,10}$")
SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
MAX_EMAIL = 254


def text(value) -> str:
    """Display text: NFKC (full-width letters and spaces folded), inner runs of space collapsed."""
    return " ".join(unicodedata.normalize("NFKC", str(value or "")).split())


def email(value, field: str = "email") -> str:
    """The normalised address, ``""`` for an empty value, ``ValidationFailed`` for a malformed one."""
    cleaned = text(value).lower()
    if not cleaned:
        return ""
    if len(cleaned) > MAX_EMAIL or not EMAIL.match(cleaned):
        raise ValidationFailed(fields={field: _("Enter an email address such as li.na@example.com.")})
    return cleaned


def phone(value, field: str = "phone") -> str:
    """The normalised number (``+8613800138001``), ``""`` for an empty value, else ``ValidationFailed``."""
    raw = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not raw:
        return ""
    if SCIENTIFIC.match(raw):
        raise ValidationFailed(
            fields={
                field: _("The number was turned into scientific notation (e.g. by Excel); digits are lost.")
            }
        )
    if "/" in raw or "," in raw or ";" in raw:
        raise ValidationFailed(fields={field: _("Enter one phone number per cell.")})
    compact = SEPARATORS.sub("", raw)
    plus = compact.startswith("+")
    digits = compact[1:] if plus else compact
    if not digits.isdigit() or not 5 <= len(digits) <= 17:
        raise ValidationFailed(fields={field: _("Enter a phone number such as 138 0013 8001.")})
    if not plus and digits.startswith("00"):
        plus, digits = True, digits[2:]
    return _international(digits, plus)


def _international(digits: str, plus: bool) -> str:
    national = digits[2:] if digits.startswith("86") else None
    if national is not None and (MOBILE.match(national) or LANDLINE.match("0" + national)):
        return "+86" + national
    if plus:
        return "+" + digits
    if MOBILE.match(digits):
        return "+86" + digits
    if LANDLINE.match(digits):
        return "+86" + digits[1:]
    return digits


def phone_or_blank(value) -> str:
    """The normalised number, or ``""`` when the value is not a usable number (for look-ups)."""
    try:
        return phone(value)
    except ValidationFailed:
        return ""
