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
import fcntl
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from netmark.analytics.stores.schema import VISIT_COLUMNS
from netmark.analytics.stores.sessions import VISIT_TIMEOUT_MS

# Columns of the event segments: what the report queries read (clicks have no site: not here).
EVENT_COLUMNS = (
    "id",
    "workspace_id",
    "site_id",
    "ts",
    "day",
    "visit_id",
    "visitor",
    "contact_id",
    "kind",
    "name",
    "path",
    "revenue",
)
_INTEGER = {"workspace_id", "site_id", "ts", "visit_id", "visitor", "contact_id", "revenue", "id", "start_ts",
            "end_ts", "below"}  # fmt: skip
_INT32 = {"day", "pageviews", "events"}
SEAL_BATCH = 200_000  # rows a seal round copies at most per kind
MERGE_FANIN = 8
GARBAGE_GRACE_MS = 10 * 60 * 1000
SEAL_MARGIN_MS = 2 * 60 * 1000  # a visit is sealed once it cannot be extended by a current event

DDL = [
    "CREATE TABLE IF NOT EXISTS nm_columnar (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS nm_dirty_visits (id INTEGER PRIMARY KEY, site_id INTEGER NOT NULL)",
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
        if name in _INTEGER:
            kind = pa.int64()
        elif name in _INT32:
            kind = pa.int32()
        else:
            kind = pa.string()
        fields.append(pa.field(name, kind))
    if with_seg:
        fields.append(pa.field("seg", pa.int64()))
    return pa.schema(fields)


def _table(rows: list, columns: Sequence[str], *, seg: int | None = None):
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
        for statement in DDL:
            connection.execute(statement)
        connection.execute("BEGIN IMMEDIATE")
        try:
            self._initialise(connection)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    @staticmethod
    def _initialise(connection) -> None:
        if connection.execute("SELECT 1 FROM nm_columnar WHERE key = 'watermark'").fetchone() is None:
            # A store that held visits before the read side existed (or was reset): all are hot.
            connection.execute("INSERT OR IGNORE INTO nm_dirty_visits SELECT id, site_id FROM nm_visits")
            connection.execute("INSERT INTO nm_columnar (key, value) VALUES ('watermark', 0)")

    @staticmethod
    def mark_dirty(connection, visits) -> None:
        """Called inside the processor's transaction for every visit it wrote."""
        connection.executemany(
            "INSERT OR IGNORE INTO nm_dirty_visits (id, site_id) VALUES (?, ?)",
            [(visit.id, visit.site_id) for visit in visits],
        )

    # Reading

    def _duckdb(self):
        import duckdb

        with self._duck_lock:
            if self._duck is None or self._duck_pid != os.getpid():  # not inherited across a fork
                self._duck = duckdb.connect(config={"threads": os.cpu_count() or 2})
                self._duck.execute("SET parquet_metadata_cache = true")
                self._duck_pid = os.getpid()
                self.local = threading.local()
            if getattr(self.local, "cursor", None) is None:
                self.local.cursor = self._duck.cursor()
            return self.local.cursor

    def _snapshot(self, site_id: int) -> dict:
        """Manifest, tombstones and hot tail of one site, read in one SQLite transaction."""
        connection = self.connect()
        connection.execute("BEGIN")
        try:
            segments = connection.execute(
                "SELECT kind, path FROM nm_segments WHERE site_id = ? ORDER BY seq", (site_id,)
            ).fetchall()
            watermark = _watermark(connection)
            tombstones = connection.execute(
                "SELECT id, below FROM nm_tombstones WHERE site_id = ?", (site_id,)
            ).fetchall()
            visit_columns = ", ".join(f"v.{name}" for name in VISIT_COLUMNS)
            hot_visits = connection.execute(
                f"SELECT {visit_columns} FROM nm_dirty_visits d JOIN nm_visits v ON v.id = d.id"  # noqa: S608
                " WHERE d.site_id = ?",
                (site_id,),
            ).fetchall()
            hot_events = connection.execute(
                f"SELECT {', '.join(EVENT_COLUMNS)} FROM nm_events WHERE id > ? AND +site_id = ?",  # noqa: S608 - rowid range, not the site index
                (watermark, site_id),
            ).fetchall()
        finally:
            connection.execute("COMMIT")
        return {
            "visits": [self.directory / path for kind, path in segments if kind == "visits"],
            "events": [self.directory / path for kind, path in segments if kind == "events"],
            "tombstones": tombstones,
            "hot_visits": hot_visits,
            "hot_events": hot_events,
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

    @staticmethod
    def _views(cursor, site_id: int, snapshot: dict) -> None:
        cursor.register("nm_hot_visits", _table(snapshot["hot_visits"], VISIT_COLUMNS))
        cursor.register("nm_hot_events", _table(snapshot["hot_events"], EVENT_COLUMNS))
        visit_columns = ", ".join(VISIT_COLUMNS)
        event_columns = ", ".join(EVENT_COLUMNS)
        visits = f"SELECT {visit_columns} FROM nm_hot_visits"
        if snapshot["visits"]:
            files = ", ".join(_quote(str(path)) for path in snapshot["visits"])
            hidden = ""
            if snapshot["tombstones"]:
                cursor.register("nm_tombs", _table(snapshot["tombstones"], ("id", "below")))
                hidden = " AND NOT EXISTS (SELECT 1 FROM nm_tombs t WHERE t.id = s.id AND s.seg < t.below)"
            visits += (
                f" UNION ALL SELECT {visit_columns} FROM read_parquet([{files}]) s"
                f" WHERE s.site_id = {int(site_id)} AND s.id NOT IN (SELECT id FROM nm_hot_visits){hidden}"
            )
        events = f"SELECT {event_columns} FROM nm_hot_events"
        if snapshot["events"]:
            files = ", ".join(_quote(str(path)) for path in snapshot["events"])
            events += f" UNION ALL SELECT {event_columns} FROM read_parquet([{files}])"
        cursor.execute(f"CREATE OR REPLACE TEMP VIEW nm_visits AS {visits}")
        cursor.execute(f"CREATE OR REPLACE TEMP VIEW nm_events AS {events}")

    def close(self) -> None:
        with self._duck_lock:
            if self._duck is not None and self._duck_pid == os.getpid():
                self._duck.close()
            self._duck = None
            self.local = threading.local()

    # Sealing (one process at a time)

    @contextlib.contextmanager
    def _sealer_lock(self) -> Iterator[bool]:
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / ".sealer.lock", "a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def seal(self, now_ms: int | None = None, *, clock_ms: int | None = None) -> dict[str, int]:
        """Copy what is ready into segments, merge full levels, delete old garbage. Returns the
        rows sealed per kind; nothing when another process is sealing right now. ``now_ms`` decides
        which visits have ended; ``clock_ms`` (the real time unless given) the garbage's age."""
        clock_ms = int(time.time() * 1000) if clock_ms is None else clock_ms
        now_ms = clock_ms if now_ms is None else now_ms
        sealed = {"visits": 0, "events": 0, "merged": 0}
        with self._sealer_lock() as mine:
            if not mine:
                return sealed
            self._collect_garbage(clock_ms)
            while True:
                events = self._seal_events()
                visits = self._seal_visits(now_ms - VISIT_TIMEOUT_MS - SEAL_MARGIN_MS)
                sealed["events"] += events
                sealed["visits"] += visits
                if events < SEAL_BATCH and visits < SEAL_BATCH:
                    break
            sealed["merged"] = self._merge_levels(clock_ms)
        return sealed

    def _next_seq(self, connection) -> int:
        row = connection.execute("SELECT COALESCE(MAX(seq), 0) FROM nm_segments").fetchone()
        garbage = connection.execute("SELECT value FROM nm_columnar WHERE key = 'last_seq'").fetchone()
        return max(row[0], garbage[0] if garbage else 0) + 1

    def _write_file(self, site_id: int, kind: str, seq: int, table) -> str:
        import pyarrow.parquet as pq

        relative = f"site-{site_id}/{kind}-{seq:09d}-{secrets.token_hex(4)}.parquet"
        target = self.directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        pq.write_table(table, partial, compression="zstd")
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        partial.rename(target)
        return relative

    @staticmethod
    def _record(connection, seq: int, site_id: int, kind: str, level: int, path: str, rows: int) -> None:
        connection.execute(
            "INSERT INTO nm_segments (seq, site_id, kind, level, path, rows) VALUES (?, ?, ?, ?, ?, ?)",
            (seq, site_id, kind, level, path, rows),
        )
        connection.execute(
            "INSERT INTO nm_columnar (key, value) VALUES ('last_seq', ?)"
            " ON CONFLICT (key) DO UPDATE SET value = MAX(value, excluded.value)",
            (seq,),
        )

    def _seal_events(self) -> int:
        connection = self.connect()
        connection.execute("BEGIN IMMEDIATE")
        try:
            watermark = _watermark(connection)
            rows = connection.execute(
                f"SELECT {', '.join(EVENT_COLUMNS)} FROM nm_events WHERE id > ? ORDER BY id LIMIT ?",  # noqa: S608
                (watermark, SEAL_BATCH),
            ).fetchall()
            if not rows:
                connection.execute("COMMIT")
                return 0
            by_site: dict[int, list] = {}
            for row in rows:
                if row[2]:  # clicks (no site) are read from SQLite
                    by_site.setdefault(row[2], []).append(row)
            seq = self._next_seq(connection)
            for site_id, site_rows in by_site.items():
                site_rows.sort(key=lambda row: row[3])
                path = self._write_file(site_id, "events", seq, _table(site_rows, EVENT_COLUMNS))
                self._record(connection, seq, site_id, "events", 0, path, len(site_rows))
                seq += 1
            connection.execute("UPDATE nm_columnar SET value = ? WHERE key = 'watermark'", (rows[-1][0],))
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return len(rows)

    def _seal_visits(self, ended_before_ms: int) -> int:
        connection = self.connect()
        connection.execute("BEGIN IMMEDIATE")
        try:
            visit_columns = ", ".join(f"v.{name}" for name in VISIT_COLUMNS)
            rows = connection.execute(
                f"SELECT {visit_columns} FROM nm_dirty_visits d JOIN nm_visits v ON v.id = d.id"  # noqa: S608
                " WHERE v.end_ts < ? ORDER BY v.site_id, v.start_ts LIMIT ?",
                (ended_before_ms, SEAL_BATCH),
            ).fetchall()
            if not rows:
                connection.execute("COMMIT")
                return 0
            by_site: dict[int, list] = {}
            for row in rows:
                by_site.setdefault(row[2], []).append(row)
            seq = self._next_seq(connection)
            for site_id, site_rows in by_site.items():
                ids = [row[0] for row in site_rows]
                resealed = self._already_sealed(connection, site_id, ids)
                path = self._write_file(site_id, "visits", seq, _table(site_rows, VISIT_COLUMNS, seg=seq))
                self._record(connection, seq, site_id, "visits", 0, path, len(site_rows))
                connection.executemany(
                    "INSERT INTO nm_tombstones (site_id, id, below) VALUES (?, ?, ?)"
                    " ON CONFLICT (site_id, id) DO UPDATE SET below = excluded.below",
                    [(site_id, visit_id, seq) for visit_id in resealed],
                )
                seq += 1
            for start in range(0, len(rows), 500):
                chunk = [row[0] for row in rows[start : start + 500]]
                marks = ", ".join("?" for _ in chunk)
                connection.execute(f"DELETE FROM nm_dirty_visits WHERE id IN ({marks})", chunk)  # noqa: S608
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return len(rows)

    def _already_sealed(self, connection, site_id: int, ids: list[int]) -> list[int]:
        files = [
            self.directory / path
            for (path,) in connection.execute(
                "SELECT path FROM nm_segments WHERE site_id = ? AND kind = 'visits'", (site_id,)
            ).fetchall()
        ]
        if not files:
            return []
        import duckdb

        with duckdb.connect() as duck:
            duck.register("nm_ids", _table([(visit_id,) for visit_id in ids], ("id",)))
            listed = ", ".join(_quote(str(path)) for path in files)
            found = duck.execute(
                f"SELECT DISTINCT s.id FROM read_parquet([{listed}]) s JOIN nm_ids USING (id)"
            ).fetchall()
        return [row[0] for row in found]

    def _merge_levels(self, now_ms: int) -> int:
        merged = 0
        while (group := self._full_level()) is not None:
            self._merge(group, now_ms)
            merged += 1
        return merged

    def _full_level(self):
        rows = (
            self.connect()
            .execute(
                "SELECT site_id, kind, level FROM nm_segments GROUP BY site_id, kind, level"
                " HAVING COUNT(*) >= ? ORDER BY level LIMIT 1",
                (MERGE_FANIN,),
            )
            .fetchone()
        )
        if rows is None:
            return None
        site_id, kind, level = rows
        segments = (
            self.connect()
            .execute(
                "SELECT seq, path FROM nm_segments WHERE site_id = ? AND kind = ? AND level = ?"
                " ORDER BY seq LIMIT ?",
                (site_id, kind, level, MERGE_FANIN),
            )
            .fetchall()
        )
        return site_id, kind, level, segments

    def _merge(self, group, now_ms: int) -> None:
        """Rewrite one level's segments as one of the next level (tombstoned copies dropped)."""
        import duckdb

        site_id, kind, level, segments = group
        connection = self.connect()
        seq = self._next_seq(connection)
        listed = ", ".join(_quote(str(self.directory / path)) for _, path in segments)
        tombstones = connection.execute(
            "SELECT id, below FROM nm_tombstones WHERE site_id = ?", (site_id,)
        ).fetchall()
        with duckdb.connect() as duck:
            if kind == "visits":
                duck.register("nm_tombs", _table(tombstones, ("id", "below")))
                columns = ", ".join(f"s.{name}" for name in VISIT_COLUMNS)
                select = (
                    f"SELECT {columns}, {seq}::BIGINT AS seg FROM read_parquet([{listed}]) s"
                    " WHERE NOT EXISTS (SELECT 1 FROM nm_tombs t WHERE t.id = s.id AND s.seg < t.below)"
                    " ORDER BY s.start_ts"
                )
            else:
                select = f"SELECT * FROM read_parquet([{listed}]) ORDER BY ts"
            table = duck.sql(select).to_arrow_table()
        path = self._write_file(site_id, kind, seq, table)
        connection.execute("BEGIN IMMEDIATE")
        try:
            marks = ", ".join("?" for _ in segments)
            connection.execute(
                f"DELETE FROM nm_segments WHERE seq IN ({marks})",  # noqa: S608
                [old for old, _ in segments],
            )
            connection.executemany(
                "INSERT OR REPLACE INTO nm_garbage (path, since) VALUES (?, ?)",
                [(old_path, now_ms) for _, old_path in segments],
            )
            self._record(connection, seq, site_id, kind, level + 1, path, table.num_rows)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def _collect_garbage(self, now_ms: int) -> None:
        connection = self.connect()
        old = connection.execute(
            "SELECT path FROM nm_garbage WHERE since < ?", (now_ms - GARBAGE_GRACE_MS,)
        ).fetchall()
        for (path,) in old:
            (self.directory / path).unlink(missing_ok=True)
        if old:
            connection.executemany("DELETE FROM nm_garbage WHERE path = ?", old)

    # Deleting

    def delete_site(self, connection, site_id: int) -> list[str]:
        """Inside the store's delete transaction: forget the site's segments; returns their files."""
        paths = [
            row[0] for row in connection.execute("SELECT path FROM nm_segments WHERE site_id = ?", (site_id,))
        ]
        for statement in (
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
        for statement in (
            "DELETE FROM nm_segments",
            "DELETE FROM nm_tombstones",
            "DELETE FROM nm_garbage",
            "DELETE FROM nm_columnar",
            "DELETE FROM nm_dirty_visits",
        ):
            connection.execute(statement)
        self._initialise(connection)


def reset_after_restore(events_db: Path) -> None:
    """A restored ``events.db`` lists segments of another time: forget them, make every row hot,
    and delete this folder's segments; the next seal rounds rebuild them from SQLite."""
    with contextlib.closing(sqlite3.connect(events_db, timeout=30, isolation_level=None)) as connection:
        if connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'nm_columnar'").fetchone() is None:
            return
        connection.execute("BEGIN IMMEDIATE")
        Columnar(events_db.parent / "columnar", lambda: connection).reset(connection)
        connection.execute("COMMIT")
    for path in (events_db.parent / "columnar").glob("site-*/*.parquet"):
        path.unlink(missing_ok=True)


def _watermark(connection) -> int:
    row = connection.execute("SELECT value FROM nm_columnar WHERE key = 'watermark'").fetchone()
    return row[0] if row else 0


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
