"""Per-day rollups of the columnar read side (docs/analytics.md, "Rollups").

Built by the sealer from the sealed segments of a site, as Parquet files next to them:

- ``r_visits``: per (visit day, dimension, value) the visitors (distinct that day), visits,
  pageviews, bounces, duration, revenue and custom events; dimension ``''`` is the day's total.
- ``r_pages``: per (event day, path) the pageviews' distinct visitors, count and revenue.
- ``r_pages_by``: per (event day, visit dimension, value, path) the same, for top pages with one
  visit-dimension filter, and with dimension ``path`` (value: a path the visit has an event on) for
  top pages with a page filter; a day with pageviews whose visit is not sealed yet is left to the next
  build (it is recorded as changed, so readers take it raw until then).
- ``r_visits_by``: per (visit day, filter dimension, its value, dimension, value) the measures of
  ``r_visits``, for a visit-dimension breakdown with a filter on another visit dimension; only the
  filter dimensions with at most ``PAIR_VALUES_MAX`` values (``nm_rollup_pairs``), for sites with
  ``PAIRS_MIN_VISITS`` visits or more: a value of a dimension with more values is a small share of
  the visits, and a small site's rows, which the raw path answers quickly.
- ``r_visits_by_page``: per (visit day, path, dimension, value) the measures of ``r_visits`` over
  the visits with an event on that path (a page filter); a day with a visit whose events are not
  all sealed yet is left to the next build like an unsettled day of ``r_pages_by``.
- ``r_goals``: per (event day, custom-event name, visit dimension, value) the events' distinct
  visitors, count and revenue (custom-event goals; dimension ``''``: every such event, visitless
  conversions included; dimension ``path`` as in ``r_pages_by``).
- ``r_visitless``: per event day the revenue and count of server-side conversions with no visit.
- ``m_visits`` / ``m_visit_pages`` / ``m_pages`` / ``m_goals``: the visits (with the paths they
  saw; pageviews and custom events, with their visit's dimensions) of the visitors seen on more
  than one day; ``m_pages_by_page`` / ``m_goals_by_page``: their pageviews and custom events with
  each path their visit has an event on (``viewed``), for a page filter.
  Distinct visitors over several days = the sum of the per-day counts minus, for each of these
  visitors, the days they were counted more than once; with a daily salt they are few.

A rollup answers the days it covers *whole*: every sealed row of that day lies in the query's range
(``nm_rollup_days`` keeps each day's first and last timestamps, so time zones and partial days need
no special case), and nothing of that day was sealed since the build (``nm_rollup_changed``) or is
still in the hot tail. Every other day is read raw and combined; the raw part's visitors that may
also be counted in a rolled-up day without being in ``m_*`` (rows newer than the build) are looked
up in the segments. The manifest, the days and the changed days are read in the snapshot's SQLite
transaction, so a reader always sees a rollup consistent with the segments it lists.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from netmark.analytics.stores.base import VISIT_DIMENSIONS

REBUILD_INTERVAL_MS = 5 * 60 * 1000  # a site's rollup is rebuilt at most this often
PAIR_VALUES_MAX = 100  # a visit dimension with more distinct values is not a rolled-up filter
PAIRS_MIN_VISITS = 50_000  # a site with fewer visits is answered quickly enough from the rows
FILES = (
    "r_visits",
    "r_visits_by",
    "r_visits_by_page",
    "r_pages",
    "r_pages_by",
    "r_goals",
    "r_visitless",
    "m_visits",
    "m_visit_pages",
    "m_pages",
    "m_goals",
    "m_pages_by_page",
    "m_goals_by_page",
)

DDL = [
    "CREATE TABLE IF NOT EXISTS nm_rollups (site_id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL,"
    " prefix TEXT NOT NULL, built INTEGER NOT NULL)",
    # Per day of the rollup: the range of its visits' starts and of its events' times (NULL: none).
    "CREATE TABLE IF NOT EXISTS nm_rollup_days (site_id INTEGER NOT NULL, day INTEGER NOT NULL,"
    " min_start INTEGER, max_start INTEGER, min_ts INTEGER, max_ts INTEGER, PRIMARY KEY (site_id, day))",
    # Days with rows sealed after the rollup was built: read raw until the next build.
    "CREATE TABLE IF NOT EXISTS nm_rollup_changed (site_id INTEGER NOT NULL, day INTEGER NOT NULL,"
    " PRIMARY KEY (site_id, day))",
    # The filter dimensions of ``r_visits_by``.
    "CREATE TABLE IF NOT EXISTS nm_rollup_pairs (site_id INTEGER NOT NULL, dim TEXT NOT NULL,"
    " PRIMARY KEY (site_id, dim))",
]
TABLES = ("nm_rollups", "nm_rollup_days", "nm_rollup_changed", "nm_rollup_pairs")

_MEASURES = (
    "COUNT(DISTINCT visitor)::BIGINT AS visitors, COUNT(*)::BIGINT AS visits,"
    " SUM(pageviews)::BIGINT AS pageviews,"
    " SUM(CASE WHEN pageviews = 1 AND events = 0 THEN 1 ELSE 0 END)::BIGINT AS bounces,"
    " SUM(end_ts - start_ts)::BIGINT AS duration, SUM(revenue)::BIGINT AS revenue,"
    " SUM(events)::BIGINT AS events"
)


def file_paths(prefix: str) -> dict[str, str]:
    return {name: f"{prefix}-{name}.parquet" for name in FILES}


def mark_changed(connection, site_id: int, days) -> None:
    """Inside a seal transaction: these days of the site have rows newer than its rollup."""
    connection.executemany(
        "INSERT OR IGNORE INTO nm_rollup_changed (site_id, day) VALUES (?, ?)",
        [(site_id, int(day)) for day in set(days)],
    )


def due(connection, directory, site_id: int, clock_ms: int, *, force: bool = False) -> bool:
    """Whether the sealer should (re)build the site's rollup now."""
    row = connection.execute("SELECT built, prefix FROM nm_rollups WHERE site_id = ?", (site_id,)).fetchone()
    if row is None or row[0] < 0:  # none yet, or a reader found it unreadable (``mark_broken``)
        return True
    if not all((directory / path).exists() for path in file_paths(row[1]).values()):
        return True  # built by an older version without a file this one reads, or a file lost
    changed = connection.execute("SELECT 1 FROM nm_rollup_changed WHERE site_id = ? LIMIT 1", (site_id,))
    if changed.fetchone() is None:
        return False
    return force or clock_ms - row[0] >= REBUILD_INTERVAL_MS


def build(duck, directory, site_id: int, seq: int, visits_sql: str, events_sql: str, previous=None) -> dict:
    """Write the rollup files of one site from its sealed rows (``visits_sql`` / ``events_sql``
    select them, tombstones applied). With ``previous`` (the current rollup's manifest) only its
    changed days are computed again; the other days are copied. Returns what ``install`` records."""
    duck.execute(f"CREATE OR REPLACE TEMP VIEW sv AS {visits_sql}")
    duck.execute(f"CREATE OR REPLACE TEMP VIEW se AS {events_sql}")
    workspaces = duck.execute("SELECT workspace_id FROM sv UNION SELECT workspace_id FROM se")
    workspace_ids = [row[0] for row in workspaces.fetchall()]
    prefix = f"site-{site_id}/rollup-{seq:09d}-{secrets.token_hex(4)}"
    paths = file_paths(prefix)
    only, only_e, kept, changed = "", "", {}, None
    if previous is not None and not all((directory / path).exists() for path in previous["files"].values()):
        previous = None  # written by an older version, or lost: build every day again
    if previous is not None:
        changed = ", ".join(str(int(day)) for day in previous["changed"]) or "NULL"
        only = f" WHERE day IN ({changed})"
        only_e = f" AND e.day IN ({changed})"
        kept = {
            name: f" UNION ALL SELECT * FROM read_parquet('{directory / previous['files'][name]}')"
            f" WHERE day NOT IN ({changed})"
            for name in ("r_visits", "r_visits_by_page", "r_pages", "r_pages_by", "r_goals", "r_visitless")
        }
    _changed_rows(duck, changed)
    # Each visit once per path it has an event on (what a page filter keeps).
    for visits, events, name in (("sv", "se", "svp"), ("cv", "ce", "cvp")):
        duck.execute(
            f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT v.*, p.path AS viewed FROM {visits} v JOIN (SELECT"
            f" DISTINCT visit_id, path FROM {events} WHERE visit_id IS NOT NULL AND path IS NOT NULL) p"
            " ON p.visit_id = v.id"
        )
    by_page = [f"SELECT day, viewed, '' AS dim, '' AS value, {_MEASURES} FROM cvp{only} GROUP BY day, viewed"]
    by_page += [
        f"SELECT day, viewed, '{name}' AS dim, {name} AS value, {_MEASURES} FROM cvp{only}"
        f" GROUP BY day, viewed, {name}"
        for name in VISIT_DIMENSIONS
    ]
    per_dimension = [f"SELECT day, '' AS dim, '' AS value, {_MEASURES} FROM cv{only} GROUP BY day"]
    per_dimension += [
        f"SELECT day, '{name}' AS dim, {name} AS value, {_MEASURES} FROM cv{only} GROUP BY day, {name}"
        for name in VISIT_DIMENSIONS
    ]
    pages_where = f"{only} AND kind = 'pageview'" if only else " WHERE kind = 'pageview'"
    pages_by = [
        f"SELECT e.day, '{name}' AS dim, v.{name} AS value, e.path, COUNT(DISTINCT e.visitor)::BIGINT AS"
        " visitors, COUNT(*)::BIGINT AS pageviews, COALESCE(SUM(e.revenue), 0)::BIGINT AS revenue"
        f" FROM ce e JOIN cv v ON v.id = e.visit_id WHERE e.kind = 'pageview'{only_e}"
        f" GROUP BY e.day, v.{name}, e.path"
        for name in VISIT_DIMENSIONS
    ]
    pages_by.append(
        "SELECT e.day, 'path' AS dim, v.viewed AS value, e.path, COUNT(DISTINCT e.visitor)::BIGINT AS"
        " visitors, COUNT(*)::BIGINT AS pageviews, COALESCE(SUM(e.revenue), 0)::BIGINT AS revenue"
        f" FROM ce e JOIN cvp v ON v.id = e.visit_id WHERE e.kind = 'pageview'{only_e}"
        " GROUP BY e.day, v.viewed, e.path"
    )
    custom = "e.kind IN ('event', 'conversion')"
    goal_measures = (
        "COUNT(DISTINCT e.visitor)::BIGINT AS visitors, COUNT(*)::BIGINT AS events,"
        " COALESCE(SUM(e.revenue), 0)::BIGINT AS revenue"
    )
    goals = [
        f"SELECT e.day, e.name, '' AS dim, '' AS value, {goal_measures} FROM ce e WHERE {custom}{only_e}"
        " GROUP BY e.day, e.name"
    ]
    goals += [
        f"SELECT e.day, e.name, '{name}' AS dim, v.{name} AS value, {goal_measures}"
        f" FROM ce e JOIN cv v ON v.id = e.visit_id WHERE {custom}{only_e} GROUP BY e.day, e.name, v.{name}"
        for name in VISIT_DIMENSIONS
    ]
    goals.append(
        f"SELECT e.day, e.name, 'path' AS dim, v.viewed AS value, {goal_measures}"
        f" FROM ce e JOIN cvp v ON v.id = e.visit_id WHERE {custom}{only_e} GROUP BY e.day, e.name, v.viewed"
    )
    visitless = "visit_id IS NULL AND kind = 'conversion'"
    visitless_where = f"{only} AND {visitless}" if only else f" WHERE {visitless}"
    dims = ", ".join(VISIT_DIMENSIONS)
    visit_dims = ", ".join(f"v.{name}" for name in VISIT_DIMENSIONS)
    pair_dims, pairs_sql = _pairs(duck, directory, previous, changed)
    statements = {
        "r_visits": " UNION ALL ".join(per_dimension) + kept.get("r_visits", ""),
        "r_visits_by": pairs_sql,
        "r_visits_by_page": "SELECT * FROM ("
        + " UNION ALL ".join(by_page)
        + kept.get("r_visits_by_page", "")
        + ") ORDER BY viewed, dim, value, day",
        "r_pages": "SELECT day, path, COUNT(DISTINCT visitor)::BIGINT AS visitors, COUNT(*)::BIGINT AS"
        f" pageviews, COALESCE(SUM(revenue), 0)::BIGINT AS revenue FROM ce{pages_where} GROUP BY day, path"
        + kept.get("r_pages", ""),
        "r_pages_by": "SELECT * FROM ("
        + " UNION ALL ".join(pages_by)
        + kept.get("r_pages_by", "")
        + ") ORDER BY dim, value, day",  # sorted: a filter's slice is a few row groups
        "r_goals": "SELECT * FROM ("
        + " UNION ALL ".join(goals)
        + kept.get("r_goals", "")
        + ") ORDER BY name, dim, value, day",
        "r_visitless": "SELECT day, COALESCE(SUM(revenue), 0)::BIGINT AS revenue, COUNT(*)::BIGINT AS events"
        f" FROM ce{visitless_where} GROUP BY day" + kept.get("r_visitless", ""),
        "m_visits": f"SELECT visitor, day, {dims} FROM sv WHERE visitor IN"
        " (SELECT visitor FROM sv GROUP BY visitor HAVING COUNT(DISTINCT day) > 1)",
        "m_visit_pages": f"SELECT DISTINCT visitor, day, viewed, {dims} FROM svp WHERE visitor IN"
        " (SELECT visitor FROM sv GROUP BY visitor HAVING COUNT(DISTINCT day) > 1)",
    }
    # The visitors of pageviews (or custom events) seen on more than one day, and their events.
    pageviews, customs = "kind = 'pageview'", "kind IN ('event', 'conversion')"
    pages_multi = f"e.{pageviews} AND e.visitor IN {_multi_day(pageviews)}"
    goals_multi = f"e.{customs} AND e.visitor IN {_multi_day(customs)}"
    of_visit, of_viewed = "LEFT JOIN sv v ON v.id = e.visit_id", "JOIN svp v ON v.id = e.visit_id"
    statements["m_pages"] = (
        f"SELECT DISTINCT e.visitor, e.day, e.path, {visit_dims} FROM se e {of_visit} WHERE {pages_multi}"
    )
    statements["m_goals"] = (
        f"SELECT DISTINCT e.visitor, e.day, e.name, {visit_dims} FROM se e {of_visit} WHERE {goals_multi}"
    )
    statements["m_pages_by_page"] = (
        f"SELECT DISTINCT e.visitor, e.day, e.path, v.viewed FROM se e {of_viewed} WHERE {pages_multi}"
        " ORDER BY v.viewed"  # sorted: a page filter's slice is a few row groups
    )
    statements["m_goals_by_page"] = (
        f"SELECT DISTINCT e.visitor, e.day, e.name, v.viewed FROM se e {of_viewed} WHERE {goals_multi}"
        " ORDER BY v.viewed"
    )
    (directory / f"site-{site_id}").mkdir(parents=True, exist_ok=True)
    for name, statement in statements.items():
        target = directory / paths[name]
        partial = target.with_suffix(".partial")
        duck.execute(f"COPY ({statement}) TO '{partial}' (FORMAT parquet, COMPRESSION zstd)")
        partial.rename(target)
    days = duck.execute(
        "SELECT COALESCE(v.day, e.day), v.min_start, v.max_start, e.min_ts, e.max_ts FROM"
        " (SELECT day, MIN(start_ts) AS min_start, MAX(start_ts) AS max_start FROM sv GROUP BY day) v"
        " FULL OUTER JOIN (SELECT day, MIN(ts) AS min_ts, MAX(ts) AS max_ts FROM se GROUP BY day) e"
        " ON v.day = e.day"
    ).fetchall()
    unsettled = duck.execute(
        "SELECT DISTINCT e.day FROM se e WHERE e.visit_id IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM sv v WHERE v.id = e.visit_id)"
        # and the days of visits whose events are not all sealed (their pages are not all known)
        " UNION SELECT v.day FROM sv v LEFT JOIN (SELECT visit_id, COUNT(*) AS n FROM se WHERE visit_id IS"
        " NOT NULL AND kind IN ('pageview', 'event', 'conversion') GROUP BY visit_id) c ON c.visit_id = v.id"
        " WHERE COALESCE(c.n, 0) <> v.pageviews + v.events"
    ).fetchall()
    return {
        "prefix": prefix,
        "pair_dims": pair_dims,
        "workspace_ids": workspace_ids,
        "days": days,
        "unsettled": [day for (day,) in unsettled],
    }


def _changed_rows(duck, changed: str | None) -> None:
    """``cv`` / ``ce``: the visits and events the per-day files are computed from, read from the
    segments once. All of them for a whole build; for a build of the ``changed`` days, the visits
    of those days and of their events, and every event of those visits (a page filter needs all
    the paths of a visit, whatever its day)."""
    if changed is None:
        duck.execute("CREATE OR REPLACE TEMP TABLE cv AS SELECT * FROM sv")
        duck.execute("CREATE OR REPLACE TEMP VIEW ce AS SELECT * FROM se")
        return
    duck.execute(
        "CREATE OR REPLACE TEMP TABLE nm_changed_visits AS SELECT DISTINCT visit_id AS id FROM se"
        f" WHERE day IN ({changed}) AND visit_id IS NOT NULL UNION SELECT id FROM sv WHERE day IN ({changed})"
    )
    duck.execute(
        "CREATE OR REPLACE TEMP TABLE ce AS SELECT * FROM se"
        f" WHERE day IN ({changed}) OR visit_id IN (SELECT id FROM nm_changed_visits)"
    )
    duck.execute(
        "CREATE OR REPLACE TEMP TABLE cv AS SELECT * FROM sv WHERE id IN (SELECT id FROM nm_changed_visits)"
    )


def _pairs(duck, directory, previous, changed: str | None) -> tuple[list[str], str]:
    """The filter dimensions of ``r_visits_by`` and the statement that writes it: every pair of a
    filter dimension (few values) and another visit dimension, per day; none for a site with fewer
    than ``PAIRS_MIN_VISITS`` visits. Each unordered pair is grouped once and written both ways.
    The days of ``previous`` that did not change are copied when its filter dimensions are the
    same."""
    count_sql = ", ".join(f"COUNT(DISTINCT {name})" for name in VISIT_DIMENSIONS)
    visits, *counts = duck.execute(f"SELECT COUNT(*), {count_sql} FROM sv").fetchone()
    pair_dims = []
    if visits >= PAIRS_MIN_VISITS:
        pair_dims = [
            name for name, count in zip(VISIT_DIMENSIONS, counts, strict=True) if count <= PAIR_VALUES_MAX
        ]
    only, kept = "", ""
    if previous is not None and previous["pair_dims"] == set(pair_dims):
        only = f" WHERE day IN ({changed})"
        kept = (
            f" UNION ALL SELECT * FROM read_parquet('{directory / previous['files']['r_visits_by']}')"
            f" WHERE day NOT IN ({changed})"
        )
    duck.execute(
        "CREATE OR REPLACE TEMP TABLE nm_pairs AS SELECT day, '' AS fdim, '' AS fvalue, '' AS dim,"
        f" '' AS value, {_MEASURES} FROM cv WHERE FALSE GROUP BY day"
    )
    for pair in itertools.combinations(VISIT_DIMENSIONS, 2):
        first, second = pair if pair[0] in pair_dims else pair[::-1]  # the filter dimension first
        if first not in pair_dims:
            continue
        duck.execute(
            f"INSERT INTO nm_pairs SELECT day, '{first}', {first}, '{second}', {second}, {_MEASURES}"
            f" FROM cv{only} GROUP BY day, {first}, {second}"
        )
        if second in pair_dims:  # the other way round: the same groups
            duck.execute(
                "INSERT INTO nm_pairs SELECT day, dim, value, fdim, fvalue, visitors, visits, pageviews,"
                " bounces, duration, revenue, events FROM nm_pairs"
                f" WHERE fdim = '{first}' AND dim = '{second}'"
            )
    # sorted: a filter's slice is a few row groups
    return pair_dims, f"SELECT * FROM (SELECT * FROM nm_pairs{kept}) ORDER BY fdim, fvalue, dim, day"


def _multi_day(kinds: str) -> str:
    return f"(SELECT visitor FROM se WHERE {kinds} GROUP BY visitor HAVING COUNT(DISTINCT day) > 1)"


def install(connection, site_id: int, built: dict, clock_ms: int) -> list[str]:
    """Inside the sealer's transaction: make the new rollup the site's; returns the old files."""
    old = connection.execute("SELECT prefix FROM nm_rollups WHERE site_id = ?", (site_id,)).fetchone()
    for table in TABLES:
        connection.execute(f"DELETE FROM {table} WHERE site_id = ?", (site_id,))  # noqa: S608
    if len(built["workspace_ids"]) == 1:  # a site's rows all belong to its workspace
        connection.execute(
            "INSERT INTO nm_rollups (site_id, workspace_id, prefix, built) VALUES (?, ?, ?, ?)",
            (site_id, built["workspace_ids"][0], built["prefix"], clock_ms),
        )
        connection.executemany(
            "INSERT INTO nm_rollup_days (site_id, day, min_start, max_start, min_ts, max_ts)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(site_id, *row) for row in built["days"]],
        )
        connection.executemany(
            "INSERT INTO nm_rollup_pairs (site_id, dim) VALUES (?, ?)",
            [(site_id, dim) for dim in built["pair_dims"]],
        )
        mark_changed(connection, site_id, built["unsettled"])  # computed again at the next build
    return list(file_paths(old[0]).values()) if old else []


def mark_broken(connection, site_id: int, prefix: str) -> None:
    """A reader could not read the rollup ``prefix``: readers go raw and the sealer's next round
    rebuilds it whole, whatever its interval (``due``). A newer rollup is left alone."""
    connection.execute("UPDATE nm_rollups SET built = -1 WHERE site_id = ? AND prefix = ?", (site_id, prefix))


def read_manifest(connection, site_id: int) -> dict | None:
    """Inside the reader's snapshot transaction; ``None`` when the site has no usable rollup."""
    row = connection.execute(
        "SELECT workspace_id, prefix, built FROM nm_rollups WHERE site_id = ?", (site_id,)
    ).fetchone()
    if row is None or row[2] < 0:
        return None
    days = connection.execute(
        "SELECT day, min_start, max_start, min_ts, max_ts FROM nm_rollup_days WHERE site_id = ?", (site_id,)
    ).fetchall()
    changed = connection.execute("SELECT day FROM nm_rollup_changed WHERE site_id = ?", (site_id,)).fetchall()
    pairs = connection.execute("SELECT dim FROM nm_rollup_pairs WHERE site_id = ?", (site_id,)).fetchall()
    return {
        "workspace_id": row[0],
        "prefix": row[1],
        "files": file_paths(row[1]),
        "days": days,
        "changed": {day for (day,) in changed},
        "pair_dims": {dim for (dim,) in pairs},
    }


@dataclass(slots=True)
class Part:
    """Which days a rollup answers whole, and the raw remainder: ``branches`` of (first ms, last
    ms, day) and ``excluded`` days read raw over the whole range."""

    full: list[int] = field(default_factory=list)
    branches: list[tuple[int, int, int]] = field(default_factory=list)
    excluded: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Plan:
    files: dict[str, str]
    visits: Part
    events: Part
    lookup: bool  # raw rows newer than the rollup: look their visitors up in rolled-up days
    pair_dims: set[str] = field(default_factory=set)  # the filter dimensions of ``r_visits_by``
    read: Callable[[str, list], list] | None = None  # a query in the reader's snapshot (by ``fetch_rolled``)


def plan(manifest: dict, start_ms: int, end_ms: int, hot_visit_days, hot_event_days, old_days) -> Plan:
    changed = manifest["changed"]
    visits = _part(manifest["days"], 1, start_ms, end_ms, changed | set(hot_visit_days) | set(old_days))
    events = _part(manifest["days"], 3, start_ms, end_ms, changed | set(hot_event_days))
    lookup = bool(changed or hot_visit_days or hot_event_days)
    return Plan(manifest["files"], visits, events, lookup, manifest["pair_dims"])


def _part(days, column: int, start_ms: int, end_ms: int, excluded: set[int]) -> Part:
    part = Part(excluded=sorted(excluded))
    for row in days:
        day, low, high = row[0], row[column], row[column + 1]
        if low is None or day in excluded or high < start_ms or low >= end_ms:
            continue
        if low >= start_ms and high < end_ms:
            part.full.append(day)
        else:
            part.branches.append((max(low, start_ms), min(high, end_ms - 1), day))
    part.full.sort()
    return part
