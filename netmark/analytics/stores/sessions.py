"""Visits from events: the definitions of docs/analytics.md, in one pure function.

- A visit is a run of one visitor's events on one site with no gap over 30 minutes.
- Its id is the uid of its first event; its day is the local day (site time zone) of its start.
- Entry page: its earliest pageview; exit page: its latest. Duration: last event - first event.
- Bounce: exactly one pageview and no custom event (computed by queries: pageviews = 1, events = 0).
- A visit that spans a salt rotation continues: an event matches an open visit under its visitor id
  or under its id of the previous salt, and takes the visit's visitor id.
- A server-side conversion joins the visitor's open visit; it never opens a visit of its own.
- Clicks (short links, QR) have no site and no visit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from netmark.analytics.stores.base import CLICK, CONVERSION, CUSTOM, PAGEVIEW, Event
from netmark.analytics.stores.schema import EVENT_COLUMNS, VISIT_COLUMNS

VISIT_TIMEOUT_MS = 30 * 60 * 1000
DIMENSION_FIELDS = VISIT_COLUMNS[11:]  # the text columns, in table order
_COPIED = tuple(name for name in DIMENSION_FIELDS if name not in ("entry_path", "exit_path"))


@dataclass(slots=True)
class Visit:
    id: int
    workspace_id: int
    site_id: int
    visitor: int
    contact_id: int | None
    start_ts: int
    end_ts: int
    day: int
    pageviews: int = 0
    events: int = 0
    revenue: int = 0
    dims: dict[str, str] = field(default_factory=dict)
    first_page_ts: int | None = None
    stored: bool = False  # read back from the store (not opened by this batch)
    last_page_ts: int | None = None

    @classmethod
    def from_row(cls, row) -> Visit:
        values = dict(zip(VISIT_COLUMNS, row, strict=True))
        dims = {name: values[name] for name in DIMENSION_FIELDS}
        return cls(
            id=values["id"],
            workspace_id=values["workspace_id"],
            site_id=values["site_id"],
            visitor=values["visitor"],
            contact_id=values["contact_id"],
            start_ts=values["start_ts"],
            end_ts=values["end_ts"],
            day=values["day"],
            pageviews=values["pageviews"],
            events=values["events"],
            revenue=values["revenue"],
            dims=dims,
            # Stored visits do not keep the times of their entry and exit pageviews: the visit's
            # bounds stand in for them, which is exact unless events arrive out of order.
            first_page_ts=values["start_ts"] if values["pageviews"] else None,
            last_page_ts=values["end_ts"] if values["pageviews"] else None,
            stored=True,
        )

    def row(self) -> tuple:
        head = (
            self.id,
            self.workspace_id,
            self.site_id,
            self.visitor,
            self.contact_id,
            self.start_ts,
            self.end_ts,
            self.day,
            self.pageviews,
            self.events,
            self.revenue,
        )
        return head + tuple(self.dims.get(name, "") for name in DIMENSION_FIELDS)

    def covers(self, ts: int) -> bool:
        return self.start_ts - VISIT_TIMEOUT_MS <= ts <= self.end_ts + VISIT_TIMEOUT_MS


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def local_day(ts_ms: int, tz: str) -> int:
    """The local date of ``ts_ms`` in ``tz`` as an integer yyyymmdd."""
    moment = datetime.fromtimestamp(ts_ms / 1000, tz=UTC).astimezone(_zone(tz))
    return moment.year * 10000 + moment.month * 100 + moment.day


def _new_visit(event: Event) -> Visit:
    dims = {name: getattr(event, name) for name in _COPIED}
    dims["entry_path"] = dims["exit_path"] = ""
    return Visit(
        id=event.uid,
        workspace_id=event.workspace_id,
        site_id=event.site_id,
        visitor=event.visitor,
        contact_id=event.contact_id,
        start_ts=event.ts,
        end_ts=event.ts,
        day=local_day(event.ts, event.tz),
        dims=dims,
    )


def _extend(visit: Visit, event: Event) -> None:
    if event.ts < visit.start_ts:
        visit.start_ts = event.ts
        visit.day = local_day(event.ts, event.tz)
    visit.end_ts = max(visit.end_ts, event.ts)
    if event.contact_id and not visit.contact_id:
        visit.contact_id = event.contact_id
    if event.kind == PAGEVIEW:
        visit.pageviews += 1
        if visit.first_page_ts is None or event.ts < visit.first_page_ts:
            visit.first_page_ts = event.ts
            visit.dims["entry_path"] = event.path
        if visit.last_page_ts is None or event.ts >= visit.last_page_ts:
            visit.last_page_ts = event.ts
            visit.dims["exit_path"] = event.path
    elif event.kind in (CUSTOM, CONVERSION):
        visit.events += 1
    if event.revenue_micros:
        visit.revenue += event.revenue_micros


def _event_row(event: Event, visit: Visit | None) -> tuple:
    props = json.dumps(event.props, ensure_ascii=False, separators=(",", ":")) if event.props else None
    values = {
        "uid": event.uid,
        "workspace_id": event.workspace_id,
        "site_id": event.site_id,
        "ts": event.ts,
        "day": visit.day if visit is not None else local_day(event.ts, event.tz),
        "visit_id": visit.id if visit is not None else None,
        "visitor": visit.visitor if visit is not None else event.visitor,
        "contact_id": event.contact_id,
        "kind": event.kind,
        "name": event.name,
        "path": event.path,
        "revenue": event.revenue_micros,
        "currency": event.currency,
        "props": props,
        "link_id": event.link_id,
        "is_bot": 1 if event.is_bot else 0,
        "user_agent": event.user_agent if event.kind == CLICK else "",
    }
    return tuple(values[name] for name in EVENT_COLUMNS)


def sessionize(
    events: list[Event], open_visits: dict[tuple[int, int], Visit]
) -> tuple[dict[int, Visit], list]:
    """Assign ``events`` to visits. ``open_visits`` maps (site, visitor) to the visitor's latest
    known visit and is updated in place. Returns the visits that changed (by id) and event rows."""
    touched: dict[int, Visit] = {}
    rows = []
    for event in sorted(events, key=lambda item: (item.ts, item.uid)):
        if event.kind == CLICK or not event.site_id:
            rows.append(_event_row(event, None))
            continue
        visit = None
        for visitor in (event.visitor, event.previous_visitor):
            candidate = open_visits.get((event.site_id, visitor)) if visitor else None
            if candidate is not None and candidate.covers(event.ts):
                visit = candidate
                break
        if visit is None:
            if event.kind == CONVERSION:
                rows.append(_event_row(event, None))
                continue
            visit = _new_visit(event)
        _extend(visit, event)
        open_visits[(event.site_id, visit.visitor)] = visit
        open_visits[(event.site_id, event.visitor)] = visit
        touched[visit.id] = visit
        rows.append(_event_row(event, visit))
    return touched, rows
