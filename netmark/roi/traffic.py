"""Visits, conversions and revenue of one channel, from the event store, by its links' UTM values.

The KPI registry measures a whole promotion; it has no channel dimension. A channel's share is
the traffic that arrived with the UTM (source, medium, campaign) of that channel's tracked links
(links app): those triples are disjoint per link, so their totals add up without double counting.
"""

import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal


@dataclass
class Traffic:
    visits: int = 0
    conversions: int = 0
    revenue: Decimal = Decimal("0.00")


def _bounds(workspace, first: datetime.date, last: datetime.date) -> tuple[int, int]:
    zone = zoneinfo.ZoneInfo(workspace.time_zone or "UTC")
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
    return int(start.timestamp() * 1000), int(end.timestamp() * 1000)


def link_triples(workspace, *, plan_id: int | None = None) -> dict[int, set[tuple[str, str, str]]]:
    """``{channel account id: {(source, medium, campaign), ...}}`` of the workspace's links."""
    from netmark.core.scoping import scoped
    from netmark.links.models import Link

    links = scoped(Link, workspace)
    if plan_id is not None:
        links = links.filter(plan_id=plan_id)
    found: dict[int, set] = {}
    for account_id, *triple in links.values_list(
        "channel_account_id", "utm_source", "utm_medium", "utm_campaign"
    ):
        found.setdefault(account_id, set()).add(tuple(triple))
    return found


def traffic_for(workspace, triples, first: datetime.date, last: datetime.date) -> Traffic:
    """The event store's totals over every site of the workspace for these UTM triples."""
    from netmark.analytics.models import Site
    from netmark.analytics.stores import get_store
    from netmark.analytics.stores.base import Filter, Query

    result = Traffic()
    if not triples:
        return result
    start_ms, end_ms = _bounds(workspace, first, last)
    micros = 0
    for site in Site.unscoped.filter(workspace_id=workspace.pk):
        for source, medium, campaign in sorted(triples):
            filters = (
                Filter("utm_source", source),
                Filter("utm_medium", medium),
                Filter("utm_campaign", campaign),
            )
            found = get_store().totals(Query(workspace.pk, site.pk, start_ms, end_ms, site.timezone, filters))
            result.visits += found.visits
            result.conversions += found.events
            micros += found.revenue_micros
    result.revenue = (Decimal(micros) / 1_000_000).quantize(Decimal("0.01"))
    return result
