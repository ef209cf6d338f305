"""Report SQL, built in one place (ARCHITECTURE.md: a ClickHouse store can be added without touching
the reports; the rolled-up variants are in ``rollup_queries``). Statements use ``?`` placeholders;
the store converts them for its driver.

Metrics of visits (visitors, visits, pageviews, bounces, duration, revenue) count the visits that
START in the range; page and event breakdowns count the events that HAPPEN in the range. Every
statement is confined to one workspace and one site.
"""

from __future__ import annotations

import json

from netmark.analytics.stores.base import (
    EVENT_DIMENSIONS,
    PAGEVIEW,
    VISIT_DIMENSIONS,
    Behaviour,
    Filter,
    Goal,
    Query,
)

TOTALS = (
    "COUNT(DISTINCT v.visitor), COUNT(*), COALESCE(SUM(v.pageviews), 0),"
    " COALESCE(SUM(CASE WHEN v.pageviews = 1 AND v.events = 0 THEN 1 ELSE 0 END), 0),"
    " COALESCE(SUM(v.end_ts - v.start_ts), 0), COALESCE(SUM(v.revenue), 0), COALESCE(SUM(v.events), 0)"
)


class UnknownDimension(ValueError):
    pass


def like_pattern(value: str) -> str:
    """A LIKE pattern matching ``value`` literally anywhere (``\\`` escapes)."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def glob_to_like(pattern: str) -> str:
    """A goal's path pattern (``*`` = any characters) as a LIKE pattern with ``\\`` escapes."""
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")


def like_clause(column: str, like: str) -> str:
    """``column LIKE ?`` for the pattern ``like``; with the ``\\`` escape only when it escapes
    something (DuckDB matches a LIKE without ESCAPE about twice as fast)."""
    return f"{column} LIKE ? ESCAPE '\\'" if "\\" in like else f"{column} LIKE ?"


def _compare(column: str, flt: Filter) -> tuple[str, list]:
    if flt.op == "is":
        return f"{column} = ?", [flt.value]
    if flt.op == "is_not":
        return f"{column} <> ?", [flt.value]
    if flt.op == "contains":
        return f"{column} LIKE ? ESCAPE '\\'", [like_pattern(flt.value)]
    raise UnknownDimension(f"unknown filter operator {flt.op!r}")


def visit_where(query: Query, alias: str = "v") -> tuple[str, list]:
    """The WHERE clause selecting the visits of ``query`` (range on the visit's start)."""
    clauses = [
        f"{alias}.workspace_id = ?",
        f"{alias}.site_id = ?",
        f"{alias}.start_ts >= ?",
        f"{alias}.start_ts < ?",
    ]
    params: list = [query.workspace_id, query.site_id, query.start_ms, query.end_ms]
    for flt in query.filters:
        if flt.dimension in VISIT_DIMENSIONS:
            clause, values = _compare(f"{alias}.{flt.dimension}", flt)
        elif flt.dimension in EVENT_DIMENSIONS:
            inner, values = _compare(f"e.{flt.dimension}", flt)
            negate = flt.op == "is_not"
            if negate:  # "never visited page X" rather than "visited some page other than X"
                inner, values = _compare(f"e.{flt.dimension}", Filter(flt.dimension, flt.value, "is"))
            clause = (
                f"{alias}.id {'NOT IN' if negate else 'IN'} (SELECT e.visit_id FROM nm_events e"
                f" WHERE e.site_id = ? AND e.ts >= ? AND e.ts < ? AND e.visit_id IS NOT NULL AND {inner})"
            )
            # Events of a visit may run up to its end: look a day past the range for them.
            values = [query.site_id, query.start_ms, query.end_ms + 86_400_000, *values]
        else:
            raise UnknownDimension(f"unknown dimension {flt.dimension!r}")
        clauses.append(clause)
        params.extend(values)
    return " AND ".join(clauses), params


def has_visit_filters(query: Query) -> bool:
    return bool(query.filters)


def totals(query: Query) -> tuple[str, list]:
    where, params = visit_where(query)
    return f"SELECT {TOTALS} FROM nm_visits v WHERE {where}", params


def timeseries(query: Query, bucket_sql: str) -> tuple[str, list]:
    where, params = visit_where(query)
    return (
        f"SELECT {bucket_sql} AS bucket, {TOTALS} FROM nm_visits v WHERE {where}"
        " GROUP BY bucket ORDER BY bucket",
        params,
    )


def visit_breakdown(query: Query, dimension: str, limit: int) -> tuple[str, list]:
    if dimension not in VISIT_DIMENSIONS:
        raise UnknownDimension(f"unknown dimension {dimension!r}")
    where, params = visit_where(query)
    return (
        f"SELECT v.{dimension}, {TOTALS} FROM nm_visits v WHERE {where}"
        f" GROUP BY v.{dimension} ORDER BY COUNT(DISTINCT v.visitor) DESC, COUNT(*) DESC, v.{dimension}"
        " LIMIT ?",
        [*params, limit],
    )


def visits_of_events(query: Query) -> Query:
    """The visits whose filters decide for the events of ``query``: an event's visit may have
    started up to a day before the range (its filters, not its start, decide)."""
    return Query(
        query.workspace_id, query.site_id, query.start_ms - 86_400_000, query.end_ms, query.tz, query.filters
    )


def _event_scope(query: Query) -> tuple[str, list]:
    clauses = ["e.workspace_id = ?", "e.site_id = ?", "e.ts >= ?", "e.ts < ?"]
    params: list = [query.workspace_id, query.site_id, query.start_ms, query.end_ms]
    if has_visit_filters(query):
        where, visit_params = visit_where(visits_of_events(query))
        clauses.append(f"e.visit_id IN (SELECT v.id FROM nm_visits v WHERE {where})")
        params.extend(visit_params)
    return " AND ".join(clauses), params


def event_breakdown(query: Query, dimension: str, limit: int) -> tuple[str, list]:
    """Pages (pageviews by path) or custom events (by name): (value, visitors, count, revenue)."""
    if dimension not in EVENT_DIMENSIONS:
        raise UnknownDimension(f"unknown dimension {dimension!r}")
    where, params = _event_scope(query)
    kind = "e.kind = 'pageview'" if dimension == "path" else "e.kind IN ('event', 'conversion')"
    return (
        f"SELECT e.{dimension}, COUNT(DISTINCT e.visitor), COUNT(*), COALESCE(SUM(e.revenue), 0)"
        f" FROM nm_events e WHERE {where} AND {kind}"
        f" GROUP BY e.{dimension} ORDER BY COUNT(DISTINCT e.visitor) DESC, COUNT(*) DESC, e.{dimension}"
        " LIMIT ?",
        [*params, limit],
    )


def _goal_clause(goal: Goal) -> tuple[str, list]:
    if goal.kind == "event":
        return "e.kind IN ('event', 'conversion') AND e.name = ?", [goal.match]
    if goal.kind == "page":
        like = glob_to_like(goal.match)
        return f"e.kind = '{PAGEVIEW}' AND {like_clause('e.path', like)}", [like]
    if goal.kind == "revenue":  # what a shop calls a conversion: a sale with revenue, or a back end's
        return "(e.kind = 'conversion' OR (e.kind = 'event' AND e.revenue IS NOT NULL))", []
    raise UnknownDimension(f"unknown goal kind {goal.kind!r}")


def goal_conversions(query: Query, goal: Goal) -> tuple[str, list]:
    where, params = _event_scope(query)
    clause, goal_params = _goal_clause(goal)
    return (
        "SELECT COUNT(DISTINCT e.visitor), COUNT(*), COALESCE(SUM(e.revenue), 0)"
        f" FROM nm_events e WHERE {where} AND {clause}",
        [*params, *goal_params],
    )


def funnel(query: Query, steps, window_ms: int) -> tuple[str, list]:
    """Visitors reaching each step. A visitor's first step-1 event in the range opens their window;
    step k is their earliest matching event after step k-1 and within ``window_ms`` of step 1.

    The events that match any step are selected once (the filters applied once), each marked with
    the steps it matches; the steps then join that set. An event of step 1 is in the range, so its
    visit started before the range ends: the later steps' longer scope selects the same visits."""
    scoped = Query(
        query.workspace_id, query.site_id, query.start_ms, query.end_ms + window_ms, query.tz, query.filters
    )
    where, scope_params = _event_scope(scoped)
    clauses = [_goal_clause(goal) for goal in steps]
    marks = ", ".join(f"({clause}) AS m{number}" for number, (clause, _) in enumerate(clauses, start=1))
    matches_any = " OR ".join(f"({clause})" for clause, _ in clauses)
    goal_params = [param for _, params in clauses for param in params]
    ctes = [
        f"ev AS MATERIALIZED (SELECT e.visitor, e.ts, {marks} FROM nm_events e"
        f" WHERE {where} AND ({matches_any}))",
        "s1 AS (SELECT visitor, MIN(ts) AS first_ts, MIN(ts) AS last_ts FROM ev WHERE m1 AND ts < ?"
        " GROUP BY visitor)",
    ]
    params = [*goal_params, *scope_params, *goal_params, query.end_ms]
    for number in range(2, len(steps) + 1):
        ctes.append(
            f"s{number} AS (SELECT p.visitor, p.first_ts, MIN(e.ts) AS last_ts FROM s{number - 1} p"
            f" JOIN ev e ON e.visitor = p.visitor WHERE e.m{number} AND e.ts > p.last_ts"
            " AND e.ts <= p.first_ts + ? GROUP BY p.visitor, p.first_ts)"
        )
        params.append(window_ms)
    counts = ", ".join(f"(SELECT COUNT(*) FROM s{number})" for number in range(1, len(steps) + 1))
    return f"WITH {', '.join(ctes)} SELECT {counts}", params


def realtime(workspace_id: int, site_id: int, since_ms: int) -> tuple[str, list]:
    return (
        "SELECT COUNT(DISTINCT visitor) FROM nm_events"
        " WHERE workspace_id = ? AND site_id = ? AND ts >= ? AND kind <> 'click'",
        [workspace_id, site_id, since_ms],
    )


def link_clicks(workspace_id: int, link_ids: list[int], start_ms: int, end_ms: int) -> tuple[str, list]:
    marks = ", ".join("?" for _ in link_ids)
    return (
        "SELECT link_id, COUNT(*), COUNT(DISTINCT CASE WHEN is_bot = 0 THEN visitor END),"
        " COALESCE(SUM(is_bot), 0) FROM nm_events"
        f" WHERE workspace_id = ? AND kind = 'click' AND link_id IN ({marks}) AND ts >= ? AND ts < ?"
        " GROUP BY link_id",
        [workspace_id, *link_ids, start_ms, end_ms],
    )


def visitless_revenue(query: Query) -> tuple[str, list]:
    """Server-side conversions that joined no visit: they count in unfiltered revenue only."""
    return (
        "SELECT COALESCE(SUM(revenue), 0), COUNT(*) FROM nm_events"
        " WHERE workspace_id = ? AND site_id = ? AND ts >= ? AND ts < ? AND visit_id IS NULL"
        " AND kind = 'conversion'",
        [query.workspace_id, query.site_id, query.start_ms, query.end_ms],
    )


# Dimensions a touch of a conversion path can be labelled by (attribution).
# ``utm`` labels a touch with its source, medium and campaign joined by UTM_SEPARATOR (to map it to
# a promotion); ``channel_content`` with its channel group and utm_content (an email campaign's
# variant is its utm_content, every other touch keeps its channel).
TOUCH_DIMENSIONS = (
    "channel", "source", "referrer_host", "utm_source", "utm_medium", "utm_campaign", "utm",
    "channel_content",
)  # fmt: skip
UTM_SEPARATOR = "\x1f"
UTM_LABEL = f"v.utm_source || '{UTM_SEPARATOR}' || v.utm_medium || '{UTM_SEPARATOR}' || v.utm_campaign"
LABELS = {"utm": UTM_LABEL, "channel_content": f"v.channel || '{UTM_SEPARATOR}' || v.utm_content"}


def touches(query: Query, dimension: str) -> tuple[str, list]:
    """Every visit starting in the range, oldest first: (visitor, contact, start, label). Filters do
    not apply: a path is what the visitor did, and hiding touches would credit the wrong channel."""
    if dimension not in TOUCH_DIMENSIONS:
        raise UnknownDimension(f"unknown touch dimension {dimension!r}")
    label = LABELS.get(dimension, f"v.{dimension}")
    return (
        f"SELECT v.visitor, v.contact_id, v.start_ts, {label} FROM nm_visits v"
        " WHERE v.workspace_id = ? AND v.site_id = ? AND v.start_ts >= ? AND v.start_ts < ?"
        " ORDER BY v.start_ts, v.id",
        [query.workspace_id, query.site_id, query.start_ms, query.end_ms],
    )


def conversion_events(query: Query, goals) -> tuple[str, list]:
    """Events in the range reaching any of ``goals``, oldest first: (visitor, contact, ts, revenue)."""
    clauses, params = [], []
    for goal in goals:
        clause, goal_params = _goal_clause(goal)
        clauses.append(f"({clause})")
        params.extend(goal_params)
    return (
        "SELECT e.visitor, e.contact_id, e.ts, COALESCE(e.revenue, 0) FROM nm_events e"
        " WHERE e.workspace_id = ? AND e.site_id = ? AND e.ts >= ? AND e.ts < ?"
        f" AND ({' OR '.join(clauses)}) ORDER BY e.ts, e.id",
        [query.workspace_id, query.site_id, query.start_ms, query.end_ms, *params],
    )


FORM_SUBMITTED = "form_submitted"  # the event a form submission writes (kind "event", prop form_id)


def _behaviour_clause(behaviour: Behaviour) -> tuple[str, list]:
    if behaviour.kind == "page":
        return f"kind = '{PAGEVIEW}' AND path LIKE ? ESCAPE '\\'", [glob_to_like(behaviour.match)]
    if behaviour.kind == "event":
        return "kind IN ('event', 'conversion') AND name = ?", [behaviour.match]
    if behaviour.kind == "form":
        # props are stored as compact JSON (sessions.py): match the exact member, quotes included.
        member = '"form_id":' + json.dumps(behaviour.match, ensure_ascii=False)
        return "kind = 'event' AND name = ? AND props LIKE ? ESCAPE '\\'", [
            FORM_SUBMITTED,
            like_pattern(member),
        ]
    raise UnknownDimension(f"unknown behaviour kind {behaviour.kind!r}")


def contact_behaviour(
    workspace_id: int, behaviour: Behaviour, since_ms: int, *, anonymous: bool
) -> tuple[str, list]:
    """Matching events per (contact, site, visitor) since ``since_ms``; with ``anonymous`` also the
    events without a contact (their visitors may be identified by the caller)."""
    clause, params = _behaviour_clause(behaviour)
    known = "" if anonymous else " AND contact_id IS NOT NULL"
    return (
        "SELECT contact_id, site_id, visitor, COUNT(*) FROM nm_events"
        f" WHERE workspace_id = ? AND ts >= ? AND is_bot = 0{known} AND {clause}"
        " GROUP BY contact_id, site_id, visitor",
        [workspace_id, since_ms, *params],
    )
