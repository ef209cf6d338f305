"""CSV export and import of tracked links (``netmark/core/csvio.py``: UTF-8, UTF-8 BOM, GBK in).

Export: one row per link with its short URL, tagged URL and click counts; headers in English or
Chinese. Import creates links from rows naming a promotion (name or id), a channel account (name,
id or channel type code), a destination and optional label, UTM values and ``active``. A row whose
``code`` is a link of the workspace updates that link instead (its non-empty cells), so an export
can be edited and imported again; its promotion and channel cannot change. Read-only columns of an
export (short URL, clicks, ...) are accepted and ignored. All or nothing, errors row by row.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from netmark.core import csvio
from netmark.core.errors import NetmarkError
from netmark.core.roles import Capability, require
from netmark.links import clicks, services, utm
from netmark.links.models import Link

# canonical name, Chinese header, further accepted headers
COLUMNS = [
    ("code", "短码", ["short code"]),
    ("plan", "推广计划", ["promotion", "plan_id", "plan id", "计划"]),
    ("channel", "渠道", ["channel account", "channel_account_id", "渠道账号"]),
    ("name", "名称", ["label", "标签"]),
    ("destination", "目标网址", ["url", "落地页"]),
    ("utm_source", "来源", ["source"]),
    ("utm_medium", "媒介", ["medium"]),
    ("utm_campaign", "活动", ["campaign"]),
    ("utm_content", "内容", ["content"]),
    ("utm_term", "关键词", ["term"]),
    ("active", "启用", ["is_active"]),
]
READ_ONLY = [
    ("short_url", "短链接", ["short link"]),
    ("tagged_url", "带参数网址", ["tagged url"]),
    ("clicks", "点击", ["raw clicks"]),
    ("unique_clicks", "独立点击", ["unique clicks"]),
    ("bot_clicks", "机器人点击", ["bot clicks"]),
    ("created_at", "创建时间", ["created at"]),
]
ALIASES = csvio.aliases(COLUMNS + READ_ONLY)
ERROR_COLUMNS = {"plan_id": "plan", "channel_account_id": "channel", "is_active": "active"}
COUNT_BATCH = 500


# Export


def export_links(workspace, *, plan_id: int | None = None, chinese_headers: bool = False) -> bytes:
    links = list(services.list_links(workspace, plan_id=plan_id).order_by("pk"))
    counts = {}
    for start in range(0, len(links), COUNT_BATCH):
        batch = [link.pk for link in links[start : start + COUNT_BATCH]]
        counts.update(clicks.click_counts(workspace.pk, batch))
    headers = csvio.header_row(COLUMNS + READ_ONLY, chinese=chinese_headers)
    return csvio.write_rows(headers, (_row(link, counts[link.pk]) for link in links))


def _row(link: Link, count: dict) -> list:
    return [
        link.code,
        link.plan.name,
        link.channel_account.name,
        link.name,
        link.destination,
        *(getattr(link, name) for name in utm.FIELDS),
        link.is_active,
        services.short_url(link.code),
        link.target_url,
        count["raw"],
        count["unique"],
        count["bots"],
        link.created_at,
    ]


# Import


@dataclass
class Spec:
    row: int
    link: Link | None
    data: dict = field(default_factory=dict)


class Lookups:
    """The workspace's plans, channel accounts and links, found by what a spreadsheet says."""

    def __init__(self, workspace):
        self.plans = list(services.plans_for_links(workspace))
        self.accounts = list(services.channels_for_links(workspace))
        self.links = {link.code: link for link in services.list_links(workspace)}

    @staticmethod
    def find(rows, text: str, names) -> list:
        key = text.removeprefix("#")
        for matches in (
            [row for row in rows if str(row.pk) == key],
            *([row for row in rows if name(row) == text] for name in names),
            *([row for row in rows if name(row).casefold() == text.casefold()] for name in names),
        ):
            if matches:
                return matches
        return []

    def plan(self, text: str) -> list:
        return self.find(self.plans, text, [lambda plan: plan.name])

    def account(self, text: str) -> list:
        return self.find(
            self.accounts, text, [lambda account: account.name, lambda account: account.channel_type.code]
        )


def import_links(member, data: bytes) -> csvio.ImportResult:
    """Creates (or, by code, updates) the links in ``data``; nothing is applied when a row is wrong."""
    require(member, Capability.EXECUTE)
    table = csvio.map_columns(csvio.read_table(data), ALIASES)
    csvio.require_columns(
        table, ["destination"] if "code" in table.headers else ["plan", "channel", "destination"]
    )
    errors: list[csvio.RowError] = []
    lookups = Lookups(member.workspace)
    specs = []
    for row in table.rows:
        known = len(errors)
        spec = _parse(csvio.RowReader(row, errors), lookups)
        if spec is not None and len(errors) == known:
            specs.append(spec)
    specs = _without_repeats(specs, errors)

    def apply(apply_errors: list[csvio.RowError]) -> csvio.ImportResult:
        # Rows that parsed are still tried (and rolled back), so one answer names every problem.
        apply_errors.extend(errors)
        return _apply(member, specs, apply_errors)

    return csvio.all_or_nothing(apply)


def _parse(reader: csvio.RowReader, lookups: Lookups) -> Spec | None:
    values = {
        "destination": reader.text("destination", max_length=utm.MAX_DESTINATION_LENGTH),
        "name": reader.text("name", max_length=services.MAX_NAME_LENGTH),
        **{name: reader.text(name, max_length=utm.MAX_LENGTH) for name in utm.FIELDS},
    }
    if any("\x00" in value for value in values.values()):
        reader.fail("", _("Text may not contain NUL characters."))
        return None
    code = reader.text("code")
    if code:
        return _parse_update(reader, lookups, code, values)
    spec = Spec(reader.row.number, None, {**values, "is_active": reader.boolean("active", default=True)})
    if not values["destination"]:
        reader.fail("destination", _("This cell must not be empty."))
    spec.data["plan_id"] = _one(reader, "plan", lookups.plan, _("No single promotion has this name or id."))
    spec.data["channel_account_id"] = _one(
        reader, "channel", lookups.account, _("No single channel account has this name, id or type.")
    )
    return spec


def _one(reader: csvio.RowReader, column: str, find, message: str) -> int | None:
    text = reader.text(column, required=True)
    if not text:
        return None
    found = find(text)
    if len(found) != 1:
        reader.fail(column, message)
        return None
    return found[0].pk


def _parse_update(reader: csvio.RowReader, lookups: Lookups, code: str, values: dict) -> Spec | None:
    link = lookups.links.get(code)
    if link is None:
        reader.fail("code", _("No link of this workspace has this code; leave it empty to create one."))
        return None
    for column, find, current in (
        ("plan", lookups.plan, link.plan_id),
        ("channel", lookups.account, link.channel_account_id),
    ):
        text = reader.text(column)
        if text and current not in {row.pk for row in find(text)}:
            reader.fail(column, _("A link's promotion and channel cannot change; leave the code empty."))
    data = {key: value for key, value in values.items() if value}
    if reader.text("active"):
        data["is_active"] = reader.boolean("active")
    return Spec(reader.row.number, link, data)


def _without_repeats(specs: list[Spec], errors: list[csvio.RowError]) -> list[Spec]:
    """The specs minus rows that repeat an earlier one (each reported)."""
    seen: dict[tuple, int] = {}
    kept = []
    for spec in specs:
        if spec.link is not None:
            key = ("code", spec.link.code)
        else:
            key = tuple(str(spec.data.get(name, "")).strip().lower() for name in sorted(spec.data))
        if key in seen:
            message = _("This row repeats row %(row)d.") % {"row": seen[key]}
            errors.append(csvio.RowError(spec.row, "", message))
            continue
        seen[key] = spec.row
        kept.append(spec)
    return kept


def _snapshot(link: Link) -> tuple:
    return (link.name, link.destination, link.is_active, link.target_url)


def _apply(member, specs: list[Spec], errors: list[csvio.RowError]) -> csvio.ImportResult:
    result = csvio.ImportResult()
    for spec in specs:
        try:
            if spec.link is None:
                services.create_link(member, **spec.data)
                result.add("created")
            else:
                before = _snapshot(spec.link)
                updated = services.update_link(member, spec.link.pk, **spec.data)
                result.add("unchanged" if _snapshot(updated) == before else "updated")
        except NetmarkError as exc:
            errors.extend(csvio.errors_from(spec.row, exc, ERROR_COLUMNS))
    return result


def chinese_headers_for(language: str | None) -> bool:
    return (language or "").startswith("zh")
