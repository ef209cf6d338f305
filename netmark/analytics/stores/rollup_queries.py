"""Report SQL over the per-day rollups (``rollups``) plus the raw remainder: the rolled-up
variants of ``queries``' totals, days, visit breakdowns, top pages and visitless revenue, built here
so that ``queries`` and this module stay the only places report SQL is written."""

from __future__ import annotations

from netmark.analytics.stores.base import VISIT_DIMENSIONS, Query
from netmark.analytics.stores.queries import glob_to_like, like_clause, visit_where, visits_of_events


def rollup_filter(query: Query, group: str) -> tuple[str, str] | None | bool:
    """The one filter a rollup can apply for ``group`` (``(dimension, value)``), ``None`` when
    unfiltered, ``False`` when the query needs the raw path. Totals and the daily series take one
    ``is`` filter on a visit dimension or a page, and so do visit-dimension breakdowns, top pages
    and custom-event goals (a breakdown by one visit dimension filtered by another only when the
    rollup has that pair: ``rollup_visits`` answers ``None`` otherwise)."""
    if not query.filters:
        return None
    if len(query.filters) > 1 or query.filters[0].op != "is":
        return False
    flt = query.filters[0]
    usable = flt.dimension in VISIT_DIMENSIONS or flt.dimension == "path"
    if group not in ("total", "day", "path", "name", "goal", "page_goal"):
        usable = usable and group in VISIT_DIMENSIONS
    return (flt.dimension, flt.value) if usable else False


def _days(days) -> str:
    return f"({', '.join(str(int(day)) for day in days)})" if days else "(NULL)"


BOUNDS = "/*bounds*/"  # in a raw select: where the visits of the branch's events are bounded


def _raw_branches(part, select: str, time_column: str, head: list, query: Query) -> tuple[str, list]:
    """The raw remainder: one branch a day cut by the range, one for the excluded days. A select
    with ``BOUNDS`` in its visit subquery (right after ``head``'s parameters) gets the branch's
    bounds there: a visit with an event in [first, last] ends at or after first and starts at or
    before last, so only the visits around the branch are read."""
    bounded = BOUNDS in select
    branch_select = select.replace(BOUNDS, " AND v.end_ts >= ? AND v.start_ts <= ?")
    branches, params = [], []
    for first, last, day in part.branches:
        branches.append(f"{branch_select} AND {time_column} BETWEEN ? AND ? AND day = ?")
        params += [*head, *([first, last] if bounded else []), first, last, day]
    if part.excluded:
        days = _days(part.excluded)
        branches.append(f"{branch_select} AND {time_column} >= ? AND {time_column} < ? AND day IN {days}")
        params += [
            *head,
            *([query.start_ms, query.end_ms - 1] if bounded else []),
            query.start_ms,
            query.end_ms,
        ]
    if not branches:
        branches.append(f"{select.replace(BOUNDS, '')} AND FALSE")
        params += head
    return " UNION ALL ".join(branches), params


def _combined(measures: list[str], rolled: str, raw: str, presence: str | None, order: str) -> str:
    """One aggregation over the rolled-up rows, the raw remainder's groups and, per group, the
    visitors counted on more than one of the days (taken off the sum of per-day counts)."""
    zeros = ", ".join(f"0 AS {name}" for name in measures[1:])
    parts = [
        f"SELECT g, {', '.join(measures)}, 0 AS extra FROM ({rolled})",
        f"SELECT g, COUNT(DISTINCT visitor) AS visitors, {raw_measures(measures)}, 0 AS extra"
        " FROM raw GROUP BY g",
    ]
    if presence:
        parts.append(
            f"SELECT g, 0 AS visitors, {zeros}, n - 1 AS extra FROM (SELECT visitor, g,"
            f" COUNT(DISTINCT day) AS n FROM ({presence}) GROUP BY visitor, g) WHERE n > 1"
        )
    sums = ", ".join(f"SUM({name}) AS {name}" for name in measures[1:])
    return (
        f"WITH raw AS ({raw}) SELECT g, SUM(visitors) - SUM(extra) AS visitors, {sums}"
        f" FROM ({' UNION ALL '.join(parts)}) GROUP BY g {order}"
    )


_VISIT_MEASURES = ["visitors", "visits", "pageviews", "bounces", "duration", "revenue", "events"]
_PAGE_MEASURES = ["visitors", "pageviews", "revenue"]
_RAW = {
    "visits": "COUNT(*)",
    "pageviews": "SUM(pageviews)",
    "bounces": "SUM(CASE WHEN pageviews = 1 AND events = 0 THEN 1 ELSE 0 END)",
    "duration": "SUM(duration)",
    "revenue": "SUM(revenue)",
    "events": "SUM(events)",
}


def raw_measures(measures: list[str]) -> str:
    if measures == _PAGE_MEASURES:
        return "COUNT(*) AS pageviews, COALESCE(SUM(revenue), 0) AS revenue"
    return ", ".join(f"{_RAW[name]} AS {name}" for name in measures[1:])


def rollup_visits(query: Query, plan, group: str, limit: int = 0) -> tuple[str, list] | None:
    """Totals (``group="total"``), days (``"day"``) or a visit dimension's breakdown from the
    rollup ``plan`` (``rollups.Plan``): rows of (group, *TOTALS columns); ``None`` for a breakdown
    filtered by a visit dimension the rollup has no pairs of."""
    flt = rollup_filter(query, group)
    assert flt is not False
    pair = bool(flt) and flt[0] not in ("path", group) and group not in ("total", "day")
    if pair and flt[0] not in plan.pair_dims:
        return None
    part, files = plan.visits, plan.files
    column = {"total": "''", "day": "v.day"}.get(group, f"v.{group}")
    where, where_params = visit_where(query)  # its filter, the raw part's days come from ``part``
    select = (
        f"SELECT v.visitor, {column} AS g, v.day, v.pageviews, v.events, v.end_ts - v.start_ts AS duration,"
        f" v.revenue FROM nm_visits v WHERE {where}"
    )
    raw, params = _raw_branches(part, select, "v.start_ts", where_params, query)
    dim, value = ("", "") if group in ("total", "day") else (group, None)
    by_page = flt and flt[0] == "path"
    if flt and not by_page and not pair:  # (a breakdown by the filter's own dimension: one row)
        dim, value = flt
    rolled_group = {"total": "''", "day": "day"}.get(group, "value")
    if by_page:
        source, rolled_params = f"{quote(files['r_visits_by_page'])}) WHERE viewed = ? AND", [flt[1]]
    elif pair:
        source, rolled_params = f"{quote(files['r_visits_by'])}) WHERE fdim = ? AND fvalue = ? AND", list(flt)
    else:
        source, rolled_params = f"{quote(files['r_visits'])}) WHERE", []
    rolled = (
        f"SELECT {rolled_group} AS g, {', '.join(_VISIT_MEASURES)} FROM read_parquet({source}"
        f" dim = ?{'' if value is None else ' AND value = ?'} AND day IN {_days(part.full)}"
    )
    rolled_params += [dim] if value is None else [dim, value]
    presence, presence_params = None, []
    if group != "day" and part.full:  # one day is counted once: no overlap to take off
        side = {"total": "''"}.get(group, f"m.{group}")
        if by_page:
            sides, match, presence_params = files["m_visit_pages"], " AND m.viewed = ?", [flt[1]]
        else:
            sides, match = files["m_visits"], f" AND m.{flt[0]} = ?" if flt else ""
            presence_params = [flt[1]] if flt else []
        presence = (
            f"SELECT m.visitor, {side} AS g, m.day FROM read_parquet({quote(sides)}) m"
            f" WHERE m.day IN {_days(part.full)}{match} UNION ALL SELECT visitor, g, -1 FROM raw"
        )
        if plan.lookup:
            lookup_where, lookup_params = visit_where(query, "s")
            presence += (
                f" UNION ALL SELECT s.visitor, {side.replace('m.', 's.')}, s.day FROM nm_visits s"
                f" WHERE {lookup_where} AND s.day IN {_days(part.full)}"
                " AND s.visitor IN (SELECT visitor FROM raw)"
            )
            presence_params += lookup_params
    if group == "day":
        order = "ORDER BY g"
    elif group == "total":
        order = ""
    else:
        order = "ORDER BY visitors DESC, visits DESC, g LIMIT ?"
    statement = _combined(_VISIT_MEASURES, rolled, raw, presence, order)
    return statement, [*params, *rolled_params, *presence_params, *([limit] if order.endswith("?") else [])]


def rollup_pages(query: Query, plan, limit: int) -> tuple[str, list]:
    """Top pages from the rollup ``plan``, unfiltered or with one visit-dimension or page filter
    (the pageviews of the visits it keeps, as ``queries.event_breakdown``): rows of (path, visitors,
    pageviews, revenue)."""
    flt = rollup_filter(query, "path")
    assert flt is not False
    if flt:
        rolled = "path, visitors, pageviews, revenue", "r_pages_by", " AND dim = ? AND value = ?", list(flt)
    else:
        rolled = "path, visitors, pageviews, revenue", "r_pages", "", []
    kind = "{a}.kind = 'pageview'"
    presence_file = "m_pages_by_page" if flt and flt[0] == "path" else "m_pages"
    statement, params = _rolled_events(query, plan, flt, "path", kind, [], rolled, presence_file)
    return statement + " ORDER BY visitors DESC, pageviews DESC, g LIMIT ?", [*params, limit]


def rollup_events(query: Query, plan, limit: int) -> tuple[str, list]:
    """The custom-events table (events and conversions by name) from the rollup ``plan``, as
    ``queries.event_breakdown`` by name, unfiltered or with one visit-dimension or page filter:
    rows of (name, visitors, events, revenue)."""
    flt = rollup_filter(query, "name")
    assert flt is not False
    dim, value = flt if flt else ("", "")
    rolled = "name, visitors, events, revenue", "r_goals", " AND dim = ? AND value = ?", [dim, value]
    kind = "{a}.kind IN ('event', 'conversion')"
    presence_file = "m_goals_by_page" if flt and flt[0] == "path" else "m_goals"
    statement, params = _rolled_events(query, plan, flt, "name", kind, [], rolled, presence_file)
    return statement + " ORDER BY visitors DESC, pageviews DESC, g LIMIT ?", [*params, limit]


def rollup_goal(query: Query, plan, name: str) -> tuple[str, list]:
    """``goal_conversions`` of a custom-event goal (events and conversions named ``name``) from
    the rollup ``plan``, unfiltered or with one visit-dimension or page filter: rows of ('', visitors,
    conversions, revenue)."""
    flt = rollup_filter(query, "goal")
    assert flt is not False
    dim, value = flt if flt else ("", "")
    rolled = (
        "'', visitors, events, revenue",
        "r_goals",
        " AND name = ? AND dim = ? AND value = ?",
        [name, dim, value],
    )
    kind = "{a}.kind IN ('event', 'conversion') AND {a}.name = ?"
    presence_file = "m_goals_by_page" if flt and flt[0] == "path" else "m_goals"
    return _rolled_events(query, plan, flt, "''", kind, [name], rolled, presence_file)


def rollup_page_goal(query: Query, plan, pattern: str) -> tuple[str, list] | None:
    """``goal_conversions`` of a page goal (pageviews whose path matches ``pattern``) from the
    rollup ``plan`` when at most one path of its whole days matches (distinct visitors of several
    paths do not add up), unfiltered or with one visit-dimension or page filter; ``None``
    otherwise. Rows of ('', visitors, pageviews, revenue)."""
    flt = rollup_filter(query, "goal")
    assert flt is not False
    like = glob_to_like(pattern)
    matching = plan.read(
        f"SELECT DISTINCT path FROM read_parquet({quote(plan.files['r_pages'])})"
        f" WHERE day IN {_days(plan.events.full)} AND {like_clause('path', like)} LIMIT 2",
        [like],
    )
    if len(matching) > 1:
        return None
    path = matching[0][0] if matching else None  # none: the rolled-up days add nothing
    if flt:
        rolled = (
            "'', visitors, pageviews, revenue",
            "r_pages_by",
            " AND dim = ? AND value = ? AND path = ?",
            [*flt, path],
        )
    else:
        rolled = "'', visitors, pageviews, revenue", "r_pages", " AND path = ?", [path]
    kind = "{a}.kind = 'pageview' AND " + like_clause("{a}.path", like)
    presence_file = "m_pages_by_page" if flt and flt[0] == "path" else "m_pages"
    return _rolled_events(
        query,
        plan,
        flt,
        "''",
        kind,
        [like],
        rolled,
        presence_file,
        kind_match=" AND " + like_clause("m.path", like),
    )


def _rolled_events(
    query: Query,
    plan,
    flt,
    group: str,
    kind: str,
    kind_params: list,
    rolled,
    presence_file,
    kind_match: str = " AND m.name = ?",
):
    """Events of ``kind`` (a clause on alias ``{a}``) grouped by ``group`` (a column of the events,
    or a constant) over the rollup ``plan`` and the raw remainder, with the visit-dimension filter
    ``flt`` applied as ``queries._event_scope`` does (a page filter: the visit has an event on that
    path, ``viewed`` in the presence file); ``rolled`` is (its columns, file, conditions,
    parameters); ``kind_match`` applies ``kind_params`` to the presence file."""
    part, files = plan.events, plan.files
    head = [query.workspace_id, query.site_id]
    of_visits, visit_params = "", []
    if flt:
        where, visit_params = visit_where(visits_of_events(query))  # as ``queries._event_scope``
        of_visits = f" AND {{a}}.visit_id IN (SELECT v.id FROM nm_visits v WHERE {where}{{bounds}})"
    scope = kind + of_visits
    column = group if group.startswith("'") else f"e.{group}"
    select = (
        f"SELECT e.visitor, {column} AS g, e.revenue FROM nm_events e"
        f" WHERE e.workspace_id = ? AND e.site_id = ? AND {scope.format(a='e', bounds=BOUNDS)}"
    )
    raw, params = _raw_branches(part, select, "e.ts", [*head, *kind_params, *visit_params], query)
    columns, file, conditions, rolled_params = rolled
    rolled_sql = (
        f"SELECT {columns} FROM read_parquet({quote(files[file])})"
        f" WHERE day IN {_days(part.full)}{conditions}"
    )
    presence, presence_params = None, []
    if part.full:
        side = group if group.startswith("'") else f"m.{group}"
        match = kind_match if kind_params else ""
        match += f" AND m.{'viewed' if flt[0] == 'path' else flt[0]} = ?" if flt else ""
        presence = (
            f"SELECT m.visitor, {side} AS g, m.day FROM read_parquet({quote(files[presence_file])}) m"
            f" WHERE m.day IN {_days(part.full)}{match} UNION ALL SELECT visitor, g, -1 FROM raw"
        )
        presence_params = [*kind_params, *([flt[1]] if flt else [])]
        if plan.lookup:
            presence += (
                f" UNION ALL SELECT s.visitor, {side.replace('m.', 's.')}, s.day FROM nm_events s"
                f" WHERE s.workspace_id = ? AND s.site_id = ? AND s.day IN {_days(part.full)}"
                f" AND {scope.format(a='s', bounds='')} AND s.visitor IN (SELECT visitor FROM raw)"
            )
            presence_params += [*head, *kind_params, *visit_params]
    statement = _combined(
        _PAGE_MEASURES, f"SELECT * FROM ({rolled_sql}) r (g, visitors, pageviews, revenue)", raw, presence, ""
    )
    return statement, [*params, *rolled_params, *presence_params]


def rollup_visitless(query: Query, plan) -> tuple[str, list]:
    """``visitless_revenue`` from the rollup ``plan``: one row of (revenue, count)."""
    part = plan.events
    select = (
        "SELECT e.revenue FROM nm_events e WHERE e.workspace_id = ? AND e.site_id = ?"
        " AND e.visit_id IS NULL AND e.kind = 'conversion'"
    )
    raw, params = _raw_branches(part, select, "e.ts", [query.workspace_id, query.site_id], query)
    rolled = f"SELECT revenue, events FROM read_parquet({quote(plan.files['r_visitless'])})"
    return (
        f"WITH raw AS ({raw}), rolled AS ({rolled} WHERE day IN {_days(part.full)}) SELECT"
        " COALESCE((SELECT SUM(revenue) FROM rolled), 0) + COALESCE((SELECT SUM(revenue) FROM raw), 0),"
        " COALESCE((SELECT SUM(events) FROM rolled), 0) + (SELECT COUNT(*) FROM raw)",
        params,
    )


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
