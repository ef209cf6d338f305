"""Shared test helpers: a site, a query over all time, events built by hand."""

from itertools import count

from netmark.analytics.models import Site
from netmark.analytics.stores.base import PAGEVIEW, Event, Query

WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.60(0x18003c2f) NetType/WIFI Language/zh_CN"
)
_uids = count(1)


def make_site(workspace, *, domain: str = "shop.example.com", **extra) -> Site:
    return Site.unscoped.create(workspace=workspace, name=domain, domain=domain, **extra)


def query_for(site: Site, filters=(), start_ms: int = 0, end_ms: int = 2**62) -> Query:
    return Query(site.workspace_id, site.pk, start_ms, end_ms, site.timezone, tuple(filters))


def event(
    site: Site, ts: int, visitor: int, *, kind: str = PAGEVIEW, name: str = "pageview", **fields
) -> Event:
    return Event(
        uid=next(_uids),
        workspace_id=site.workspace_id,
        ts=ts,
        kind=kind,
        name=name,
        visitor=visitor,
        tz=site.timezone,
        **{"site_id": site.pk, **fields},
    )
