"""Demo traffic: two months of synthetic visits to the demo workspace's website, put through the same
ingestion pipeline as real hits (bots filtered, visitor ids salted, sessions built), so the
dashboard of a first run has something to show."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from netmark.analytics import ingest, sites
from netmark.analytics.models import Site
from netmark.analytics.stores import get_store
from netmark.analytics.synthetic import iter_hits
from netmark.analytics.wire import parse_plausible


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
    events = []
    for hit in iter_hits(2026, domain=domain, start=start, days=days + 1, visitors_per_day=visitors_per_day):
        if hit.ts_ms > now_ms - 10 * 60_000:  # nothing in the future, nothing "live"
            break
        parsed = parse_plausible(json.dumps(hit.body).encode())
        environ = {"REMOTE_ADDR": hit.ip, "HTTP_ACCEPT_LANGUAGE": hit.headers().get("Accept-Language", "")}
        if ingest._drop_reason(info, parsed, hit.ip, hit.user_agent, environ):
            continue
        events.append(ingest.build_event(info, parsed, hit.ip, hit.user_agent, environ, hit.ts_ms / 1000))
    store = get_store()
    for offset in range(0, len(events), 1000):
        store.append(events[offset : offset + 1000])
    store.process_all()
    return len(events)
