"""Money is a Decimal with an ISO 4217 currency code; never a float."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext_lazy as _

from netmark.core.errors import ValidationFailed

CURRENCIES = ["CNY", "USD", "EUR", "HKD", "JPY", "GBP", "TWD", "SGD", "KRW", "AUD", "CAD"]
CURRENCY_CHOICES = [(code, code) for code in CURRENCIES]
MAX_DIGITS = 14
DECIMAL_PLACES = 2


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **kwargs)


def currency_field(**kwargs) -> models.CharField:
    kwargs.setdefault("default", "CNY")
    return models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, **kwargs)


def parse_amount(raw, field: str = "amount") -> Decimal:
    """A non-negative amount rounded to cents; ``ValidationFailed`` names ``field`` otherwise."""
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(fields={field: _("Enter a number, e.g. 1200.50.")}) from None
    if not value.is_finite() or value < 0 or value >= Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES):
        raise ValidationFailed(fields={field: _("Enter a non-negative amount below 10^12.")})
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def validate_currency(code: str, field: str = "currency") -> str:
    code = (code or "").upper()
    if code not in CURRENCIES:
        raise ValidationFailed(fields={field: _("Unknown currency; use one of %s.") % ", ".join(CURRENCIES)})
    return code
