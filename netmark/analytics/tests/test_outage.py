"""ING-OUT and ING-FULL: while the event store is unavailable, events go to the local spool and are
answered 202; when even the spool cannot take them the answer is 503 with Retry-After, never 202.
After recovery every accepted event is stored once."""

import json
import sqlite3
from contextlib import contextmanager

import pytest

from netmark.analytics import services, spool
from netmark.analytics.stores import get_store, reset_store
from netmark.analytics.tests.helpers import make_site, query_for

pytestmark = pytest.mark.django_db
UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0"


@pytest.fixture
def site(team_a, settings):
    settings.EVENTS_BUSY_TIMEOUT = 0.05
    reset_store()
    return make_site(team_a.workspace, domain="outage.example.com")


def send(client, number: int):
    body = {
        "name": "pageview",
        "url": f"https://outage.example.com/p{number}",
        "domain": "outage.example.com",
    }
    return client.post("/api/event", json.dumps(body), content_type="text/plain", HTTP_USER_AGENT=UA)


@contextmanager
def store_down(store):
    """The store is unavailable: another process holds the SQLite inbox exclusively, or the
    PostgreSQL server cannot be reached."""
    store.create_tables()
    if store.db.dialect == "sqlite":
        blocker = sqlite3.connect(store.db.paths["inbox"], isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        return
    real_url = store.db.url
    store.db.url = "host=127.0.0.1 port=9 dbname=none connect_timeout=1"
    store.db.close_all()
    try:
        yield
    finally:
        store.db.url = real_url
        store.db.close_all()


def test_spooled_events_reach_the_store_exactly_once(client, site, settings):
    store = get_store()
    with store_down(store):
        answers = [send(client, number).status_code for number in range(12)]
    assert answers == [202] * 12
    assert spool.pending() == 12
    services.process_pending()
    services.process_pending()  # a second drain finds nothing more to do
    assert spool.pending() == 0
    totals = store.totals(query_for(site))
    assert totals.pageviews == 12
    # A replayed spool file (a drainer that crashed before deleting it) stores nothing twice.
    uids = [row[0] for row in store._fetch("events", "SELECT uid FROM nm_events")]
    assert len(uids) == len(set(uids)) == 12


def test_when_the_spool_cannot_write_the_answer_is_503_with_retry_after(client, site, settings):
    store = get_store()
    (settings.DATA_DIR / "spool").write_text("a file where the spool folder should be: every write fails")
    with store_down(store):
        response = send(client, 1)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert store.pending() == 0
