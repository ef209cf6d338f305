"""CSV in and out, the way Chinese spreadsheets produce and expect it (ARCHITECTURE.md, "CSV").

Reading accepts UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text") and
GBK / GB18030 (Excel on Chinese Windows), sniffs the delimiter (comma, tab or semicolon) from the
header line, normalises headers (BOM, surrounding space, full-width forms, case) and is bounded in
bytes and rows. Row numbers are spreadsheet rows: the header is row 1.

Writing produces UTF-8 with a BOM and CRLF line ends (Excel opens Chinese correctly) and defuses
formula injection: a cell starting with ``= + - @``, TAB or CR gets a leading ``'`` unless it is a
plain number such as ``-12.5`` (RELIABILITY.md, CSV-OUT).
"""

import codecs
import csv
import io
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from netmark.core.errors import NetmarkError, TooLarge, ValidationFailed

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
DELIMITERS = (",", "\t", ";")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class CsvError(ValidationFailed):
    """The file as a whole cannot be read (encoding, size, header)."""

    code = "csv_error"


@dataclass(frozen=True)
class Row:
    number: int  # the spreadsheet row: the header is row 1
    values: dict[str, str]
    extra: tuple[str, ...] = ()  # cells beyond the header's columns


@dataclass
class Table:
    headers: list[str]
    rows: list[Row] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","


def normalise_header(raw: str) -> str:
    """A header as matched: ``" Monthly  Budget"`` -> ``"monthly budget"``, ``"预算："`` -> ``"预算:"``.

    NFKC folds full-width letters, digits and punctuation to their ASCII forms.
    """
    text = unicodedata.normalize("NFKC", (raw or "").replace("\ufeff", ""))
    return " ".join(text.split()).casefold()


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding used; ``CsvError`` naming the first bad line otherwise."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    failures: list[UnicodeDecodeError] = []
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            failures.append(exc)
    # Report the encoding that got furthest: it is the one the file was most likely meant to be in.
    furthest = max(failures, key=lambda exc: exc.start)
    raise CsvError(
        _(
            "Line %(line)d is not valid UTF-8, UTF-16 or GBK/GB18030 text (byte 0x%(byte)02x). "
            'Save the file as "CSV UTF-8" and try again.'
        )
        % {"line": _line_of(data, furthest.start), "byte": data[furthest.start]}
    )


def sniff_delimiter(text: str, sample_chars: int = 65_536, sample_records: int = 50) -> str:
    """The delimiter that splits the most of the first records into the same number (> 1) of cells.

    Consistency rather than frequency: a report title above the header, commas in a date line or
    tabs inside cells do not decide. Comma wins ties and single-column files.
    """
    best, best_score = ",", 0
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text[:sample_chars], newline=""), delimiter=delimiter, strict=False)
        try:
            widths = [len(cells) for cells in itertools.islice(reader, sample_records) if len(cells) > 1]
        except csv.Error:
            continue
        score = max(Counter(widths).values(), default=0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _headers(raw: list[str]) -> list[str]:
    headers = [normalise_header(cell) for cell in raw]
    seen: set[str] = set()
    for header in headers:
        if header and header in seen:
            raise CsvError(_("The column %(name)s appears twice in the header.") % {"name": header})
        seen.add(header)
    if not any(headers):
        raise CsvError(_("The file has no header row."))
    return headers


def _row(number: int, headers: list[str], cells: list[str]) -> Row:
    values = {header: cells[index] if index < len(cells) else "" for index, header in enumerate(headers)}
    values.pop("", None)
    extra = tuple(cell for cell in cells[len(headers) :] if cell.strip())
    return Row(number=number, values=values, extra=extra)


def read_table(data: bytes, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> Table:
    """Decodes and parses ``data``; blank rows are skipped (their numbers are kept by the others)."""
    if len(data) > max_bytes:
        raise TooLarge(_("The file is larger than %(limit)d MB.") % {"limit": max_bytes // (1024 * 1024)})
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    table: Table | None = None
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):  # noqa: B007 - the number names a bad row below
            if table is None:
                table = Table(headers=_headers(cells), encoding=encoding, delimiter=delimiter)
            elif any(cell.strip() for cell in cells):
                if len(table.rows) >= max_rows:
                    raise TooLarge(_("The file has more than %(limit)d rows.") % {"limit": max_rows})
                table.rows.append(_row(number, table.headers, cells))
    except csv.Error as exc:
        message = _("Row %(row)d cannot be read: %(error)s") % {"row": number + 1, "error": exc}
        raise CsvError(message) from None
    if table is None:
        raise CsvError(_("The file is empty."))
    return table


def read_rows(data: bytes, **limits) -> list[dict[str, str]]:
    """The data rows of ``data`` as dicts keyed by normalised header."""
    return [row.values for row in read_table(data, **limits).rows]


def escape_cell(value) -> str:
    """The text of one exported cell, with formula triggers defused."""
    text = format_value(value)
    if text.startswith(FORMULA_TRIGGERS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def unescape_cell(text: str) -> str:
    """The inverse of ``escape_cell`` for imports: ``'=1+2`` -> ``=1+2``; other text unchanged."""
    if (
        text.startswith("'")
        and text[1:].startswith(FORMULA_TRIGGERS)
        and not PLAIN_NUMBER.fullmatch(text[1:])
    ):
        return text[1:]
    return text


def format_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def write_rows(headers: Sequence[str], rows: Iterable[Mapping | Sequence]) -> bytes:
    """UTF-8 with BOM and CRLF; each row a mapping keyed by header or a sequence in header order."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([escape_cell(header) for header in headers])
    for row in rows:
        cells = [row.get(header) for header in headers] if isinstance(row, Mapping) else list(row)
        writer.writerow([escape_cell(cell) for cell in cells])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


# Imports: columns by alias, cell parsing with row-level errors, all-or-nothing reporting.

BOOLEAN_WORDS = {
    "true": True, "yes": True, "y": True, "1": True, "on": True, "是": True, "启用": True,
    "false": False, "no": False, "n": False, "0": False, "off": False, "否": False, "停用": False,
}  # fmt: skip
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("row %(row)d") % {"row": self.row}
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


class ImportFailed(ValidationFailed):
    """At least one row is wrong; nothing was imported. ``errors`` lists every problem found."""

    code = "import_failed"

    def __init__(self, errors: list[RowError]):
        self.errors = sorted(errors, key=lambda error: (error.row, error.column))
        fields: dict[str, str] = {}
        for error in self.errors:
            key = f"{error.row}:{error.column}" if error.column else str(error.row)
            fields[key] = f"{fields[key]} {error.message}" if key in fields else error.message
        rows = len({error.row for error in self.errors})
        super().__init__(
            _("%(count)d row(s) have errors; nothing was imported.") % {"count": rows}, fields=fields
        )


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: str) -> None:
        """Counts one row as ``"created"``, ``"updated"`` or ``"unchanged"``."""
        setattr(self, outcome, getattr(self, outcome) + 1)

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def require_columns(table: Table, columns: Iterable[str]) -> None:
    missing = [column for column in columns if column not in table.headers]
    if missing:
        raise ImportFailed([RowError(1, column, _("This column is required.")) for column in missing])


def aliases(columns: Iterable[tuple[str, str, list[str]]]) -> dict[str, str]:
    """Accepted headers for ``(canonical, chinese, others)`` columns: ``monthly_budget`` is also
    ``monthly budget``, its Chinese header and each of ``others``."""
    return {
        alias: canonical
        for canonical, chinese, others in columns
        for alias in [canonical, canonical.replace("_", " "), chinese, *others]
    }


def header_row(columns: Iterable[tuple[str, str, list[str]]], *, chinese: bool) -> list[str]:
    return [chinese_name if chinese else canonical for canonical, chinese_name, _others in columns]


def map_columns(table: Table, aliases: Mapping[str, str], prefixes: Mapping[str, str] | None = None) -> Table:
    """The table with headers renamed to canonical names; unknown columns fail the import.

    ``aliases`` maps an accepted header (``"名称"``, ``"name"``) to a canonical name; ``prefixes``
    maps a header prefix (``"预算:"``) to a canonical prefix (``"budget:"``), kept with its suffix.
    """
    lookup = {normalise_header(alias): canonical for alias, canonical in aliases.items()}
    prefix_lookup = {normalise_header(alias): canonical for alias, canonical in (prefixes or {}).items()}
    renamed, unknown = {}, []
    for header in table.headers:
        if not header:
            continue
        canonical = lookup.get(header) or _prefixed(header, prefix_lookup)
        if canonical is None:
            unknown.append(header)
        renamed[header] = canonical
    if unknown:
        message = _("Unknown column; check the spelling of the header.")
        raise ImportFailed([RowError(1, header, message) for header in unknown])
    if len(set(renamed.values())) < len(renamed):
        raise ImportFailed([RowError(1, "", _("Two columns mean the same thing; keep one of them."))])
    rows = [
        Row(row.number, {renamed[key]: value for key, value in row.values.items()}, row.extra)
        for row in table.rows
    ]
    return Table(list(renamed.values()), rows, table.encoding, table.delimiter)


def _prefixed(header: str, prefix_lookup: Mapping[str, str]) -> str | None:
    for alias, canonical in prefix_lookup.items():
        if header.startswith(alias) and header[len(alias) :].strip():
            return canonical + header[len(alias) :].strip()
    return None


class RowReader:
    """Reads typed cells from one row, collecting errors instead of stopping at the first."""

    def __init__(self, row: Row, errors: list[RowError]):
        self.row = row
        self.errors = errors
        if row.extra:
            self.fail("", _("This row has more cells than the header has columns."))

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row.number, column, str(message)))

    def has(self, column: str) -> bool:
        return column in self.row.values

    def raw(self, column: str) -> str:
        """The cell as written, with an export's formula escape (``'=...``) taken off again."""
        return unescape_cell(self.row.values.get(column, ""))

    def text(self, column: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.raw(column).strip()
        if required and not value:
            self.fail(column, _("This cell must not be empty."))
        elif max_length is not None and len(value) > max_length:
            self.fail(column, _("At most %(count)d characters.") % {"count": max_length})
        return value

    def decimal(self, column: str) -> Decimal | None:
        raw = self.text(column)
        cleaned = raw.replace(",", "").replace("¥", "").replace("$", "").replace(" ", "")
        if not cleaned:
            return None
        try:
            value = Decimal(cleaned)
        except ArithmeticError:
            value = None
        if value is None or not value.is_finite():
            self.fail(column, _("Enter a number, e.g. 1200.50."))
            return None
        return value

    def integer(self, column: str) -> int | None:
        value = self.decimal(column)
        if value is not None and value != value.to_integral_value():
            self.fail(column, _("Enter a whole number."))
            return None
        return int(value) if value is not None else None

    def date(self, column: str, *, required: bool = False) -> date | None:
        raw = self.text(column, required=required)
        if not raw:
            return None
        for pattern in DATE_FORMATS:
            try:
                return datetime.strptime(raw, pattern).date()
            except ValueError:
                continue
        self.fail(column, _("Enter a date such as 2026-10-12."))
        return None

    def boolean(self, column: str, default: bool = True) -> bool:
        raw = self.text(column).casefold()
        if not raw:
            return default
        if raw not in BOOLEAN_WORDS:
            self.fail(column, _("Enter yes or no."))
            return default
        return BOOLEAN_WORDS[raw]


def errors_from(row: int, exc: NetmarkError, columns: Mapping[str, str] | None = None) -> list[RowError]:
    """A service's domain error as row errors; ``columns`` renames model fields to import columns."""
    columns = columns or {}
    if not exc.fields:
        return [RowError(row, "", exc.message)]
    return [
        RowError(row, columns.get(field, "" if field == "__all__" else field), message)
        for field, message in exc.fields.items()
    ]


def all_or_nothing(apply: Callable[[list[RowError]], ImportResult]) -> ImportResult:
    """Runs ``apply(errors)`` in one transaction and rolls it all back if any row error was collected."""
    errors: list[RowError] = []
    with transaction.atomic():
        result = apply(errors)
        if errors:
            raise ImportFailed(errors)
    return result
