"""Reading one cell of an export: decoding the file (UTF-16 without a byte-order mark too) and
tolerant parsing of numbers, money, dates and currencies with row errors (``formats.py`` uses it)."""

import codecs
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from netmark.core import csvio
from netmark.core.csvio import RowError
from netmark.core.money import CURRENCIES

UNDEFINED = {"", "--", "-", "—", "n/a", "null"}
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal(10) ** 12


def decode(data: bytes) -> tuple[str, str]:
    """core.csvio's decoding, plus UTF-16 without a byte-order mark (NUL bytes in every other byte)."""
    head = data[:4096]
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8)) and len(head) > 3:
        if head[1::2].count(0) > len(head) // 4 and head[0::2].count(0) == 0:
            return _strict(data, "utf-16-le")
        if head[0::2].count(0) > len(head) // 4 and head[1::2].count(0) == 0:
            return _strict(data, "utf-16-be")
    return csvio.decode(data)


def _strict(data: bytes, encoding: str) -> tuple[str, str]:
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        raise csvio.CsvError(_("The file looks like UTF-16 but cannot be decoded.")) from None


class Cells:
    """One data row's cells by canonical column, with tolerant parsing and row errors."""

    def __init__(self, number: int, values: dict[str, str], errors: list[RowError]):
        self.row, self.values, self.errors = number, values, errors

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row, column, str(message)))

    def text(self, column: str, *, required: bool = False) -> str:
        value = csvio.unescape_cell(self.values.get(column, "")).strip()
        if required and value.casefold() in UNDEFINED:
            self.fail(column, _("This cell must not be empty."))
            return ""
        return "" if value in {"--", "—"} else value

    def number(self, column: str, *, required: bool = False) -> Decimal | None:
        raw = self.text(column)
        cleaned = re.sub(r"[,\s¥￥$%]", "", raw)
        if cleaned.casefold() in UNDEFINED:
            if required:
                self.fail(column, _("This cell must not be empty."))
            return None
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0 or value >= MAX_AMOUNT:
            self.fail(column, _("Enter a non-negative number, e.g. 1200.50."))
            return None
        return value

    def money(self, column: str, *, required: bool = False) -> Decimal | None:
        value = self.number(column, required=required)
        return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)

    def integer(self, column: str) -> int | None:
        value = self.number(column)
        if value is not None and value != value.to_integral_value():
            self.fail(column, _("Enter a whole number."))
            return None
        return None if value is None else int(value)

    def day(self, column: str) -> date | None:
        raw = self.text(column, required=True)
        if not raw:
            return None
        text = raw.split(" ")[0] if re.match(r"\d{4}-\d{2}-\d{2} \d", raw) else raw
        for pattern in (*csvio.DATE_FORMATS, "%Y%m%d", "%m/%d/%Y"):
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        self.fail(column, _("Enter a date such as 2026-10-12."))
        return None

    def currency(self, column: str, default: str) -> str:
        code = (self.text(column) or default).upper()
        if code not in CURRENCIES:
            self.fail(column, _("Unknown currency; use one of %s.") % ", ".join(CURRENCIES))
        return code
