"""The SQL event store: SQLite files under the data folder (default) or PostgreSQL.

Connections are per thread (``drivers``). SQLite runs in WAL mode with ``synchronous=NORMAL``: a
committed append survives a crash of the process (the test kills the server with SIGKILL);
surviving a power cut as well needs ``synchronous=FULL`` (``NETMARK_EVENTS_FSYNC=1``). On SQLite
the reports read through the columnar read side (``columnar``) unless it is switched off;
PostgreSQL answers them itself.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from netmark.analytics.stores import schema
from netmark.analytics.stores.base import Event, StoreUnavailable
from netmark.analytics.stores.columnar import Columnar
from netmark.analytics.stores.contact_events import ContactEvents
from netmark.analytics.stores.drivers import Postgres, Sqlite
from netmark.analytics.stores.sessions import VISIT_TIMEOUT_MS, Visit, sessionize
from netmark.analytics.stores.sql_reports import CHUNK, SqlReports


class SqlEventStore(ContactEvents, SqlReports):
    """``EventStore`` on SQLite or PostgreSQL (see ``stores/base.py`` for the contract)."""

    def __init__(
        self,
        *,
        directory: Path | None = None,
        url: str | None = None,
        fsync: bool = False,
        busy_timeout: float = 1.0,
        columnar: bool = True,
    ):
        self.columnar: Columnar | None = None
        if url:
            self.db = Postgres(url, busy_timeout=busy_timeout)
        else:
            assert directory is not None
            directory.mkdir(parents=True, exist_ok=True)
            self.db = Sqlite(directory, fsync=fsync, busy_timeout=busy_timeout)
            if columnar:
                self.columnar = Columnar(directory / "columnar", lambda: self.db.connect("events"))
        self.errors = self._errors()
        self._ready = False

    # Plumbing

    @staticmethod
    def _errors() -> tuple[type[BaseException], ...]:
        import psycopg

        return (sqlite3.Error, psycopg.Error)

    def _connection(self, name: str):
        if not self._ready:
            self.create_tables()
        return self.db.connect(name)

    def create_tables(self) -> None:
        try:
            for name, statements in (("inbox", schema.INBOX), ("events", schema.EVENTS)):
                connection = self.db.connect(name)
                for statement in statements[self.db.dialect]:
                    connection.execute(statement)
            if self.columnar is not None:
                self.columnar.create_tables(self.db.connect("events"))
        except self.errors as error:
            raise StoreUnavailable(str(error)) from error
        self._ready = True

    @contextmanager
    def _transaction(self, name: str) -> Iterator:
        try:
            connection = self._connection(name)
            self.db.begin(connection)
        except self.errors as error:
            raise StoreUnavailable(str(error)) from error
        try:
            yield connection
            connection.execute("COMMIT")
        except self.errors as error:
            self._rollback(connection)
            raise StoreUnavailable(str(error)) from error
        except BaseException:
            self._rollback(connection)
            raise

    def _rollback(self, connection) -> None:
        try:
            connection.execute("ROLLBACK")
        except self.errors:
            self.db.close()  # a broken connection is reopened on next use

    def _fetch(self, name: str, statement: str, params: Sequence = ()) -> list:
        try:
            connection = self._connection(name)
            return list(connection.execute(self.db.sql(statement), params).fetchall())
        except self.errors as error:
            self.db.close()
            raise StoreUnavailable(str(error)) from error

    def _many(self, connection, statement: str, rows: list) -> None:
        if rows:
            connection.cursor().executemany(self.db.sql(statement), rows)

    def close(self) -> None:
        if self.columnar is not None:
            self.columnar.close()
        self.db.close_all()

    def truncate_all(self) -> None:
        """Empty every table (tests on PostgreSQL, where the tables outlive a test)."""
        for name, tables in (("inbox", ("nm_inbox",)), ("events", ("nm_events", "nm_visits", "nm_drops"))):
            with self._transaction(name) as connection:
                for table in tables:
                    connection.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names

    # Writing

    def append(self, events: Sequence[Event]) -> int:
        rows = [(event.to_json(),) for event in events]
        with self._transaction("inbox") as connection:
            self._many(connection, "INSERT INTO nm_inbox (body) VALUES (?)", rows)
        return len(rows)

    def pending(self) -> int:
        return int(self._fetch("inbox", "SELECT COUNT(*) FROM nm_inbox")[0][0])

    def count_drop(self, site_id: int, day: int, reason: str, count: int = 1) -> None:
        with self._transaction("events") as connection:
            connection.execute(
                self.db.sql(
                    "INSERT INTO nm_drops (site_id, day, reason, count) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (site_id, day, reason)"
                    " DO UPDATE SET count = nm_drops.count + excluded.count"
                ),
                (site_id, day, reason, count),
            )

    def drops(self, site_id: int, start_day: int, end_day: int) -> dict[str, int]:
        rows = self._fetch(
            "events",
            "SELECT reason, SUM(count) FROM nm_drops WHERE site_id = ? AND day >= ? AND day <= ?"
            " GROUP BY reason",
            (site_id, start_day, end_day),
        )
        return {reason: int(count) for reason, count in rows}

    def process(self, limit: int = 2000) -> int:
        """Move the oldest inbox events into visits and events. Idempotent: an event whose uid is
        already stored is skipped, so a crash between the two commits repeats nothing."""
        batch = self._fetch("inbox", "SELECT id, body FROM nm_inbox ORDER BY id LIMIT ?", (limit,))
        if not batch:
            return 0
        events: dict[int, Event] = {}
        for _, body in batch:
            event = Event.from_json(body)
            events.setdefault(event.uid, event)
        with self._transaction("events") as connection:
            for uid in self._stored_uids(connection, list(events)):
                events.pop(uid)
            fresh = list(events.values())
            open_visits = self._open_visits(connection, fresh)
            touched, rows = sessionize(fresh, open_visits)
            self._write(connection, touched, rows)
            if self.columnar is not None:
                self.columnar.mark_dirty(connection, touched.values())
        ids = [row[0] for row in batch]
        with self._transaction("inbox") as connection:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                marks = ", ".join("?" for _ in chunk)
                connection.execute(self.db.sql(f"DELETE FROM nm_inbox WHERE id IN ({marks})"), chunk)
        return len(batch)

    def process_all(self, limit: int = 2000) -> int:
        total = 0
        while moved := self.process(limit):
            total += moved
        return total

    def _stored_uids(self, connection, uids: list[int]) -> set[int]:
        stored: set[int] = set()
        for start in range(0, len(uids), CHUNK):
            chunk = uids[start : start + CHUNK]
            marks = ", ".join("?" for _ in chunk)
            statement = self.db.sql(f"SELECT uid FROM nm_events WHERE uid IN ({marks})")
            stored.update(row[0] for row in connection.execute(statement, chunk).fetchall())
        return stored

    def _open_visits(self, connection, events: list[Event]) -> dict[tuple[int, int], Visit]:
        by_site: dict[int, set[int]] = {}
        earliest: dict[int, int] = {}
        for event in events:
            if event.site_id:
                keys = by_site.setdefault(event.site_id, set())
                keys.add(event.visitor)
                if event.previous_visitor:
                    keys.add(event.previous_visitor)
                earliest[event.site_id] = min(earliest.get(event.site_id, event.ts), event.ts)
        columns = ", ".join(schema.VISIT_COLUMNS)
        found: dict[tuple[int, int], Visit] = {}
        for site_id, visitors in by_site.items():
            visitors_list = list(visitors)
            for start in range(0, len(visitors_list), CHUNK):
                chunk = visitors_list[start : start + CHUNK]
                marks = ", ".join("?" for _ in chunk)
                statement = self.db.sql(
                    f"SELECT {columns} FROM nm_visits WHERE site_id = ? AND visitor IN ({marks})"
                    " AND end_ts >= ? ORDER BY end_ts"
                )
                params = [site_id, *chunk, earliest[site_id] - VISIT_TIMEOUT_MS]
                for row in connection.execute(statement, params).fetchall():
                    visit = Visit.from_row(row)
                    found[(site_id, visit.visitor)] = visit  # the latest wins (ordered by end)
        return found

    def _write(self, connection, touched: dict[int, Visit], rows: list) -> None:
        visit_columns = ", ".join(schema.VISIT_COLUMNS)
        updates = ", ".join(f"{name} = excluded.{name}" for name in schema.VISIT_COLUMNS[1:])
        self._many(
            connection,
            f"INSERT INTO nm_visits ({visit_columns}) VALUES ({', '.join('?' for _ in schema.VISIT_COLUMNS)})"
            f" ON CONFLICT (id) DO UPDATE SET {updates}",
            [visit.row() for visit in touched.values()],
        )
        event_columns = ", ".join(schema.EVENT_COLUMNS)
        self._many(
            connection,
            f"INSERT INTO nm_events ({event_columns}) VALUES ({', '.join('?' for _ in schema.EVENT_COLUMNS)})"
            " ON CONFLICT (uid) DO NOTHING",
            rows,
        )

    def seal(
        self, now_ms: int | None = None, *, clock_ms: int | None = None, rebuild: bool = False
    ) -> dict[str, int]:
        """Bring the columnar read side up to date (the processor calls this after each round)."""
        if self.columnar is None:
            return {}
        import duckdb

        try:
            self._connection("events")
            return self.columnar.seal(now_ms, clock_ms=clock_ms, rebuild=rebuild)
        except (*self.errors, duckdb.Error, OSError) as error:  # OSError: a segment file (disk full)
            raise StoreUnavailable(str(error)) from error

    def delete_site(self, workspace_id: int, site_id: int) -> int:
        files: list[str] = []
        with self._transaction("events") as connection:
            if self.columnar is not None:
                files = self.columnar.delete_site(connection, site_id)
            deleted = connection.execute(
                self.db.sql("DELETE FROM nm_events WHERE workspace_id = ? AND site_id = ?"),
                (workspace_id, site_id),
            ).rowcount
            connection.execute(
                self.db.sql("DELETE FROM nm_visits WHERE workspace_id = ? AND site_id = ?"),
                (workspace_id, site_id),
            )
            connection.execute(self.db.sql("DELETE FROM nm_drops WHERE site_id = ?"), (site_id,))
        if self.columnar is not None:
            self.columnar.remove_files(files)
        return deleted
