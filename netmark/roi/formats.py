"""Ad-spend and affiliate files as netmark reads them: detect the format by its header row, map
Chinese and English column names, and turn each data row into a ``Line`` or row errors.

Formats (``FORMATS``, tried in this order): Taobao / Alimama affiliate orders, Meta Ads Manager,
Google Ads (report title and date lines above the header, ``Total:`` rows below), netmark's generic
template, Baidu 推广 (a preamble of seven lines). The header is the first of the first 30 lines
that a format recognises, so preambles and title lines are skipped by content, not line number.
Summary rows (Google ``Total: ...``, Meta's account row with an empty campaign) are skipped and
counted, never summed. Undefined cells (`` --``) are empty.

Natural keys (``Line.key``), the idempotency rule: an ad-spend line is one (platform, account,
campaign, ad group, day); an affiliate line is one (platform, order id, product id), since one
order can hold several products. Re-importing a key updates that line; it never adds another.
"""

import csv
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from netmark.core import csvio
from netmark.core.csvio import RowError
from netmark.core.money import CURRENCIES
from netmark.roi.cells import CENT, Cells, decode

HEADER_SEARCH_LINES = 30


@dataclass
class Line:
    row: int
    kind: str
    platform: str
    spent_on: date
    amount: Decimal
    currency: str
    account: str = ""
    campaign: str = ""
    ad_group: str = ""
    impressions: int | None = None
    clicks: int | None = None
    conversions: Decimal | None = None
    utm_campaign: str = ""
    order_id: str = ""
    order_amount: Decimal | None = None
    order_status: str = ""
    product_id: str = ""

    @property
    def key(self) -> tuple:
        if self.kind == "affiliate":
            return ("affiliate", self.platform, self.order_id, self.product_id)
        return (
            "ad_spend",
            self.platform,
            self.account,
            self.campaign,
            self.ad_group,
            self.spent_on.isoformat(),
        )

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256("\x1f".join(self.key).encode()).hexdigest()


@dataclass
class Parsed:
    file_format: str
    encoding: str
    lines: list[Line] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped: int = 0


@dataclass(frozen=True)
class Format:
    name: str
    columns: dict[str, tuple[str, ...]]
    signature: tuple[str, ...]  # canonical columns that must all be present
    parse: Callable
    prefixes: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _ad_line(cells: Cells, platform: str, currency: str, *, day_column: str = "date") -> Line | None:
    before = len(cells.errors)
    spent_on = cells.day(day_column)
    amount = cells.money("cost", required=True)
    line_currency = cells.currency("currency", currency) if "currency" in cells.values else currency
    campaign = cells.text("campaign", required=True)
    values = {
        "impressions": cells.integer("impressions"),
        "clicks": cells.integer("clicks"),
        "conversions": cells.money("conversions"),
    }
    if len(cells.errors) > before:
        return None
    return Line(
        cells.row, "ad_spend", platform, spent_on, amount, line_currency,
        account=cells.text("account"), campaign=campaign, ad_group=cells.text("ad_group"),
        utm_campaign=cells.text("utm_campaign"), **values,
    )  # fmt: skip


def _parse_baidu(cells: Cells, context: dict):
    return _ad_line(cells, "baidu", context["currency"])


def _parse_google(cells: Cells, context: dict):
    first = cells.text("date") or cells.text("campaign")
    if not cells.text("campaign") or first.casefold().startswith(("total", "总计", "合计")):
        return "skipped"
    return _ad_line(cells, "google_ads", context["currency"])


def _parse_meta(cells: Cells, context: dict):
    if not cells.text("campaign"):
        return "skipped"  # the account summary row
    column = "date" if "date" in cells.values else "starts"
    if column == "starts" and cells.text("starts") != cells.text("ends"):
        cells.fail("starts", _("Export the report broken down by day (one day per row)."))
        return None
    indicator = cells.text("indicator").casefold()
    line = _ad_line(cells, "meta", context["currency"], day_column=column)
    if line is not None and indicator.endswith(("link_click", "reach", "impressions", "video_view")):
        line.conversions = None  # Results that are not conversions
    return line


PLATFORM_PREFIXES = {
    "google-ads:": "google_ads",
    "google:": "google_ads",
    "meta:": "meta",
    "facebook:": "meta",
    "baidu:": "baidu",
}


def _parse_generic(cells: Cells, context: dict):
    platform = cells.text("platform").casefold()
    account = cells.text("account").casefold()
    if not platform:
        platform = next(
            (name for prefix, name in PLATFORM_PREFIXES.items() if account.startswith(prefix)), "other"
        )
    return _ad_line(cells, re.sub(r"[^a-z0-9_]", "_", platform)[:20], context["currency"])


def _commission(cells: Cells, status: str) -> Decimal | None:
    """Settled orders: the settled commission; failed orders: 0; others: paid amount x rate."""
    if "失效" in status:
        return Decimal("0.00")
    if "结算" in status and cells.number("commission") is not None:
        return cells.money("commission")
    paid, rate = cells.number("order_amount", required=True), cells.number("commission_rate", required=True)
    if paid is None or rate is None:
        return None
    return (paid * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def _parse_taobao(cells: Cells, context: dict):
    before = len(cells.errors)
    spent_on = cells.day("created")
    status = cells.text("status")
    order_id = cells.text("order_id", required=True)
    if order_id and not order_id.isdigit():
        cells.fail("order_id", _("An order id is digits only (was it saved as a number, e.g. 3.98E+18?)."))
    amount = _commission(cells, status)
    paid = Decimal("0.00") if "失效" in status else cells.money("order_amount")
    if len(cells.errors) > before or amount is None:
        return None
    return Line(
        cells.row, "affiliate", "taobao", spent_on, amount, "CNY",
        account=cells.text("media"), campaign=cells.text("zone"), ad_group=cells.text("title")[:300],
        order_id=order_id, order_amount=paid, order_status=status, product_id=cells.text("product_id"),
    )  # fmt: skip


AD_COUNTS = {
    "impressions": ("impr.", "impressions", "展现", "展示次数", "展现量"),
    "clicks": ("clicks", "点击", "点击次数", "点击量"),
}
FORMATS = [
    Format(
        "taobao",
        {
            "created": ("创建时间",),
            "order_id": ("订单编号", "淘宝子订单编号"),
            "product_id": ("商品id",),
            "order_amount": ("付款金额",),
            "commission": ("佣金金额",),
            "commission_rate": ("佣金比率",),
            "status": ("订单状态",),
            "media": ("来源媒体名称",),
            "zone": ("广告位名称",),
            "title": ("商品信息",),
        },
        ("created", "order_id", "order_amount", "commission_rate"),
        _parse_taobao,
    ),
    Format(
        "meta",
        {
            "date": ("day", "天"),
            "starts": ("reporting starts", "报告开始日期"),
            "ends": ("reporting ends", "报告结束日期"),
            "campaign": ("campaign name", "广告系列名称"),
            "ad_group": ("ad set name", "广告组名称"),
            "account": ("account name", "账户名称"),
            "impressions": ("impressions", "展示次数"),
            "clicks": ("link clicks", "链接点击量"),
            "conversions": ("results", "成效"),
            "indicator": ("result indicator", "成效指标"),
        },
        ("campaign", "cost"),
        _parse_meta,
        {"cost": ("amount spent (", "已花费金额 (", "花费金额 (")},
    ),
    Format(
        "google_ads",
        {
            "date": ("day", "天", "日"),
            "campaign": ("campaign", "广告系列"),
            "ad_group": ("ad group", "广告组"),
            "account": ("account", "account name", "客户名称"),
            "currency": ("currency code", "currency", "货币代码"),
            "cost": ("cost", "费用"),
            "conversions": ("conversions", "转化次数"),
            **AD_COUNTS,
        },
        ("date", "campaign", "cost"),
        _parse_google,
    ),
    Format(
        "generic",
        {
            "date": ("date", "日期"),
            "platform": ("platform", "平台"),
            "account": ("account", "账户"),
            "campaign": ("campaign", "推广计划", "广告系列"),
            "ad_group": ("ad_group", "ad group", "推广单元", "广告组"),
            "cost": ("cost", "spend", "花费"),
            "conversions": ("conversions", "转化"),
            "currency": ("currency", "币种", "货币"),
            "utm_campaign": ("utm_campaign",),
            **AD_COUNTS,
        },
        ("date", "campaign", "cost"),
        _parse_generic,
    ),
    Format(
        "baidu",
        {
            "date": ("日期", "date"),
            "account": ("账户",),
            "campaign": ("推广计划",),
            "ad_group": ("推广单元",),
            "cost": ("消费",),
            "conversions": ("转化", "转化量"),
            **AD_COUNTS,
        },
        ("date", "campaign", "cost"),
        _parse_baidu,
    ),
]


def _mapping(fmt: Format, headers: list[str]) -> tuple[dict[int, str], dict[str, str]]:
    """``{column index: canonical}`` and the values found in prefixed headers (Meta's currency)."""
    lookup = {alias: canonical for canonical, aliases in fmt.columns.items() for alias in aliases}
    found, extras = {}, {}
    for index, header in enumerate(headers):
        canonical = lookup.get(header)
        if canonical is None:
            for name, prefixes in fmt.prefixes.items():
                prefix = next((p for p in prefixes if header.startswith(p) and header.endswith(")")), None)
                if prefix:
                    canonical, extras[name] = name, header[len(prefix) : -1].strip().upper()
        if canonical and canonical not in found.values():
            found[index] = canonical
    return found, extras


def detect(records: list[list[str]]) -> tuple[Format, int, dict[int, str], dict[str, str]]:
    for position, cells in enumerate(records[:HEADER_SEARCH_LINES]):
        headers = [csvio.normalise_header(cell) for cell in cells]
        for fmt in FORMATS:
            columns, extras = _mapping(fmt, headers)
            if set(fmt.signature) <= set(columns.values()):
                return fmt, position, columns, extras
    raise csvio.CsvError(
        _(
            "No known header found: expected a Baidu, Google Ads, Meta Ads, Taobao affiliate "
            "or netmark template export."
        )
    )


def parse(data: bytes, *, currency: str = "CNY") -> Parsed:
    """Reads a whole file into lines and row errors; ``CsvError`` when it cannot be read at all."""
    if len(data) > csvio.MAX_BYTES:
        raise csvio.TooLarge(_("The file is larger than %(limit)d MB.") % {"limit": csvio.MAX_BYTES // 2**20})
    text, encoding = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csvio.sniff_delimiter(text), strict=False)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise csvio.CsvError(_("The file cannot be read as CSV: %(error)s") % {"error": exc}) from None
    fmt, position, columns, extras = detect(records)
    parsed = Parsed(fmt.name, encoding)
    context = {"currency": extras.get("cost", currency) if extras.get("cost") in CURRENCIES else currency}
    data_rows = [
        (number, cells)
        for number, cells in enumerate(records[position + 1 :], start=position + 2)
        if any(c.strip() for c in cells)
    ]
    if len(data_rows) > csvio.MAX_ROWS:
        raise csvio.TooLarge(_("The file has more than %(limit)d rows.") % {"limit": csvio.MAX_ROWS})
    for number, cells in data_rows:
        values = {name: cells[index] if index < len(cells) else "" for index, name in columns.items()}
        outcome = fmt.parse(Cells(number, values, parsed.errors), context)
        if outcome == "skipped":
            parsed.skipped += 1
        elif outcome is not None:
            parsed.lines.append(outcome)
    return parsed
