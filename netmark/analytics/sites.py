"""What the ingestion hot path needs to know about a site, cached per process for 30 seconds.

An edit of a site's settings (exclusions, rate, time zone) reaches every web process within the
cache lifetime; unknown keys are cached too, so a flood for a made-up domain costs no queries.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass

from netmark.analytics import classify
from netmark.analytics.models import Site

TTL_SECONDS = 30.0
_lock = threading.Lock()
_cache: dict[tuple[bool, str], tuple[float, SiteInfo | None]] = {}


@dataclass(frozen=True, slots=True)
class SiteInfo:
    id: int
    workspace_id: int
    domain: str
    timezone: str
    salt_period: str
    events_per_minute: int
    networks: tuple
    patterns: tuple[str, ...]

    @classmethod
    def of(cls, site: Site) -> SiteInfo:
        return cls(
            id=site.pk,
            workspace_id=site.workspace_id,
            domain=site.domain,
            timezone=site.timezone,
            salt_period=site.salt_period,
            events_per_minute=site.events_per_minute,
            networks=classify.parse_networks(site.excluded_ips),
            patterns=classify.parse_patterns(site.excluded_paths),
        )


def _load(key: str, by_public_id: bool) -> SiteInfo | None:
    sites = Site.unscoped.filter(is_active=True)  # installation-wide: the key names the site
    if by_public_id:
        try:
            sites = sites.filter(public_id=uuid.UUID(key))
        except ValueError:
            return None
    else:
        sites = sites.filter(domain=key.removeprefix("www."))
    site = sites.first()
    return SiteInfo.of(site) if site is not None else None


def lookup(key: str, *, by_public_id: bool = False) -> SiteInfo | None:
    now = time.monotonic()
    cached = _cache.get((by_public_id, key))
    if cached is not None and cached[0] > now:
        return cached[1]
    info = _load(key, by_public_id)
    with _lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[(by_public_id, key)] = (now + TTL_SECONDS, info)
    return info


def forget() -> None:
    _cache.clear()
