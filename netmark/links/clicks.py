"""The links app's door to analytics: recording short-link clicks and reading their counts.

Analytics owns events (``netmark.analytics.services``): it classifies bots and link previews,
hashes the visitor and makes the event durable. This module only adapts a link and a request to
its calls, and fills in zeros for links without clicks.
"""

import logging
import time
from collections.abc import Sequence

from netmark.analytics import services as analytics
from netmark.links.utm import FIELDS

log = logging.getLogger("netmark.links")
EMPTY_COUNTS = {"raw": 0, "unique": 0, "bots": 0}


def client_ip(request) -> str:
    return analytics.client_ip(request.META)


def record_click(link, request, *, via_qr: bool) -> bool:
    """Hands one click (or QR scan) of ``link`` to analytics; False when it could not be stored.

    The redirect happens either way: a visitor is never kept from the destination by bookkeeping.
    """
    try:
        return analytics.record_click(
            workspace_id=link.workspace_id,
            link_id=link.pk,
            ts_ms=int(time.time() * 1000),
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            referrer=request.headers.get("Referer", ""),
            headers=request.headers,
            utm={field: getattr(link, field) for field in FIELDS if getattr(link, field)},
            via_qr=via_qr,
        )
    except Exception:  # noqa: BLE001 - the visitor still gets the redirect; the failure is logged
        log.exception("short link click not recorded", extra={"workspace_id": link.workspace_id})
        return False


def click_counts(workspace_id: int, link_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """``{link_id: {"raw", "unique", "bots"}}`` for every id asked for (zeros when none)."""
    ids = list(link_ids)
    found = analytics.link_click_counts(workspace_id, ids) if ids else {}
    return {link_id: {**EMPTY_COUNTS, **found.get(link_id, {})} for link_id in ids}


def link_visits_and_conversions(workspace_id: int, link_ids: Sequence[int]) -> dict | None:
    """Visits and conversions per link: a hook for analytics, None (unknown, shown as "—") until it
    provides them. When it does, answer ``{link_id: {"visits": n, "conversions": n}}``."""
    return None


def with_stats(links: Sequence) -> list:
    """The links with ``clicks`` ({raw, unique, bots}), ``visits`` and ``conversions`` attached."""
    links = list(links)
    if not links:
        return links
    workspace_id = links[0].workspace_id
    ids = [link.pk for link in links]
    counts = click_counts(workspace_id, ids)
    outcomes = link_visits_and_conversions(workspace_id, ids) or {}
    for link in links:
        link.clicks = counts[link.pk]
        link.visits = outcomes.get(link.pk, {}).get("visits")
        link.conversions = outcomes.get(link.pk, {}).get("conversions")
    return links
