"""Sealing for the columnar read side (``columnar``'s docstring tells the design): copies events
past the watermark and ended dirty visits into Parquet segments, merges full levels, deletes the
garbage of earlier merges. One process at a time holds the sealer lock; the others skip."""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

from netmark.analytics.stores import rollups
from netmark.analytics.stores.columnar import (
    EVENT_COLUMNS,
    GARBAGE_GRACE_MS,
    MERGE_FANIN,
    SEAL_BATCH,
    SEAL_MARGIN_MS,
    arrow_table,
    duckdb_config,
    immediate,
    quote_literal,
    read_watermark,
)
from netmark.analytics.stores.schema import VISIT_COLUMNS
from netmark.analytics.stores.sessions import VISIT_TIMEOUT_MS


class Sealer:
    def __init__(self, directory: Path, connect):
        self.directory = directory
        self.connect = connect  # the store's connection to events.db

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

    def seal(
        self, now_ms: int | None = None, *, clock_ms: int | None = None, rebuild: bool = False
    ) -> dict[str, int]:
        """Copy what is ready into segments, merge full levels, delete old garbage. Returns the
        rows sealed per kind; nothing when another process is sealing right now. ``now_ms`` decides
        which visits have ended; ``clock_ms`` (the real time unless given) the garbage's age and
        when rollups are due (``rebuild``: every site whose rollup is out of date, now)."""
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
            sealed["rollups"] = self._build_rollups(clock_ms, force=rebuild)
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
        with immediate(self.connect()) as connection:
            watermark = read_watermark(connection)
            rows = connection.execute(
                f"SELECT {', '.join(EVENT_COLUMNS)} FROM nm_events WHERE id > ? ORDER BY id LIMIT ?",  # noqa: S608
                (watermark, SEAL_BATCH),
            ).fetchall()
            if not rows:
                return 0
            by_site: dict[int, list] = {}
            for row in rows:
                if row[2]:  # clicks (no site) are read from SQLite
                    by_site.setdefault(row[2], []).append(row)
            seq = self._next_seq(connection)
            for site_id, site_rows in by_site.items():
                site_rows.sort(key=lambda row: row[3])
                path = self._write_file(site_id, "events", seq, arrow_table(site_rows, EVENT_COLUMNS))
                self._record(connection, seq, site_id, "events", 0, path, len(site_rows))
                rollups.mark_changed(connection, site_id, {row[4] for row in site_rows})
                seq += 1
            connection.execute("UPDATE nm_columnar SET value = ? WHERE key = 'watermark'", (rows[-1][0],))
        return len(rows)

    def _seal_visits(self, ended_before_ms: int) -> int:
        with immediate(self.connect()) as connection:
            visit_columns = ", ".join(f"v.{name}" for name in VISIT_COLUMNS)
            rows = connection.execute(
                f"SELECT {visit_columns}, d.sealed FROM nm_dirty_visits d JOIN nm_visits v ON v.id = d.id"  # noqa: S608
                " WHERE v.end_ts < ? ORDER BY v.site_id, v.start_ts LIMIT ?",
                (ended_before_ms, SEAL_BATCH),
            ).fetchall()
            if not rows:
                return 0
            by_site: dict[int, list] = {}
            for row in rows:
                by_site.setdefault(row[2], []).append(row[:-1])
            # A dirty visit flagged ``sealed`` has an older copy in some segment: hide it.
            resealed_ids = {row[0] for row in rows if row[-1]}
            seq = self._next_seq(connection)
            for site_id, site_rows in by_site.items():
                resealed = [row[0] for row in site_rows if row[0] in resealed_ids]
                table = arrow_table(site_rows, VISIT_COLUMNS, seg=seq)
                path = self._write_file(site_id, "visits", seq, table)
                self._record(connection, seq, site_id, "visits", 0, path, len(site_rows))
                connection.executemany(
                    "INSERT INTO nm_tombstones (site_id, id, below) VALUES (?, ?, ?)"
                    " ON CONFLICT (site_id, id) DO UPDATE SET below = excluded.below",
                    [(site_id, visit_id, seq) for visit_id in resealed],
                )
                days = {row[7] for row in site_rows} | self._sealed_days(connection, site_id, resealed)
                rollups.mark_changed(connection, site_id, days)
                seq += 1
            for start in range(0, len(rows), 500):
                chunk = [row[0] for row in rows[start : start + 500]]
                marks = ", ".join("?" for _ in chunk)
                connection.execute(f"DELETE FROM nm_dirty_visits WHERE id IN ({marks})", chunk)  # noqa: S608
        return len(rows)

    def _sealed_days(self, connection, site_id: int, ids: list[int]) -> set[int]:
        """The days of the copies already in segments of these visits (their rollups change)."""
        if not ids:
            return set()
        import duckdb

        files = self._files(connection, site_id, "visits")
        if not files:
            return set()
        with duckdb.connect(config=duckdb_config(self.directory)) as duck:
            duck.register("nm_ids", arrow_table([(visit_id,) for visit_id in ids], ("id",)))
            rows = duck.execute(
                f"SELECT DISTINCT day FROM read_parquet([{files}]) WHERE id IN (SELECT id FROM nm_ids)"
            ).fetchall()
        return {row[0] for row in rows}

    def _files(self, connection, site_id: int, kind: str) -> str:
        rows = connection.execute(
            "SELECT path FROM nm_segments WHERE site_id = ? AND kind = ? ORDER BY seq", (site_id, kind)
        ).fetchall()
        return ", ".join(quote_literal(str(self.directory / path)) for (path,) in rows)

    def _build_rollups(self, clock_ms: int, *, force: bool) -> int:
        """Rebuild the rollups that are due from the site's segments (see ``rollups``)."""
        connection = self.connect()
        built = 0
        for (site_id,) in connection.execute("SELECT DISTINCT site_id FROM nm_segments").fetchall():
            if not rollups.due(connection, self.directory, site_id, clock_ms, force=force):
                continue
            result = self._build_rollup(connection, site_id)
            with immediate(connection):
                old = rollups.install(connection, site_id, result, clock_ms)
                connection.executemany(
                    "INSERT OR REPLACE INTO nm_garbage (path, since) VALUES (?, ?)",
                    [(path, clock_ms) for path in old],
                )
            built += 1
        return built

    def _build_rollup(self, connection, site_id: int) -> dict:
        import duckdb

        tombstones = connection.execute(
            "SELECT id, below FROM nm_tombstones WHERE site_id = ?", (site_id,)
        ).fetchall()
        visits = self._files(connection, site_id, "visits")
        events = self._files(connection, site_id, "events")
        columns = ", ".join(f"s.{name}" for name in VISIT_COLUMNS)
        visits_sql, events_sql = "SELECT * FROM nm_no_visits", "SELECT * FROM nm_no_events"
        if visits:
            visits_sql = (
                f"SELECT {columns} FROM read_parquet([{visits}]) s WHERE s.site_id = {int(site_id)}"
                " AND NOT EXISTS (SELECT 1 FROM nm_tombs t WHERE t.id = s.id AND s.seg < t.below)"
            )
        if events:
            events_sql = f"SELECT * FROM read_parquet([{events}])"
        with duckdb.connect(config=duckdb_config(self.directory)) as duck:
            duck.register("nm_tombs", arrow_table(tombstones, ("id", "below")))
            duck.register("nm_no_visits", arrow_table([], VISIT_COLUMNS))
            duck.register("nm_no_events", arrow_table([], EVENT_COLUMNS))
            seq = self._next_seq(connection)
            previous = rollups.read_manifest(connection, site_id)
            return rollups.build(duck, self.directory, site_id, seq, visits_sql, events_sql, previous)

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
        listed = ", ".join(quote_literal(str(self.directory / path)) for _, path in segments)
        tombstones = connection.execute(
            "SELECT id, below FROM nm_tombstones WHERE site_id = ?", (site_id,)
        ).fetchall()
        with duckdb.connect(config=duckdb_config(self.directory)) as duck:
            if kind == "visits":
                duck.register("nm_tombs", arrow_table(tombstones, ("id", "below")))
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
        with immediate(connection):
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

    def _collect_garbage(self, now_ms: int) -> None:
        connection = self.connect()
        old = connection.execute(
            "SELECT path FROM nm_garbage WHERE since < ?", (now_ms - GARBAGE_GRACE_MS,)
        ).fetchall()
        for (path,) in old:
            (self.directory / path).unlink(missing_ok=True)
        if old:
            connection.executemany("DELETE FROM nm_garbage WHERE path = ?", old)
