"""The reports of ``SqlEventStore``: each answer from the site's per-day rollups when they can give
it (``rollup_queries``), else from the rows (``queries``) through the columnar read side or the
database itself."""

from __future__ import annotations

from collections.abc import Sequence

from netmark.analytics.stores import queries, rollup_queries
from netmark.analytics.stores.base import Goal, Query, StoreUnavailable, Totals

CHUNK = 500


class SqlReports:
    """Mixed into ``SqlEventStore``: needs its ``columnar``, ``db``, ``errors``, ``_connection``
    and ``_fetch``."""

    def _read(self, query: Query, statement: str, params: Sequence) -> list:
        """Report SQL: through the columnar read side when there is one, else the database."""
        if self.columnar is None:
            return self._fetch("events", statement, params)
        try:
            self._connection("events")
            return self.columnar.fetch(query.site_id, statement, params)
        except self.errors as error:
            self.db.close()
            raise StoreUnavailable(str(error)) from error

    def _rolled(self, query: Query, group: str, limit: int = 0, goal: str = "") -> list | None:
        """The answer from the site's per-day rollups, or ``None`` when they cannot give it."""
        if self.columnar is None or rollup_queries.rollup_filter(query, group) is False:
            return None
        if group == "path":
            build = lambda plan: rollup_queries.rollup_pages(query, plan, limit)  # noqa: E731
        elif group == "name":
            build = lambda plan: rollup_queries.rollup_events(query, plan, limit)  # noqa: E731
        elif group == "goal":
            build = lambda plan: rollup_queries.rollup_goal(query, plan, goal)  # noqa: E731
        elif group == "page_goal":
            build = lambda plan: rollup_queries.rollup_page_goal(query, plan, goal)  # noqa: E731
        elif group == "visitless":
            build = lambda plan: rollup_queries.rollup_visitless(query, plan)  # noqa: E731
        else:
            build = lambda plan: rollup_queries.rollup_visits(query, plan, group, limit)  # noqa: E731
        try:
            self._connection("events")
            return self.columnar.fetch_rolled(query, build)
        except self.errors as error:
            self.db.close()
            raise StoreUnavailable(str(error)) from error

    def totals(self, query: Query) -> Totals:
        rolled = self._rolled(query, "total")
        if rolled is not None:
            totals = _totals(rolled[0][1:]) if rolled else Totals()
        else:
            statement, params = queries.totals(query)
            totals = _totals(self._read(query, statement, params)[0])
        if not queries.has_visit_filters(query):
            rolled = self._rolled(query, "visitless")
            if rolled is None:
                statement, params = queries.visitless_revenue(query)
                rolled = self._read(query, statement, params)
            revenue, count = rolled[0]
            totals.revenue_micros += int(revenue)
            totals.events += int(count)
        return totals

    def timeseries(self, query: Query, interval: str) -> list[tuple[str, Totals]]:
        # Whole divisions written so that every engine answers an integer (DuckDB's ``/`` is real).
        if interval == "day":
            rolled = self._rolled(query, "day")
            if rolled is not None:
                return [(_bucket_label("day", row[0]), _totals(row[1:])) for row in rolled]
            bucket = "v.day"
        elif interval == "month":
            bucket = "((v.day - v.day % 100) / 100)"
        elif interval == "hour":
            local = f"(v.start_ts + {_utc_offset_ms(query.tz, query.start_ms)})"
            bucket = f"(({local} - {local} % 3600000) / 3600000)"
        else:
            raise queries.UnknownDimension(f"unknown interval {interval!r}")
        statement, params = queries.timeseries(query, bucket)
        return [
            (_bucket_label(interval, row[0]), _totals(row[1:]))
            for row in self._read(query, statement, params)
        ]

    def breakdown(self, query: Query, dimension: str, limit: int = 10) -> list[tuple[str, Totals]]:
        rolled = None
        if dimension in ("path", "name") or dimension in queries.VISIT_DIMENSIONS:
            rolled = self._rolled(query, dimension, limit)
        if rolled is not None and dimension in ("path", "name"):
            return [
                (value, _event_totals(dimension, visitors, count, revenue))
                for value, visitors, count, revenue in rolled
            ]
        if rolled is not None:
            return [(row[0], _totals(row[1:])) for row in rolled]
        if dimension in ("path", "name"):
            statement, params = queries.event_breakdown(query, dimension, limit)
            return [
                (value, _event_totals(dimension, visitors, count, revenue))
                for value, visitors, count, revenue in self._read(query, statement, params)
            ]
        statement, params = queries.visit_breakdown(query, dimension, limit)
        return [(row[0], _totals(row[1:])) for row in self._read(query, statement, params)]

    def goal_conversions(self, query: Query, goal: Goal) -> tuple[int, int, int]:
        if goal.kind in ("event", "page"):
            rolled = self._rolled(query, "goal" if goal.kind == "event" else "page_goal", goal=goal.match)
            if rolled is not None:
                _, visitors, conversions, revenue = rolled[0] if rolled else (None, 0, 0, 0)
                return int(visitors), int(conversions), int(revenue)
        statement, params = queries.goal_conversions(query, goal)
        visitors, conversions, revenue = self._read(query, statement, params)[0]
        return int(visitors), int(conversions), int(revenue)

    def funnel(self, query: Query, steps: Sequence[Goal], window_ms: int) -> list[int]:
        if not steps:
            return []
        statement, params = queries.funnel(query, steps, window_ms)
        return [int(count) for count in self._read(query, statement, params)[0]]

    def touches(self, query: Query, dimension: str = "channel") -> list[tuple]:
        statement, params = queries.touches(query, dimension)
        return self._read(query, statement, params)

    def conversion_events(
        self, query: Query, goals: Sequence[Goal]
    ) -> list[tuple[int, int | None, int, int]]:
        if not goals:
            return []
        statement, params = queries.conversion_events(query, goals)
        return self._read(query, statement, params)

    def realtime_visitors(self, workspace_id: int, site_id: int, now_ms: int) -> int:
        statement, params = queries.realtime(workspace_id, site_id, now_ms - 5 * 60 * 1000)
        return int(self._fetch("events", statement, params)[0][0])

    def link_clicks(
        self, workspace_id: int, link_ids: Sequence[int], start_ms: int, end_ms: int
    ) -> dict[int, dict[str, int]]:
        result: dict[int, dict[str, int]] = {}
        ids = list(link_ids)
        for start in range(0, len(ids), CHUNK):
            statement, params = queries.link_clicks(
                workspace_id, ids[start : start + CHUNK], start_ms, end_ms
            )
            for link_id, raw, unique, bots in self._fetch("events", statement, params):
                result[int(link_id)] = {"raw": int(raw), "unique": int(unique), "bots": int(bots)}
        return result


def _event_totals(dimension: str, visitors, count, revenue) -> Totals:
    """A row of top pages (``path``: pageviews) or of custom events (``name``: events)."""
    counted = {"pageviews": int(count)} if dimension == "path" else {"events": int(count)}
    return Totals(visitors=int(visitors), revenue_micros=int(revenue), **counted)


def _totals(row: Sequence) -> Totals:
    visitors, visits, pageviews, bounces, duration, revenue, events = (int(value or 0) for value in row)
    return Totals(visitors, visits, pageviews, bounces, duration, revenue, events)


def _bucket_label(interval: str, value) -> str:
    value = int(value)
    if interval == "day":
        return f"{value // 10000:04d}-{value // 100 % 100:02d}-{value % 100:02d}"
    if interval == "month":
        return f"{value // 100:04d}-{value % 100:02d}"
    from datetime import UTC, datetime

    return datetime.fromtimestamp(value * 3600, tz=UTC).strftime("%Y-%m-%dT%H:00")


def _utc_offset_ms(tz: str, at_ms: int) -> int:
    from datetime import UTC, datetime

    from netmark.analytics.stores.sessions import _zone

    moment = datetime.fromtimestamp(at_ms / 1000, tz=UTC).astimezone(_zone(tz))
    offset = moment.utcoffset()
    return int(offset.total_seconds() * 1000) if offset else 0
