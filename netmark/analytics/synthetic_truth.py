"""The true metrics of synthetic traffic (``synthetic.py``), computed from the generator's labels.

Plain Python over the hits, grouped by the visit each hit was generated in: never netmark's
sessionization or store, so that comparing the two tests netmark. The definitions are those of
docs/analytics.md as the store answers them:

- Visit metrics count the visits that START in ``[start_ms, end_ms)``: visits, pageviews, bounces
  (exactly one pageview and no custom event), duration (last hit - first hit), custom events, revenue.
- A visitor is a person on the UTC day their visit started (the daily salt makes the same person a
  new visitor every day; a visit across midnight keeps the visitor of its start).
- Goals count the events that HAPPEN in the range, each under the visitor of its visit; a funnel
  counts the visitors whose first step-1 event in the range is followed by each later step, each
  strictly after the previous one, all within ``funnel_window_ms`` of that first step-1 event.
- Bots never count.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from netmark.analytics.stores.base import MICROS, Totals

DAY_MS = 86_400_000
IDLE_MS = 3_600_000  # a streamed visit idle this long is over (the generator's gaps stay under 10 min)
DEFAULT_GOALS = (
    ("event", "Purchase"),
    ("page", "/checkout/success*"),
    ("event", "Add to cart"),
    ("event", "Signup"),
)
DEFAULT_FUNNEL = (("page", "/products/*"), ("event", "Add to cart"), ("event", "Purchase"))
DIMENSIONS = ("utm_source", "utm_campaign", "entry_path", "device", "day")


@dataclass(slots=True)
class Row:
    visits: int = 0
    visitors: int = 0
    pageviews: int = 0
    bounces: int = 0


@dataclass(slots=True)
class Truth:
    visitors: int = 0
    visits: int = 0
    pageviews: int = 0
    bounces: int = 0
    duration_ms: int = 0
    custom_events: int = 0
    revenue_micros: int = 0
    # (kind, match) -> (converting visitors, conversions, revenue in micro-CNY)
    goals: dict[tuple[str, str], tuple[int, int, int]] = field(default_factory=dict)
    funnel: list[int] = field(default_factory=list)
    by_utm_source: dict[str, Row] = field(default_factory=dict)
    by_utm_campaign: dict[str, Row] = field(default_factory=dict)
    by_entry_path: dict[str, Row] = field(default_factory=dict)
    by_device_hint: dict[str, Row] = field(default_factory=dict)
    by_day: dict[str, Row] = field(default_factory=dict)  # local day (``tz``) of the visit's start
    human_hits: int = 0
    bot_hits: int = 0

    def totals(self) -> Totals:
        """The figures as the store's ``totals`` reports them."""
        return Totals(self.visitors, self.visits, self.pageviews, self.bounces, self.duration_ms,
                      self.revenue_micros, self.custom_events)  # fmt: skip


@dataclass(slots=True)
class _Visit:
    person: int
    day: int  # UTC day number of the first hit: with the person, the visitor
    first: int
    last: int
    device: str
    utm_source: str
    utm_campaign: str
    entry: str | None = None
    pageviews: int = 0
    events: int = 0
    revenue: int = 0


def url_path(url: str) -> str:
    """The path of a page URL (no query, no fragment)."""
    start = url.find("/", url.find("//") + 2) if "//" in url else 0
    if start < 0:
        return "/"
    end = len(url)
    for mark in "?#":
        found = url.find(mark, start)
        if found >= 0:
            end = min(end, found)
    return url[start:end] or "/"


def _utm(url: str) -> dict[str, str]:
    query = url.split("?", 1)[1].split("#", 1)[0] if "?" in url else ""
    return {
        key.lower(): value.strip().lower()
        for key, value in parse_qsl(query)
        if key.lower().startswith("utm_")
    }


def _micros(revenue) -> int:
    if not revenue:
        return 0
    return int(Decimal(str(revenue["amount"])) * MICROS)


def _matcher(goal) -> tuple[str, str | re.Pattern]:
    kind, match = (goal.kind, goal.match) if hasattr(goal, "kind") else goal
    if kind == "page":
        return kind, re.compile(
            "".join(".*" if part == "*" else re.escape(part) for part in re.split(r"(\*)", match))
        )
    return kind, match


def _matches(matcher, name: str, path: str | None) -> bool:
    kind, value = matcher
    if kind == "event":
        return name == value and name != "pageview"
    return name == "pageview" and value.fullmatch(path) is not None


class _Distinct:
    """Distinct persons per (name, UTC day); a day's sets are counted and dropped once it is over."""

    def __init__(self):
        self.sets: dict[tuple, set[int]] = {}
        self.counts: Counter = Counter()

    def add(self, name, day: int, person: int) -> None:
        self.sets.setdefault((name, day), set()).add(person)

    def flush(self, before_day: int | None = None) -> None:
        for key in [key for key in self.sets if before_day is None or key[1] < before_day]:
            self.counts[key[0]] += len(self.sets.pop(key))


class _Tally:
    def __init__(self, start_ms, end_ms, goals, funnel, window_ms, tz, streaming):
        self.start_ms, self.end_ms, self.window_ms = start_ms, end_ms, window_ms
        self.goal_keys = [(goal.kind, goal.match) if hasattr(goal, "kind") else tuple(goal) for goal in goals]
        self.goals = [_matcher(goal) for goal in goals]
        self.steps = [_matcher(step) for step in funnel]
        # Hits that can match no goal nor step skip both (most of them).
        self.names = {value for kind, value in self.goals + self.steps if kind == "event"}
        self.pages = any(kind == "page" for kind, _ in self.goals + self.steps)
        self.zone = ZoneInfo(tz)
        self.days: dict[int, str] = {}
        self.streaming = streaming
        self.open: dict[int, _Visit] = {}
        self.distinct = _Distinct()
        self.result = Truth()
        self.rows: dict[str, dict[str, Row]] = {dimension: {} for dimension in DIMENSIONS}
        self.goal_sums = [[0, 0] for _ in self.goals]
        self.funnel_state: dict[tuple[int, int], list[int]] = {}  # visitor -> [first, last, steps reached]
        self.funnel_reached: Counter = Counter()
        self.clock = -1
        self.bucket = -1

    def add(self, hit) -> None:
        if hit.is_bot:
            self.result.bot_hits += 1
            return
        self.result.human_hits += 1
        ts = hit.ts_ms
        if self.streaming:
            self._advance(ts)
        visit = self.open.get(hit.visit)
        if visit is None:
            utm = _utm(hit.body.get("url", ""))
            visit = _Visit(hit.person, ts // DAY_MS, ts, ts, hit.device, utm.get("utm_source", ""),
                           utm.get("utm_campaign", ""))  # fmt: skip
            self.open[hit.visit] = visit
        name = hit.body.get("name", "")
        path = url_path(hit.body.get("url", "")) if name == "pageview" else None
        if path is not None:
            visit.pageviews += 1
            if visit.entry is None:
                visit.entry = path
        else:
            visit.events += 1
        visit.last = max(visit.last, ts)
        revenue = _micros(hit.body.get("revenue"))
        visit.revenue += revenue
        if self.pages if path is not None else name in self.names:
            self._goals(name, path, ts, (hit.person, visit.day), revenue)
            if self.steps:
                self._funnel(name, path, ts, (hit.person, visit.day))

    def _goals(self, name, path, ts, visitor, revenue) -> None:
        if not self.start_ms <= ts < self.end_ms:
            return
        for index, matcher in enumerate(self.goals):
            if _matches(matcher, name, path):
                sums = self.goal_sums[index]
                sums[0] += 1
                sums[1] += revenue
                self.distinct.add(("goal", index), visitor[1], visitor[0])

    def _funnel(self, name, path, ts, visitor) -> None:
        state = self.funnel_state.get(visitor)
        if state is None:
            if self.start_ms <= ts < self.end_ms and _matches(self.steps[0], name, path):
                self.funnel_state[visitor] = [ts, ts, 1]
            return
        first, last, reached = state
        step = self.steps[reached] if reached < len(self.steps) else None
        if step is not None and last < ts <= first + self.window_ms and _matches(step, name, path):
            state[1], state[2] = ts, reached + 1

    def _advance(self, ts: int) -> None:
        if ts < self.clock:
            raise ValueError("streamed hits must come in time order")
        self.clock = ts
        bucket = ts // 600_000
        if bucket == self.bucket:
            return
        if ts // DAY_MS != self.bucket * 600_000 // DAY_MS:
            self.distinct.flush(ts // DAY_MS - 1)
            self._flush_funnel(ts)
        self.bucket = bucket
        for number in [number for number, visit in self.open.items() if visit.last < ts - IDLE_MS]:
            self._close(self.open.pop(number))

    def _flush_funnel(self, now: int | None) -> None:
        for visitor in [
            key for key, state in self.funnel_state.items() if now is None or state[0] + self.window_ms < now
        ]:
            self.funnel_reached[self.funnel_state.pop(visitor)[2]] += 1

    def _close(self, visit: _Visit) -> None:
        if not self.start_ms <= visit.first < self.end_ms:
            return
        result = self.result
        bounce = visit.pageviews == 1 and visit.events == 0
        result.visits += 1
        result.pageviews += visit.pageviews
        result.bounces += bounce
        result.duration_ms += visit.last - visit.first
        result.custom_events += visit.events
        result.revenue_micros += visit.revenue
        self.distinct.add("visitors", visit.day, visit.person)
        local_day = self._local_day(visit.first)
        values = (visit.utm_source, visit.utm_campaign, visit.entry or "", visit.device, local_day)
        for dimension, value in zip(DIMENSIONS, values, strict=True):
            row = self.rows[dimension].get(value)
            if row is None:
                row = self.rows[dimension][value] = Row()
            row.visits += 1
            row.pageviews += visit.pageviews
            row.bounces += bounce
            self.distinct.add((dimension, value), visit.day, visit.person)

    def _local_day(self, ts: int) -> str:
        quarter = ts // 900_000  # every UTC offset in use is a multiple of 15 minutes
        day = self.days.get(quarter)
        if day is None:
            day = self.days[quarter] = datetime.fromtimestamp(quarter * 900, self.zone).date().isoformat()
        return day

    def finish(self) -> Truth:
        for visit in self.open.values():
            self._close(visit)
        self.open.clear()
        self.distinct.flush()
        self._flush_funnel(None)
        result, counts = self.result, self.distinct.counts
        result.visitors = counts["visitors"]
        for index, key in enumerate(self.goal_keys):
            result.goals[key] = (counts[("goal", index)], *self.goal_sums[index])
        result.funnel = [
            sum(total for reached, total in self.funnel_reached.items() if reached > step)
            for step in range(len(self.steps))
        ]
        for dimension, rows in self.rows.items():
            for value, row in rows.items():
                row.visitors = counts[(dimension, value)]
        result.by_utm_source, result.by_utm_campaign = self.rows["utm_source"], self.rows["utm_campaign"]
        result.by_entry_path, result.by_device_hint = self.rows["entry_path"], self.rows["device"]
        result.by_day = self.rows["day"]
        return result


def truth(
    traffic,
    *,
    start_ms: int | None = None,
    end_ms: int | None = None,
    goals: Sequence = DEFAULT_GOALS,
    funnel: Sequence = DEFAULT_FUNNEL,
    funnel_window_ms: int = DAY_MS,
    tz: str = "Asia/Shanghai",
) -> Truth:
    """The true metrics of ``traffic`` for ``[start_ms, end_ms)`` (default: the traffic's days).

    ``traffic`` is a ``Traffic`` (or a list of hits), sorted here; or any iterable of hits in time
    order, e.g. ``iter_hits(...)`` for ten million hits, consumed in bounded memory (visits idle for
    an hour are closed; each UTC day's distinct sets are counted and dropped two days later). Goals
    and funnel steps are ``("event", name)`` / ``("page", "/path*")`` pairs or ``Goal`` values."""
    hits: Iterable = getattr(traffic, "hits", traffic)
    streaming = not isinstance(hits, list)
    if not streaming:
        hits = sorted(hits, key=lambda hit: hit.ts_ms)
    if start_ms is None or end_ms is None:
        if not hasattr(traffic, "start_ms"):
            raise ValueError("give start_ms and end_ms with hits that are not a Traffic")
        start_ms = traffic.start_ms if start_ms is None else start_ms
        end_ms = traffic.end_ms if end_ms is None else end_ms
    tally = _Tally(start_ms, end_ms, goals, funnel, funnel_window_ms, tz, streaming)
    for hit in hits:
        tally.add(hit)
    return tally.finish()
