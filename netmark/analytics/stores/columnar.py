"""The columnar read side of the SQLite event store (docs/decisions.md, "columnar read side").

SQLite stays the system of record: the processor writes visits and events there as before. A
sealer copies them into immutable Parquet segments per site under ``<data>/columnar/``, and the
report queries run in DuckDB over those segments plus the *hot tail* still only in SQLite, so a
report sees exactly what SQLite holds, at a columnar engine's speed.

- Events never change once processed: the sealer copies every event past the *watermark* (the
  highest ``nm_events.id`` already in segments); the hot events are those above it.
- Visits change while they are open. The processor marks every visit it writes in
  ``nm_dirty_visits``; the sealer copies dirty visits that ended more than the visit timeout ago
  and unmarks them. A dirty visit is hot: readers take it from SQLite and skip its older copies in
  segments. A visit changed again after it was sealed (a late event) is sealed once more, and a
  tombstone ``(id, below)`` hides its copies in segments older than ``below``.
- Segments are merged by level (eight of one level make one of the next), tombstones applied; the
  files merged away are deleted after a grace period, so a reader that listed them a moment ago
  still finds them.
- One process seals at a time (an exclusive ``flock``); every other process only reads. A reader
  takes the manifest, the tombstones and the hot tail in one SQLite read transaction, so it never
  counts a row twice or misses one while a seal commits.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from netmark.analytics.stores import rollups, schema
from netmark.analytics.stores.schema import VISIT_COLUMNS

log = logging.getLogger(__name__)

# Columns of the event segments: what the report queries read (clicks have no site: not here).
_NOT_REPORTED = ("uid", "currency", "props", "link_id", "is_bot", "user_agent")
EVENT_COLUMNS = ("id", *(name for name in schema.EVENT_COLUMNS if name not in _NOT_REPORTED))
# Arrow types of the columns; every other column is text.
_INT64 = frozenset(
    ("id", "workspace_id", "site_id", "ts", "start_ts", "end_ts", "visit_id", "visitor", "contact_id")
    + ("revenue", "below")
)
_INT32 = frozenset(("day", "pageviews", "events"))
_VISIT_DAY, _EVENT_DAY = VISIT_COLUMNS.index("day"), EVENT_COLUMNS.index("day")
DUCKDB_MEMORY_LIMIT = "2GB"
SEAL_BATCH = 200_000  # rows a seal round copies at most per kind
MERGE_FANIN = 8
GARBAGE_GRACE_MS = 10 * 60 * 1000
SEAL_MARGIN_MS = 2 * 60 * 1000  # a visit is sealed once it cannot be extended by a current event

DDL = [
    "CREATE TABLE IF NOT EXISTS nm_columnar (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    # ``sealed``: the visit has an older copy in a segment (it was sealed, then changed again).
    "CREATE TABLE IF NOT EXISTS nm_dirty_visits (id INTEGER PRIMARY KEY, site_id INTEGER NOT NULL,"
    " sealed INTEGER NOT NULL DEFAULT 0)",
    "CREATE INDEX IF NOT EXISTS nm_dirty_visits_site ON nm_dirty_visits (site_id)",
    "CREATE TABLE IF NOT EXISTS nm_segments (seq INTEGER PRIMARY KEY, site_id INTEGER NOT NULL,"
    " kind TEXT NOT NULL, level INTEGER NOT NULL, path TEXT NOT NULL, rows INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS nm_tombstones (site_id INTEGER NOT NULL, id INTEGER NOT NULL,"
    " below INTEGER NOT NULL, PRIMARY KEY (site_id, id))",
    "CREATE TABLE IF NOT EXISTS nm_garbage (path TEXT PRIMARY KEY, since INTEGER NOT NULL)",
]


def _arrow_schema(columns: Sequence[str], *, with_seg: bool = False):
    import pyarrow as pa

    fields = []
    for name in columns:
        if name in _INT64:
            kind = pa.int64()
        elif name in _INT32:
            kind = pa.int32()
        else:
            kind = pa.string()
        fields.append(pa.field(name, kind))
    if with_seg:
        fields.append(pa.field("seg", pa.int64()))
    return pa.schema(fields)


def arrow_table(rows: list, columns: Sequence[str], *, seg: int | None = None):
    import pyarrow as pa

    schema = _arrow_schema(columns, with_seg=seg is not None)
    data = [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in columns]
    if seg is not None:
        data.append([seg] * len(rows))
    arrays = [pa.array(values, type=item.type) for values, item in zip(data, schema, strict=True)]
    return pa.Table.from_arrays(arrays, schema=schema)


class Columnar:
    """Seals SQLite rows into Parquet segments and answers report SQL over segments + hot tail."""

    def __init__(self, directory: Path, connect):
        self.directory = directory
        self.connect = connect  # the store's per-thread connection to events.db
        self.local = threading.local()
        self._duck = None
        self._duck_pid = 0
        self._duck_lock = threading.Lock()

    # Set-up

    def create_tables(self, connection) -> None:
        for statement in (*DDL, *rollups.DDL):
            connection.execute(statement)
        with immediate(connection):
            self._initialise(connection)

    @staticmethod
    def _initialise(connection) -> None:
        if connection.execute("SELECT 1 FROM nm_columnar WHERE key = 'watermark'").fetchone() is None:
            # A store that held visits before the read side existed (or was reset): all are hot.
            connection.execute(
                "INSERT OR IGNORE INTO nm_dirty_visits (id, site_id) SELECT id, site_id FROM nm_visits"
            )
            connection.execute("INSERT INTO nm_columnar (key, value) VALUES ('watermark', 0)")

    @staticmethod
    def mark_dirty(connection, visits) -> None:
        """Called inside the processor's transaction for every visit it wrote. A visit read back
        from ``nm_visits`` that is not dirty yet has been sealed: its copy in a segment is older."""
        connection.executemany(
            "INSERT OR IGNORE INTO nm_dirty_visits (id, site_id, sealed) VALUES (?, ?, ?)",
            [(visit.id, visit.site_id, 1 if visit.stored else 0) for visit in visits],
        )

    # Reading

    def _duckdb(self):
        import duckdb

        with self._duck_lock:
            if self._duck is None or self._duck_pid != os.getpid():  # not inherited across a fork
                self._duck = duckdb.connect(config=duckdb_config(self.directory))
                self._duck.execute("SET parquet_metadata_cache = true")
                self._duck_pid = os.getpid()
                self.local = threading.local()
            if getattr(self.local, "cursor", None) is None:
                self.local.cursor = self._duck.cursor()
            return self.local.cursor

    def _snapshot(self, site_id: int, *, with_rollup: bool = False) -> dict:
        """Manifest, tombstones and hot tail of one site, read in one SQLite transaction."""
        connection = self.connect()
        connection.execute("BEGIN")
        try:
            segments = connection.execute(
                "SELECT kind, path FROM nm_segments WHERE site_id = ? ORDER BY seq", (site_id,)
            ).fetchall()
            watermark = read_watermark(connection)
            tombstones = connection.execute(
                "SELECT id, below FROM nm_tombstones WHERE site_id = ?", (site_id,)
            ).fetchall()
            visit_columns = ", ".join(f"v.{name}" for name in VISIT_COLUMNS)
            hot_visits = connection.execute(
                f"SELECT {visit_columns} FROM nm_dirty_visits d JOIN nm_visits v ON v.id = d.id"  # noqa: S608
                " WHERE d.site_id = ?",
                (site_id,),
            ).fetchall()
            resealed = connection.execute(
                "SELECT id FROM nm_dirty_visits WHERE site_id = ? AND sealed = 1", (site_id,)
            ).fetchall()
            hot_events = connection.execute(
                f"SELECT {', '.join(EVENT_COLUMNS)} FROM nm_events WHERE id > ? AND +site_id = ?",  # noqa: S608 - rowid range, not the site index
                (watermark, site_id),
            ).fetchall()
            manifest = rollups.read_manifest(connection, site_id) if with_rollup else None
        finally:
            connection.execute("COMMIT")
        return {
            "visits": [self.directory / path for kind, path in segments if kind == "visits"],
            "events": [self.directory / path for kind, path in segments if kind == "events"],
            "tombstones": tombstones,
            "hot_visits": hot_visits,
            "resealed": resealed,
            "hot_events": hot_events,
            "rollup": manifest,
        }

    def fetch(self, site_id: int, statement: str, params: Sequence) -> list:
        """Run report SQL (over ``nm_visits`` and ``nm_events``) for one site."""
        import duckdb

        for attempt in range(3):
            snapshot = self._snapshot(site_id)
            cursor = self._duckdb()
            try:
                self._views(cursor, site_id, snapshot)
                return cursor.execute(statement, list(params)).fetchall()
            except duckdb.IOException:
                if attempt == 2:  # a segment listed a moment ago was merged away: list again
                    raise
        raise AssertionError("unreachable")

    def fetch_rolled(self, query, statement_for) -> list | None:
        """Report SQL over the site's rollup and the raw remainder: ``statement_for(plan)`` builds
        it, or answers ``None`` when the rollup lacks it. ``None`` when the site has no rollup the query
        can use (the caller reads raw)."""
        import duckdb

        for attempt in range(3):
            snapshot = self._snapshot(query.site_id, with_rollup=True)
            manifest = snapshot["rollup"]
            if manifest is None or manifest["workspace_id"] != query.workspace_id:
                return None
            cursor = self._duckdb()
            try:
                self._views(cursor, query.site_id, snapshot)
                old_days = self._old_days(cursor, snapshot)
                plan = rollups.plan(
                    manifest,
                    query.start_ms,
                    query.end_ms,
                    {row[_VISIT_DAY] for row in snapshot["hot_visits"]},
                    {row[_EVENT_DAY] for row in snapshot["hot_events"]},
                    old_days,
                )
                plan.files = {name: str(self.directory / path) for name, path in plan.files.items()}
                plan.read = lambda statement, params, cursor=cursor: cursor.execute(
                    statement, params
                ).fetchall()
                built = statement_for(plan)
                if built is None:  # not in this rollup
                    return None
                return cursor.execute(built[0], list(built[1])).fetchall()
            except duckdb.IOException as error:
                if attempt == 2:  # not a rebuild racing us: a rollup file is gone; the raw path is exact
                    log.warning(
                        "site %s: rollup unreadable, answering from the raw rows until it is rebuilt: %s",
                        query.site_id,
                        error,
                    )
                    self._rollup_broken(query.site_id, manifest["prefix"])
                    return None
        raise AssertionError("unreachable")

    def _rollup_broken(self, site_id: int, prefix: str) -> None:
        try:
            with immediate(self.connect()) as connection:
                rollups.mark_broken(connection, site_id, prefix)
        except sqlite3.OperationalError as error:  # busy: the next reader that fails marks it
            log.warning("site %s: could not mark the unreadable rollup for a rebuild: %s", site_id, error)

    @staticmethod
    def _old_days(cursor, snapshot: dict) -> set[int]:
        """The days of the sealed copies of visits changed since (in the hot tail again)."""
        if not snapshot["resealed"] or not snapshot["visits"]:
            return set()
        files = ", ".join(quote_literal(str(path)) for path in snapshot["visits"])
        rows = cursor.execute(
            f"SELECT DISTINCT day FROM read_parquet([{files}]) WHERE id IN (SELECT id FROM nm_resealed)"
        ).fetchall()
        return {row[0] for row in rows}

    @staticmethod
    def _views(cursor, site_id: int, snapshot: dict) -> None:
        cursor.register("nm_hot_visits", arrow_table(snapshot["hot_visits"], VISIT_COLUMNS))
        cursor.register("nm_hot_events", arrow_table(snapshot["hot_events"], EVENT_COLUMNS))
        visit_columns = ", ".join(VISIT_COLUMNS)
        event_columns = ", ".join(EVENT_COLUMNS)
        visits = f"SELECT {visit_columns} FROM nm_hot_visits"
        if snapshot["visits"]:
            files = ", ".join(quote_literal(str(path)) for path in snapshot["visits"])
            hidden = ""
            if snapshot["resealed"]:  # their hot rows stand in for their sealed copies
                cursor.register("nm_resealed", arrow_table(snapshot["resealed"], ("id",)))
                hidden += " AND s.id NOT IN (SELECT id FROM nm_resealed)"
            if snapshot["tombstones"]:
                cursor.register("nm_tombs", arrow_table(snapshot["tombstones"], ("id", "below")))
                hidden += " AND NOT EXISTS (SELECT 1 FROM nm_tombs t WHERE t.id = s.id AND s.seg < t.below)"
            visits += (
                f" UNION ALL SELECT {visit_columns} FROM read_parquet([{files}]) s"
                f" WHERE s.site_id = {int(site_id)}{hidden}"
            )
        events = f"SELECT {event_columns} FROM nm_hot_events"
        if snapshot["events"]:
            files = ", ".join(quote_literal(str(path)) for path in snapshot["events"])
            events += f" UNION ALL SELECT {event_columns} FROM read_parquet([{files}])"
        cursor.execute(f"CREATE OR REPLACE TEMP VIEW nm_visits AS {visits}")
        cursor.execute(f"CREATE OR REPLACE TEMP VIEW nm_events AS {events}")

    def close(self) -> None:
        with self._duck_lock:
            if self._duck is not None and self._duck_pid == os.getpid():
                self._duck.close()
            self._duck = None
            self.local = threading.local()

    def seal(
        self, now_ms: int | None = None, *, clock_ms: int | None = None, rebuild: bool = False
    ) -> dict[str, int]:
        """See ``sealer.Sealer.seal``."""
        from netmark.analytics.stores.sealer import Sealer

        return Sealer(self.directory, self.connect).seal(now_ms, clock_ms=clock_ms, rebuild=rebuild)

    # Deleting

    def delete_site(self, connection, site_id: int) -> list[str]:
        """Inside the store's delete transaction: forget the site's segments; returns their files."""
        paths = [
            row[0] for row in connection.execute("SELECT path FROM nm_segments WHERE site_id = ?", (site_id,))
        ]
        old = connection.execute("SELECT prefix FROM nm_rollups WHERE site_id = ?", (site_id,)).fetchone()
        if old:
            paths += list(rollups.file_paths(old[0]).values())
        for statement in (
            *(f"DELETE FROM {table} WHERE site_id = ?" for table in rollups.TABLES),
            "DELETE FROM nm_segments WHERE site_id = ?",
            "DELETE FROM nm_tombstones WHERE site_id = ?",
            "DELETE FROM nm_dirty_visits WHERE site_id = ?",
        ):
            connection.execute(statement, (site_id,))
        return paths

    def remove_files(self, paths: list[str]) -> None:
        for path in paths:
            (self.directory / path).unlink(missing_ok=True)

    def reset(self, connection) -> None:
        """Forget every segment and make every row hot again (after a restore); the next seal
        rounds rebuild the segments from SQLite."""
        for statement in rollups.DDL:
            connection.execute(statement)
        for statement in (
            *(f"DELETE FROM {table}" for table in rollups.TABLES),
            "DELETE FROM nm_segments",
            "DELETE FROM nm_tombstones",
            "DELETE FROM nm_garbage",
            "DELETE FROM nm_columnar",
            "DELETE FROM nm_dirty_visits",
        ):
            connection.execute(statement)
        self._initialise(connection)


@contextlib.contextmanager
def immediate(connection):
    """A write transaction on ``events.db``: committed when the block ends, rolled back on error."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def reset_after_restore(events_db: Path) -> None:
    """A restored ``events.db`` lists segments of another time: forget them, make every row hot,
    and delete this folder's segments; the next seal rounds rebuild them from SQLite."""
    with contextlib.closing(sqlite3.connect(events_db, timeout=30, isolation_level=None)) as connection:
        if connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'nm_columnar'").fetchone() is None:
            return
        with immediate(connection):
            Columnar(events_db.parent / "columnar", lambda: connection).reset(connection)
    for path in (events_db.parent / "columnar").glob("site-*/*.parquet"):
        path.unlink(missing_ok=True)


def duckdb_config(directory: Path) -> dict:
    """Bounded memory per process; what does not fit spills under the data folder."""
    return {
        "threads": os.cpu_count() or 2,
        "memory_limit": DUCKDB_MEMORY_LIMIT,
        "temp_directory": str(directory / ".spill"),
    }


def read_watermark(connection) -> int:
    row = connection.execute("SELECT value FROM nm_columnar WHERE key = 'watermark'").fetchone()
    return row[0] if row else 0


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
