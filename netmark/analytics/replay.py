"""Synthetic hits (``synthetic.iter_hits``) through ingestion's own steps, without HTTP: the Plausible
body parsed, bots and exclusions dropped, the salted visitor id built at the hit's own time. The demo
workspace's traffic and the truth tests both replay hits this way."""

from __future__ import annotations

import json
from collections.abc import Iterable

from netmark.analytics import ingest, sites
from netmark.analytics.stores.base import Event
from netmark.analytics.wire import parse_plausible


def events_from_hits(site: sites.SiteInfo, hits: Iterable) -> tuple[list[Event], int]:
    """The events ingestion would store for ``hits``, and how many hits it would drop."""
    events, dropped = [], 0
    for hit in hits:
        parsed = parse_plausible(json.dumps(hit.body).encode())
        environ = {"REMOTE_ADDR": hit.ip, "HTTP_ACCEPT_LANGUAGE": hit.headers().get("Accept-Language", "")}
        if ingest.drop_reason(site, parsed, hit.ip, hit.user_agent, environ):
            dropped += 1
            continue
        events.append(ingest.build_event(site, parsed, hit.ip, hit.user_agent, environ, hit.ts_ms / 1000))
    return events, dropped
