"""The local spool: where acknowledged events wait while the event store is unavailable.

Each web process appends JSON lines to ``<data>/spool/<pid>.jsonl`` (one ``write`` per request,
under an exclusive ``flock``; with ``NETMARK_EVENTS_FSYNC=1`` also fsync'd). The drainer (the
processor loop) renames a file before reading it, takes the same lock so that a write in progress
finishes first, appends every line to the store — idempotent by event uid — and deletes the file.
A writer that finds its file renamed or deleted under its lock writes to a new one.

Drop counters (bots, exclusions, rate limits) are kept in memory and flushed to the store every
few seconds; a crash loses at most those seconds of counts, never an event.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from django.conf import settings

from netmark.analytics.stores import StoreUnavailable, get_store
from netmark.analytics.stores.base import Event

log = logging.getLogger("netmark.analytics")
FLUSH_SECONDS = 5.0

_drops: Counter = Counter()
_drops_lock = threading.Lock()
_last_flush = time.monotonic()


def directory() -> Path:
    return Path(settings.DATA_DIR) / "spool"


def write(events: list[Event]) -> bool:
    """Append ``events`` durably to this process's spool file; False when even that fails."""
    data = "".join(event.to_json() + "\n" for event in events).encode()
    folder = directory()
    path = folder / f"{os.getpid()}.jsonl"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for _ in range(3):
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                if _still_linked(fd, path):
                    _write_all(fd, data)
                    if settings.EVENTS_FSYNC:
                        os.fsync(fd)
                    return True
            finally:
                os.close(fd)
    except OSError as error:
        log.error("spool write failed, refusing the event: %s", error)
        return False
    return False


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _still_linked(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino and os.fstat(fd).st_nlink > 0
    except FileNotFoundError:
        return False


def drain() -> int:
    """Move every spooled event into the store; returns how many lines were moved."""
    folder = directory()
    if not folder.is_dir():
        return 0
    moved = 0
    for path in sorted(folder.glob("*.jsonl")):
        draining = path.with_name(f"{path.stem}.{uuid.uuid4().hex}.draining")
        try:
            path.rename(draining)
        except FileNotFoundError:
            continue
        moved += _drain_file(draining)
    for draining in sorted(folder.glob("*.draining")):  # left by a drainer that crashed
        moved += _drain_file(draining)
    return moved


def _drain_file(path: Path) -> int:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return 0
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a write in progress finishes first
        with os.fdopen(os.dup(fd), "rb") as handle:
            lines = [line for line in handle.read().splitlines() if line.strip()]
    finally:
        os.close(fd)
    events = []
    for line in lines:
        try:
            events.append(Event.from_json(line.decode()))
        except (ValueError, TypeError):
            log.error("unreadable spool line in %s kept aside", path.name)
            _keep_aside(path, line)
    for start in range(0, len(events), 1000):
        get_store().append(events[start : start + 1000])  # raises StoreUnavailable: retried later
    path.unlink()
    return len(events)


def _keep_aside(path: Path, line: bytes) -> None:
    with open(path.with_suffix(".rejected"), "ab") as handle:
        handle.write(line + b"\n")


def pending() -> int:
    folder = directory()
    if not folder.is_dir():
        return 0
    total = 0
    for path in [*folder.glob("*.jsonl"), *folder.glob("*.draining")]:
        try:
            with open(path, "rb") as handle:
                total += sum(1 for line in handle if line.strip())
        except FileNotFoundError:
            continue
    return total


def count_drop(site_id: int, reason: str) -> None:
    global _last_flush
    with _drops_lock:
        _drops[(site_id, reason)] += 1
        due = time.monotonic() - _last_flush >= FLUSH_SECONDS
    if due:
        flush_drops()


def flush_drops() -> None:
    global _last_flush
    from netmark.analytics.ingest import today

    with _drops_lock:
        counts = dict(_drops)
        _drops.clear()
        _last_flush = time.monotonic()
    if not counts:
        return
    try:
        store = get_store()
        day = today("UTC")
        for (site_id, reason), count in counts.items():
            store.count_drop(site_id, day, reason, count)
    except StoreUnavailable as error:
        log.warning("drop counters not saved: %s", error)
        with _drops_lock:
            _drops.update(counts)


def discard_counters() -> None:
    """Forget unsaved drop counters (tests)."""
    global _last_flush
    with _drops_lock:
        _drops.clear()
        _last_flush = time.monotonic()
