"""Demo traffic: two months of synthetic visits to the demo workspace's website, put through the same
ingestion pipeline as real hits (bots filtered, visitor ids salted, sessions built), so the
dashboard of a first run has something to show."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from netmark.analytics import sites
from netmark.analytics.models import Site
from netmark.analytics.replay import events_from_hits
from netmark.analytics.stores import get_store
from netmark.analytics.synthetic import iter_hits


def load_demo_traffic(workspace, domain: str, *, days: int = 60, visitors_per_day: int = 40) -> int:
    """Create the demo site and ingest ``days`` of traffic ending now; returns the events stored
    (0 when another workspace already measures ``domain``)."""
    if Site.unscoped.filter(domain=domain).exists():
        return 0
    site = Site.unscoped.create(workspace=workspace, name="云岭茶业官网 Yunling Tea shop", domain=domain)
    sites.forget()
    info = sites.SiteInfo.of(site)
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    start = (datetime.now(UTC) - timedelta(days=days)).date()
    recent = itertools.takewhile(  # nothing in the future, nothing "live"
        lambda hit: hit.ts_ms <= now_ms - 10 * 60_000,
        iter_hits(2026, domain=domain, start=start, days=days + 1, visitors_per_day=visitors_per_day),
    )
    events, _dropped = events_from_hits(info, recent)
    store = get_store()
    for offset in range(0, len(events), 1000):
        store.append(events[offset : offset + 1000])
    store.process_all()
    return len(events)
