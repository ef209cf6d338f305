"""The columnar read side of the SQLite store: segments and the hot tail together answer exactly
what SQLite holds, through late events, merges, deletions, restarts and a concurrent sealer."""

import fcntl
import threading
import time

import pytest

from netmark.analytics.stores.columnar import GARBAGE_GRACE_MS, MERGE_FANIN, reset_after_restore
from netmark.analytics.stores.sql import SqlEventStore
from netmark.analytics.tests.helpers import event, make_site, query_for

# The read side belongs to the SQLite store: each test opens one of its own, whichever database the
# records are in (the PostgreSQL run of the suite too).
pytestmark = pytest.mark.django_db
T0 = 1_790_000_000_000
MIN = 60_000
LATER = 2**62  # a seal "now" after every visit has ended


@pytest.fixture
def site(team_a):
    return make_site(team_a.workspace)


@pytest.fixture
def store(tmp_path):
    store = SqlEventStore(directory=tmp_path / "events")
    yield store
    store.close()


def segments(store, kind=None):
    rows = store.db.connect("events").execute("SELECT kind, level, path FROM nm_segments").fetchall()
    return [row for row in rows if kind is None or row[0] == kind]


def load_and_seal(store, *events, now_ms=LATER):
    store.append(list(events))
    store.process_all()
    return store.seal(now_ms=now_ms)


def test_sealed_rows_leave_the_hot_tail_and_answers_stay_the_same(site, store):
    store.append(
        [event(site, T0, 1, path="/a"), event(site, T0 + MIN, 1, path="/b"), event(site, T0, 2, path="/a")]
    )
    store.process_all()
    before = store.totals(query_for(site))
    sealed = store.seal(now_ms=LATER)
    assert (sealed["visits"], sealed["events"]) == (2, 3)
    assert store.totals(query_for(site)) == before
    assert (before.visitors, before.visits, before.pageviews, before.bounces) == (2, 2, 3, 1)
    hot = store.db.connect("events").execute("SELECT COUNT(*) FROM nm_dirty_visits").fetchone()[0]
    assert hot == 0
    assert {kind for kind, _, _ in segments(store)} == {"visits", "events"}


def test_an_open_visit_stays_hot_until_it_has_ended(site, store):
    load_and_seal(store, event(site, T0, 1, path="/a"), now_ms=T0 + 10 * MIN)
    assert segments(store, "visits") == []  # it may still go on
    assert store.totals(query_for(site)).visits == 1
    store.seal(now_ms=T0 + 40 * MIN)
    assert len(segments(store, "visits")) == 1
    assert store.totals(query_for(site)).visits == 1


def test_a_late_event_for_a_sealed_visit_replaces_its_sealed_copy(site, store):
    load_and_seal(store, event(site, T0, 1, path="/a"))
    store.append([event(site, T0 + 5 * MIN, 1, path="/b")])  # arrives after the seal
    store.process_all()
    hot = store.totals(query_for(site))
    assert (hot.visits, hot.pageviews, hot.bounces) == (1, 2, 0)
    store.seal(now_ms=LATER)
    resealed = store.totals(query_for(site))
    assert (resealed.visits, resealed.pageviews, resealed.bounces, resealed.duration_ms) == (1, 2, 0, 5 * MIN)
    exits = {value: row.visits for value, row in store.breakdown(query_for(site), "exit_path")}
    assert exits == {"/b": 1}


def test_full_levels_merge_with_the_same_answers_and_old_files_go_after_the_grace(site, store):
    for number in range(MERGE_FANIN):
        load_and_seal(store, event(site, T0 + number * 60 * MIN, number + 1, path=f"/p{number}"))
    store.append([event(site, T0 + 5 * MIN, 1, path="/late")])  # the first visit changes again
    store.process_all()
    store.seal(now_ms=LATER)
    levels = sorted(level for kind, level, _ in segments(store, "visits"))
    assert levels == [0, 1]
    totals = store.totals(query_for(site))
    assert (totals.visits, totals.pageviews, totals.bounces) == (
        MERGE_FANIN,
        MERGE_FANIN + 1,
        MERGE_FANIN - 1,
    )
    directory = store.columnar.directory
    garbage = [row[0] for row in store.db.connect("events").execute("SELECT path FROM nm_garbage")]
    assert garbage and all((directory / path).exists() for path in garbage)  # a reader may still read them
    store.seal(now_ms=LATER, clock_ms=int(time.time() * 1000) + GARBAGE_GRACE_MS + 1000)
    assert not any((directory / path).exists() for path in garbage)


def test_delete_site_removes_its_segments(site, store):
    load_and_seal(store, event(site, T0, 1, path="/a"))
    files = [store.columnar.directory / path for _, _, path in segments(store)]
    assert files and all(path.exists() for path in files)
    store.delete_site(site.workspace_id, site.pk)
    assert segments(store) == [] and not any(path.exists() for path in files)
    assert store.totals(query_for(site)).visits == 0


def test_a_store_that_had_data_before_the_read_side_shows_all_of_it(site, tmp_path):
    plain = SqlEventStore(directory=tmp_path, columnar=False)
    plain.append([event(site, T0, 1, path="/a"), event(site, T0, 2, path="/b")])
    plain.process_all()
    plain.close()
    columnar = SqlEventStore(directory=tmp_path)
    assert columnar.totals(query_for(site)).visits == 2
    columnar.seal(now_ms=LATER)
    assert columnar.totals(query_for(site)).visits == 2
    columnar.close()


def test_only_one_process_seals_at_a_time(site, store):
    store.append([event(site, T0, 1, path="/a")])
    store.process_all()
    store.columnar.directory.mkdir(parents=True, exist_ok=True)
    with open(store.columnar.directory / ".sealer.lock", "a+b") as other_process:
        fcntl.flock(other_process, fcntl.LOCK_EX)
        assert store.seal(now_ms=LATER) == {"visits": 0, "events": 0, "merged": 0}
        fcntl.flock(other_process, fcntl.LOCK_UN)
    assert store.seal(now_ms=LATER)["visits"] == 1


def test_readers_never_count_twice_or_miss_while_a_sealer_works(site, tmp_path):
    store = SqlEventStore(directory=tmp_path)
    events = [
        event(site, T0 + number * 40 * MIN, number % 7, path=f"/p{number % 5}") for number in range(200)
    ]
    store.append(events)
    store.process_all()
    want = store.totals(query_for(site))
    seen, failures = [], []

    def read() -> None:
        reader = SqlEventStore(directory=tmp_path)
        try:
            for _ in range(40):
                seen.append(reader.totals(query_for(site)))
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            reader.close()

    thread = threading.Thread(target=read)
    thread.start()
    for round_end in range(T0, T0 + 200 * 40 * MIN, 400 * MIN):
        store.seal(now_ms=round_end)
    thread.join()
    store.close()
    assert failures == []
    assert seen and all(totals == want for totals in seen)


def test_after_a_restore_the_segments_are_forgotten_and_rebuilt(site, store):
    load_and_seal(store, event(site, T0, 1, path="/a"), event(site, T0, 2, path="/b"))
    files = list(store.columnar.directory.glob("site-*/*.parquet"))
    assert files
    store.close()
    reset_after_restore(store.db.paths["events"])
    assert not any(path.exists() for path in files)
    assert segments(store) == []
    assert store.totals(query_for(site)).visits == 2  # from the hot tail
    store.seal(now_ms=LATER)
    assert store.totals(query_for(site)).visits == 2 and len(segments(store, "visits")) == 1


def test_a_failing_seal_is_logged_and_processing_goes_on(site, store, monkeypatch, caplog):
    from netmark.analytics import services

    monkeypatch.setattr(services, "get_store", lambda: store)
    monkeypatch.setattr(services, "_last_seal", float("-inf"))
    store.columnar.directory.write_text("a file where the segments' folder should be")
    store.append([event(site, T0, 1, path="/a")])
    assert services.process_pending() == 1
    assert "sealing the columnar read side failed" in caplog.text
    assert store.totals(query_for(site)).visits == 1  # from the hot tail
