"""Aggregated conversion paths in and out of CSV (the ``path, conversions, value, null`` layout that
attribution tools such as ChannelAttribution read and write), and credit tables out.

A path is its touches joined by ``>`` (``百度 > 微信 > email``; ``→`` and ``»`` are read as ``>``).
Rows with the same path add up. The whole file is checked before anything is used: every problem
comes back with its row (csvio's row errors), and a file with one bad row is refused.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext as _

from netmark.core import csvio
from netmark.roi.attribution import MODEL_NAMES, Credit, Path

COLUMNS = [
    ("path", "路径", ["channel path", "touches", "渠道路径"]),
    ("conversions", "转化", ["total_conversions", "conversion", "转化数", "转化次数"]),
    ("value", "价值", ["total_conversion_value", "revenue", "conversion value", "收入", "转化价值"]),
    ("null", "未转化", ["nulls", "total_null", "non-conversions", "未转化数"]),
]
MAX_TOUCHES = 200
_SEPARATOR = re.compile(r"\s*(?:>|→|»)\s*")


def read_paths(data: bytes) -> list[Path]:
    """The paths of a CSV file, summed by path; ``ImportFailed`` lists every bad row."""
    table = csvio.map_columns(csvio.read_table(data), csvio.aliases(COLUMNS))
    csvio.require_columns(table, ["path"])
    if not {"conversions", "null"} & set(table.headers):
        raise csvio.ImportFailed([csvio.RowError(1, "conversions", _("Give conversions, nulls or both."))])
    errors: list[csvio.RowError] = []
    sums: dict[tuple[str, ...], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    for row in table.rows:
        before = len(errors)
        reader = csvio.RowReader(row, errors)
        touches = _touches(reader)
        counts = [_count(reader, column) for column in ("conversions", "value", "null")]
        if touches and counts[1] and not counts[0]:
            reader.fail("value", _("A value needs conversions on the same row."))
        if touches and len(errors) == before:
            cell = sums[touches]
            for index, count in enumerate(counts):
                cell[index] += count
    if errors:
        raise csvio.ImportFailed(errors)
    if not sums:
        raise csvio.ImportFailed([csvio.RowError(2, "path", _("The file holds no paths."))])
    return [
        Path(touches, conversions=float(conv), value=float(value), nulls=float(nulls))
        for touches, (conv, value, nulls) in sorted(sums.items())
    ]


def _touches(reader: csvio.RowReader) -> tuple[str, ...]:
    text = reader.text("path", required=True)
    if not text:
        return ()
    touches = tuple(part for part in _SEPARATOR.split(text))
    if any(not part for part in touches):
        reader.fail("path", _("A touch between two '>' is empty."))
        return ()
    if len(touches) > MAX_TOUCHES:
        reader.fail("path", _("A path has at most %(count)d touches.") % {"count": MAX_TOUCHES})
        return ()
    if any(len(part) > 200 for part in touches):
        reader.fail("path", _("A touch name has at most 200 characters."))
        return ()
    return touches


def _count(reader: csvio.RowReader, column: str) -> Decimal:
    value = reader.decimal(column) if reader.has(column) else None
    if value is None:
        return Decimal(0)
    if value < 0:
        reader.fail(column, _("Enter zero or more."))
        return Decimal(0)
    return value


def paths_csv(paths: list[Path]) -> bytes:
    return csvio.write_rows(
        ["path", "conversions", "value", "null"],
        ([" > ".join(path.touches), path.conversions, path.value, path.nulls] for path in paths),
    )


def credit_csv(credit: dict[str, dict[str, Credit]]) -> bytes:
    """One row per channel: conversions and value under each model."""
    headers = ["channel"]
    for model in MODEL_NAMES:
        headers += [f"{model}_conversions", f"{model}_value"]
    rows = []
    for channel, by_model in credit.items():
        row: list = [channel]
        for model in MODEL_NAMES:
            row += [round(by_model[model].conversions, 6), round(by_model[model].value, 2)]
        rows.append(row)
    return csvio.write_rows(headers, rows)
