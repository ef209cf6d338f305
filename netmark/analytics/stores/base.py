"""The ``EventStore`` interface (ARCHITECTURE.md, "Stack" and "Layout").

Everything that happens is an ``Event``: a tracker pageview or custom event, a short-link click, a
server-side conversion, later email engagement and form submissions. Ingestion appends events to
the store's inbox (durable once ``append`` returns); ``process`` turns the inbox into visits and
per-visit rows; reports read through the query methods. Nothing outside ``analytics/stores/``
knows which backend answers, and one contract suite (``tests/test_store_contract.py``) runs
against every backend.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

# Event kinds. A "pageview" and an "event" (custom) come from a site's tracker or the Plausible /
# Umami endpoints; a "click" is a short-link click or QR scan (no site); a "conversion" is sent by a
# back end through the server-side API (it may carry revenue and a contact).
PAGEVIEW, CUSTOM, CLICK, CONVERSION = "pageview", "event", "click", "conversion"
KINDS = (PAGEVIEW, CUSTOM, CLICK, CONVERSION)

# Money is stored as integer micro-units of the event's currency (no float drift in sums).
MICROS = 1_000_000


class StoreUnavailable(Exception):
    """The store cannot take or answer a request now (locked, disk full, server down)."""


@dataclass(slots=True)
class Event:
    """One event as ingestion hands it to the store. Text fields are already bounded and cleaned.

    ``uid`` is a 63-bit id chosen at ingestion (random, or derived from a client's idempotency
    key): appending the same uid twice stores it once. ``visitor`` is the keyed hash of
    ``analytics.identity``; ``previous_visitor`` the same hash under the previous salt, so a visit
    that spans a salt rotation continues. ``site_id`` is 0 for events without a site (clicks).
    """

    uid: int
    workspace_id: int
    site_id: int
    ts: int  # milliseconds since the epoch, UTC
    kind: str
    name: str
    visitor: int
    previous_visitor: int = 0
    contact_id: int | None = None
    hostname: str = ""
    path: str = ""
    referrer: str = ""
    referrer_host: str = ""
    channel: str = "direct"
    source: str = ""
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    utm_content: str = ""
    utm_term: str = ""
    device: str = ""
    browser: str = ""
    os: str = ""
    screen: str = ""
    language: str = ""
    country: str = ""
    revenue_micros: int | None = None
    currency: str = ""
    props: dict[str, str] = field(default_factory=dict)
    link_id: int | None = None
    is_bot: bool = False
    user_agent: str = ""
    tz: str = "UTC"  # the site's (or workspace's) time zone: days and hours are local to it

    def to_json(self) -> str:
        # Not dataclasses.asdict: its deep copy was 40 % of an ingestion request.
        data = {name: getattr(self, name) for name in _EVENT_FIELDS}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Event:
        return cls(**json.loads(text))


_EVENT_FIELDS = tuple(item.name for item in dataclasses.fields(Event))

# Dimensions a report can break down or filter by. Visit dimensions are fixed at a visit's first
# event; page dimensions belong to each pageview.
VISIT_DIMENSIONS = (
    "entry_path",
    "exit_path",
    "referrer_host",
    "channel",
    "source",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "device",
    "browser",
    "os",
    "screen",
    "language",
    "country",
    "hostname",
)
EVENT_DIMENSIONS = ("path", "name")
DIMENSIONS = VISIT_DIMENSIONS + EVENT_DIMENSIONS


@dataclass(frozen=True, slots=True)
class Filter:
    """``dimension`` equals (``op="is"``), differs from (``"is_not"``) or contains (``"contains"``)
    ``value``. Filters on page dimensions keep the visits that have a matching event."""

    dimension: str
    value: str
    op: str = "is"


@dataclass(frozen=True, slots=True)
class Query:
    """Which events a report covers: one site (or a workspace's events without a site), the UTC
    range ``[start_ms, end_ms)``, the time zone days are grouped in, and the filters (AND)."""

    workspace_id: int
    site_id: int
    start_ms: int
    end_ms: int
    tz: str = "UTC"
    filters: tuple[Filter, ...] = ()


@dataclass(frozen=True, slots=True)
class Goal:
    """A conversion: a custom event by name, or a pageview whose path matches a pattern
    (``*`` matches any characters within the path, ``**`` is not special)."""

    kind: str  # "event" or "page"
    match: str


@dataclass(frozen=True, slots=True)
class Behaviour:
    """What a contact did, for behavioural segments: ``kind`` ``"page"`` (pageviews whose path
    matches the pattern ``match``, ``*`` = any characters), ``"event"`` (custom events or
    conversions named ``match``) or ``"form"`` (``form_submitted`` events whose ``form_id`` prop is
    ``match``), at least ``min_count`` times. Bots never count."""

    kind: str
    match: str
    min_count: int = 1


@dataclass(slots=True)
class Totals:
    visitors: int = 0
    visits: int = 0
    pageviews: int = 0
    bounces: int = 0
    duration_ms: int = 0
    revenue_micros: int = 0
    events: int = 0

    @property
    def bounce_rate(self) -> float:
        return self.bounces / self.visits if self.visits else 0.0

    @property
    def views_per_visit(self) -> float:
        return self.pageviews / self.visits if self.visits else 0.0

    @property
    def mean_duration_s(self) -> float:
        return self.duration_ms / self.visits / 1000 if self.visits else 0.0


class EventStore(Protocol):
    """What every backend provides. Methods raise ``StoreUnavailable`` when the backend is down."""

    def append(self, events: Sequence[Event]) -> int:
        """Make events durable (idempotent by uid); returns how many were new to the inbox."""

    def process(self, limit: int = 5000) -> int:
        """Move up to ``limit`` inbox events into visits and events; returns how many it moved."""

    def pending(self) -> int:
        """Events appended but not processed yet."""

    def totals(self, query: Query) -> Totals: ...

    def timeseries(self, query: Query, interval: str) -> list[tuple[str, Totals]]: ...

    def breakdown(self, query: Query, dimension: str, limit: int = 10) -> list[tuple[str, Totals]]: ...

    def goal_conversions(self, query: Query, goal: Goal) -> tuple[int, int, int]:
        """(converting visitors, conversions (events), revenue in micro-units)."""

    def funnel(self, query: Query, steps: Sequence[Goal], window_ms: int) -> list[int]:
        """Visitors reaching each step in order, each step within ``window_ms`` of the first."""

    def touches(self, query: Query, dimension: str = "channel") -> list[tuple]:
        """The visits starting in the range, oldest first, as (visitor, contact id, start ms, the
        visit's ``dimension``): the touches of conversion paths (attribution). Filters are ignored."""

    def conversion_events(
        self, query: Query, goals: Sequence[Goal]
    ) -> list[tuple[int, int | None, int, int]]:
        """Events in the range reaching any goal, oldest first, as (visitor, contact id, ms, revenue)."""

    def realtime_visitors(self, workspace_id: int, site_id: int, now_ms: int) -> int: ...

    def link_clicks(
        self, workspace_id: int, link_ids: Sequence[int], start_ms: int, end_ms: int
    ) -> dict[int, dict[str, int]]:
        """Per link: ``raw`` clicks, ``unique`` (distinct visitors, bots excluded) and ``bots``."""

    def delete_site(self, workspace_id: int, site_id: int) -> int: ...

    def contacts_with(
        self,
        workspace_id: int,
        behaviour: Behaviour,
        since_ms: int,
        identities: Mapping[tuple[int, int], int] | None = None,
    ) -> set[int]:
        """Contact ids whose events since ``since_ms`` match ``behaviour`` at least ``min_count``
        times. Events count for the contact they carry, or, without one, for the contact that
        ``identities`` maps their ``(site id, visitor)`` to (the caller's Identity rows: the store
        never reads the records database)."""

    def forget_contact(self, workspace_id: int, contact_id: int) -> int:
        """Erasure: events and visits of this contact lose their contact id; returns events changed."""


def tally_contacts(rows, identities: Mapping[tuple[int, int], int] | None, min_count: int) -> set[int]:
    """Sums ``(contact id, site id, visitor, count)`` rows per contact and keeps those reaching
    ``min_count`` (shared by the backends of ``contacts_with``)."""
    counts: dict[int, int] = {}
    for contact_id, site_id, visitor, count in rows:
        if contact_id is None and identities:
            contact_id = identities.get((int(site_id), int(visitor)))
        if contact_id is not None:
            counts[int(contact_id)] = counts.get(int(contact_id), 0) + int(count)
    return {contact_id for contact_id, count in counts.items() if count >= min_count}


def as_dict(totals: Totals) -> dict[str, Any]:
    data = dataclasses.asdict(totals)
    data.update(
        bounce_rate=round(totals.bounce_rate, 4),
        views_per_visit=round(totals.views_per_visit, 2),
        mean_duration_s=round(totals.mean_duration_s, 1),
    )
    return data
