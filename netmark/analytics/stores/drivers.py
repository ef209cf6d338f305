"""Connections of the SQL event store, one per thread: SQLite files (WAL, ``synchronous=NORMAL``,
or FULL with ``NETMARK_EVENTS_FSYNC``) or PostgreSQL."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path

from netmark.analytics.stores.base import StoreUnavailable


class Sqlite:
    dialect = "sqlite"

    def __init__(self, directory: Path, *, fsync: bool = False, busy_timeout: float = 1.0):
        self.paths = {"inbox": directory / "inbox.db", "events": directory / "events.db"}
        # An append waits at most this long for a lock before the event goes to the spool.
        self.timeouts = {"inbox": busy_timeout, "events": max(busy_timeout, 10.0)}
        self.synchronous = "FULL" if fsync else "NORMAL"
        self.local = threading.local()
        self.opened: list = []  # every thread's connections, so that close() reaches them all

    def connect(self, name: str):
        connections = self.local.__dict__.setdefault("connections", {})
        connection = connections.get(name)
        if connection is None:
            try:
                connection = sqlite3.connect(
                    self.paths[name], timeout=self.timeouts[name], isolation_level=None
                )
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute(f"PRAGMA synchronous={self.synchronous}")
                connection.execute("PRAGMA temp_store=MEMORY")
                connection.execute("PRAGMA cache_size=-65536")
            except sqlite3.Error as error:
                raise StoreUnavailable(str(error)) from error
            connections[name] = connection
            self.opened.append(connection)
        return connection

    def begin(self, connection) -> None:
        connection.execute("BEGIN IMMEDIATE")

    @staticmethod
    def sql(statement: str) -> str:
        return statement

    def close(self) -> None:
        """Close this thread's connections (a failed one is reopened on next use)."""
        for connection in self.local.__dict__.pop("connections", {}).values():
            connection.close()

    def close_all(self) -> None:
        self.close()
        for connection in self.opened:
            # One made in another thread that is still running goes with that thread.
            with contextlib.suppress(sqlite3.ProgrammingError):
                connection.close()
        self.opened.clear()


class Postgres:
    dialect = "postgresql"

    def __init__(self, url: str, *, busy_timeout: float = 1.0):
        self.url = url
        self.connect_timeout = max(1, round(busy_timeout * 2))
        self.local = threading.local()
        self.opened: list = []

    def connect(self, name: str):
        import psycopg

        connection = getattr(self.local, "connection", None)
        if connection is None or connection.closed:
            try:
                connection = psycopg.connect(self.url, autocommit=True, connect_timeout=self.connect_timeout)
            except psycopg.Error as error:
                raise StoreUnavailable(str(error)) from error
            self.local.connection = connection
            self.opened.append(connection)
        return connection

    def begin(self, connection) -> None:
        connection.execute("BEGIN")

    @staticmethod
    def sql(statement: str) -> str:
        return statement.replace("%", "%%").replace("?", "%s")

    def close(self) -> None:
        connection = getattr(self.local, "connection", None)
        if connection is not None:
            connection.close()
            self.local.connection = None

    def close_all(self) -> None:
        self.close()
        for connection in self.opened:
            connection.close()
        self.opened.clear()
