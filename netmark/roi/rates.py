"""Currency rates per workspace, effective by date, and conversion to the workspace currency.

Rule: an amount in currency C dated D is converted with the rate of C whose ``effective_on`` is
the latest on or before D; the workspace's own currency converts at 1. With no such rate the
amount cannot be converted: it is reported as a missing rate, never guessed. Amounts are summed
per (currency, day) first and each converted sum is rounded to cents (half up).
"""

import bisect
import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from netmark.core import records
from netmark.core.errors import ValidationFailed
from netmark.core.money import validate_currency
from netmark.core.roles import Capability
from netmark.core.scoping import get_for, scoped
from netmark.roi.models import CurrencyRate

CENT = Decimal("0.01")
MAX_RATE = Decimal("9999999999")


def list_rates(workspace, *, currency: str | None = None):
    rates = scoped(CurrencyRate, workspace)
    return rates.filter(currency=currency.upper()) if currency else rates


def get_rate(workspace, rate_id) -> CurrencyRate:
    return get_for(CurrencyRate, workspace, rate_id)


def _rate_value(raw) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or value <= 0 or value >= MAX_RATE:
        raise ValidationFailed(fields={"rate": _("Enter a positive number, e.g. 7.1234.")})
    if value != value.quantize(Decimal("0.00000001")):
        raise ValidationFailed(fields={"rate": _("At most 8 decimals.")})
    return value


def _clean(workspace, data: dict) -> dict:
    cleaned = {}
    if "currency" in data:
        cleaned["currency"] = validate_currency(data["currency"])
        if cleaned["currency"] == workspace.currency:
            message = _("The workspace currency always converts at 1; no rate is needed.")
            raise ValidationFailed(fields={"currency": message})
    if "rate" in data:
        cleaned["rate"] = _rate_value(data["rate"])
    if "source" in data:
        cleaned["source"] = (data["source"] or "").strip()[:200]
    if "effective_on" in data:
        if not isinstance(data["effective_on"], datetime.date):
            raise ValidationFailed(fields={"effective_on": _("Enter a date such as 2026-10-12.")})
        cleaned["effective_on"] = data["effective_on"]
    return cleaned


def create_rate(
    member, *, currency: str, rate, effective_on: datetime.date, source: str = ""
) -> CurrencyRate:
    fields = {"currency": currency, "rate": rate, "effective_on": effective_on, "source": source}
    data = _clean(member.workspace, fields)
    return records.create_record(member, CurrencyRate, data, capability=Capability.PLAN)


def update_rate(member, rate_id, **fields) -> CurrencyRate:
    unknown = sorted(set(fields) - {"currency", "rate", "effective_on", "source"})
    if unknown:
        raise ValidationFailed(fields={name: _("Unknown field.") for name in unknown})
    rate = get_rate(member.workspace, rate_id)
    data = _clean(member.workspace, fields)
    return records.update_record(
        member, CurrencyRate, rate.pk, data, capability=Capability.PLAN, instance=rate
    )


def delete_rate(member, rate_id) -> None:
    records.delete_record(member, CurrencyRate, rate_id, capability=Capability.ERASE)


@dataclass
class Converter:
    """Converts (amount, currency, day) to the workspace currency with the rates read once."""

    workspace: object
    _rates: dict[str, tuple[list[datetime.date], list[Decimal]]] = field(default_factory=dict)
    missing: set[tuple[str, datetime.date]] = field(default_factory=set)

    def _table(self, currency: str):
        if currency not in self._rates:
            rows = list(
                list_rates(self.workspace, currency=currency)
                .order_by("effective_on")
                .values_list("effective_on", "rate")
            )
            self._rates[currency] = ([day for day, _rate in rows], [rate for _day, rate in rows])
        return self._rates[currency]

    def rate(self, currency: str, day: datetime.date) -> Decimal | None:
        if currency == self.workspace.currency:
            return Decimal(1)
        days, values = self._table(currency)
        index = bisect.bisect_right(days, day) - 1
        return values[index] if index >= 0 else None

    def convert(self, amount, currency: str, day: datetime.date) -> Decimal | None:
        """The amount in the workspace currency, or None (and noted in ``missing``) without a rate."""
        rate = self.rate(currency, day)
        if rate is None:
            self.missing.add((currency, day))
            return None
        return (Decimal(amount) * rate).quantize(CENT, rounding=ROUND_HALF_UP)

    def missing_list(self) -> list[dict]:
        return [{"currency": c, "date": d.isoformat()} for c, d in sorted(self.missing)]


def convert_amount(workspace, amount, currency: str, day: datetime.date) -> Decimal | None:
    return Converter(workspace).convert(amount, currency, day)
