"""The event store this installation runs (ARCHITECTURE.md, "Embedded default and scale").

``NETMARK_EVENTS_URL`` (PostgreSQL) when set; else the records database when it is PostgreSQL;
else SQLite files ``events.db`` and ``inbox.db`` in the data folder. Callers use ``get_store()``
and never learn which backend answers.
"""

from __future__ import annotations

import threading

from django.conf import settings

from netmark.analytics.stores.base import EventStore, StoreUnavailable
from netmark.analytics.stores.sql import SqlEventStore

__all__ = ["EventStore", "StoreUnavailable", "get_store", "reset_store"]

_lock = threading.Lock()
_store: SqlEventStore | None = None


def _postgres_url() -> str | None:
    if settings.EVENTS_URL:
        return settings.EVENTS_URL
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        return None
    # Read at first use, not at import: under the tests this is the test database.
    from psycopg.conninfo import make_conninfo

    parts = {
        "dbname": database["NAME"],
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": str(database["PORT"]) if database.get("PORT") else None,
    }
    return make_conninfo(**{key: value for key, value in parts.items() if value})


def get_store() -> SqlEventStore:
    global _store
    if _store is None:
        with _lock:
            if _store is None:
                url = _postgres_url()
                directory = None if url else settings.DATA_DIR
                _store = SqlEventStore(
                    directory=directory,
                    url=url,
                    fsync=settings.EVENTS_FSYNC,
                    busy_timeout=settings.EVENTS_BUSY_TIMEOUT,
                    columnar=settings.EVENTS_COLUMNAR,
                )
    return _store


def reset_store() -> None:
    """Forget the store (tests, and after a restore); the next ``get_store`` opens it again."""
    global _store
    with _lock:
        if _store is not None:
            _store.close()
        _store = None
