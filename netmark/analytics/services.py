"""Analytics services: sites, clicks from short links, server-side conversions, processing.

Reports are in ``reports.py``; the hot path of the public endpoints in ``ingest.py``.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from netmark.analytics import classify, identity, ingest, sites, spool
from netmark.analytics.channels import channel_label  # noqa: F401 - re-exported
from netmark.analytics.kpis import plan_campaign  # noqa: F401 - re-exported
from netmark.analytics.models import Site
from netmark.analytics.reports import Period, make_query, parse_goal, period_or_default
from netmark.analytics.stores import StoreUnavailable, get_store
from netmark.analytics.stores.base import CLICK, CONVERSION, CUSTOM, MICROS, Event, Goal
from netmark.analytics.stores.queries import TOUCH_DIMENSIONS
from netmark.analytics.stores.queries import UTM_SEPARATOR as UTM_SEPARATOR  # for roi's promotion labels
from netmark.analytics.wire import UTM_KEYS
from netmark.core import records
from netmark.core.errors import Unavailable, ValidationFailed
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped

log = logging.getLogger("netmark.analytics")
client_ip = identity.client_ip
CLICK_SALT_PERIOD = Site.SaltPeriod.DAY
SITE_FIELDS = (
    "name",
    "domain",
    "timezone",
    "salt_period",
    "excluded_ips",
    "excluded_paths",
    "events_per_minute",
)


# Sites


def list_sites(workspace):
    return scoped(Site, workspace)


def get_site(workspace, site_id) -> Site:
    return get_for(Site, workspace, site_id)


def create_site(member, **data) -> Site:
    data["domain"] = _clean_domain(data.get("domain", ""))
    site = records.create_record(member, Site, data, capability=Capability.EXECUTE)
    sites.forget()
    return site


def update_site(member, site_id, **data) -> Site:
    if "domain" in data:
        data["domain"] = _clean_domain(data["domain"])
    site = records.update_record(member, Site, site_id, data, capability=Capability.EXECUTE)
    sites.forget()
    return site


def delete_site(member, site_id) -> int:
    """Delete a site and all of its events (owners only: it erases data)."""
    site = get_for(Site, member.workspace, site_id)
    require(member, Capability.ERASE)
    deleted = get_store().delete_site(member.workspace_id, site.pk)
    records.delete_record(member, Site, site.pk)
    sites.forget()
    return deleted


def _clean_domain(value: str) -> str:
    value = (value or "").strip().lower()
    for prefix in ("https://", "http://"):
        value = value.removeprefix(prefix)
    return value.rstrip("/").removeprefix("www.")


def tracker_snippet(site: Site, public_url: str) -> str:
    return (
        f'<script defer data-domain="{site.domain}" src="{public_url}/static/analytics/netmark.js"></script>'
    )


# Short-link clicks (links app)


def record_click(
    *,
    workspace_id: int,
    link_id: int,
    ts_ms: int,
    ip: str,
    user_agent: str,
    referrer: str,
    headers: Mapping[str, str],
    utm: dict[str, str],
    via_qr: bool,
) -> bool:
    """Record a short-link click or QR scan as a click event; bots and link previews are kept,
    flagged. Returns False when the click could not be stored (the redirect happens anyway)."""
    agent = classify.parse_user_agent(user_agent)
    is_bot = agent.is_bot or classify.is_prefetch(headers)
    moment = datetime.fromtimestamp(ts_ms / 1000, tz=UTC)
    # Clicks have no site: the link id stands in for it in the visitor hash.
    visitor, _previous = identity.visitor_ids(-link_id, CLICK_SALT_PERIOD, ip, user_agent, moment)
    host = classify.referrer_host(referrer)
    channel, source = classify.classify_source(host, utm.get("utm_source", ""), utm.get("utm_medium", ""))
    event = Event(
        uid=identity.random_uid(),
        workspace_id=workspace_id,
        site_id=0,
        ts=ts_ms,
        kind=CLICK,
        name="qr_scan" if via_qr else "click",
        visitor=visitor,
        referrer=referrer[:2000],
        referrer_host=host,
        channel=channel,
        source=source,
        device=agent.device,
        browser=agent.browser,
        os=agent.os,
        link_id=link_id,
        is_bot=is_bot,
        user_agent=user_agent[:1000],
        **{key: (utm.get(key) or "")[:100] for key in UTM_KEYS},
    )
    answer = ingest.store_events([event])
    if answer.status >= 300:
        log.error("click on link %s could not be stored", link_id)
        return False
    return True


def link_click_counts(
    workspace_id: int, link_ids: Sequence[int], start_ms: int = 0, end_ms: int | None = None
):
    """Per link id: ``raw`` clicks, ``unique`` (distinct visitors, bots excluded), ``bots``."""
    if not link_ids:
        return {}
    end = end_ms if end_ms is not None else int(time.time() * 1000) + 86_400_000
    return get_store().link_clicks(workspace_id, list(link_ids), start_ms, end)


# Server-side conversions (REST API)


def record_conversions(member, site_id, items: Sequence[dict]) -> int:
    """Store conversions sent by a back end (offline sales, confirmed orders), all or none.

    Each item: ``name``, optional ``ts`` (datetime, at most a week back), ``revenue`` and
    ``currency``, ``path``, ``contact_ref`` (a contact's reference: the conversion joins their
    history), or ``ip`` + ``user_agent`` of the visitor (it joins their open visit), ``props`` and
    ``idempotency_key`` (a retry with the same key stores nothing twice)."""
    require(member, Capability.EXECUTE)
    site = get_for(Site, member.workspace, site_id)
    info = sites.SiteInfo.of(site)
    now = time.time()
    events, problems = [], {}
    for index, item in enumerate(items):
        try:
            events.append(_conversion_event(info, item, now))
        except ValueError as error:
            problems[f"items.{index}"] = str(error)
    if problems:
        raise ValidationFailed(fields=problems)
    answer = ingest.store_events(events)
    if answer.status >= 300:
        raise Unavailable(_("Events cannot be stored right now."))
    return len(events)


def _conversion_event(site: sites.SiteInfo, item: dict, now: float) -> Event:
    when = item.get("ts")
    ts_s = when.timestamp() if when else now
    if not now - ingest.PAST_LIMIT_S <= ts_s <= now + ingest.FUTURE_LIMIT_S:
        raise ValueError(_("ts must be within the last 7 days."))
    revenue: Decimal | None = item.get("revenue")
    currency = (item.get("currency") or "").upper()
    if revenue is not None and len(currency) != 3:
        raise ValueError(_("A revenue needs a three-letter currency code."))
    contact_ref = item.get("contact_ref") or ""
    if contact_ref:
        visitor, previous = identity.contact_visitor(site.workspace_id, contact_ref), 0
    elif item.get("ip") and item.get("user_agent"):
        visitor, previous = identity.visitor_ids(site.id, site.salt_period, item["ip"], item["user_agent"])
    else:
        visitor, previous = identity.random_uid(), 0
    key = item.get("idempotency_key")
    return Event(
        uid=identity.uid_for(site.workspace_id, f"{site.id}|{key}") if key else identity.random_uid(),
        workspace_id=site.workspace_id,
        site_id=site.id,
        ts=int(ts_s * 1000),
        kind=CONVERSION,
        name=item["name"],
        visitor=visitor,
        previous_visitor=previous,
        contact_id=int(contact_ref) if contact_ref.isdigit() and len(contact_ref) < 18 else None,
        path=item.get("path") or "",
        revenue_micros=int(revenue * MICROS) if revenue is not None else None,
        currency=currency,
        props={str(k)[:120]: str(v)[:300] for k, v in (item.get("props") or {}).items()},
        tz=site.timezone,
    )


# Conversion paths (read by roi's attribution)


def report_period(site: Site, start=None, end=None) -> Period:
    """A report's days in the site's time zone: the last 30 days by default, at most three years."""
    return period_or_default(start, end, site)


@dataclass(frozen=True, slots=True)
class AttributionRows:
    """Touches ``(visitor, contact id, start ms, label)`` and conversions ``(visitor, contact id, ms,
    revenue micro-units)``, oldest first, from ``lookback_ms`` before ``start_ms`` to ``end_ms``."""

    touches: list
    conversions: list
    start_ms: int
    end_ms: int
    lookback_ms: int


def attribution_rows(
    site: Site,
    period: Period,
    goal_texts: Sequence[str],
    *,
    dimension: str = "channel",
    lookback_days: int = 30,
) -> AttributionRows:
    """The visits (touches) and goal events (conversions) behind a site's conversion paths.

    Touches carry the visit's ``dimension``; conversions are events reaching any goal
    (``event:<name>`` or ``page:<pattern>``). Bad goals or dimensions raise ``ValidationFailed``."""
    if dimension not in TOUCH_DIMENSIONS:
        raise ValidationFailed(
            fields={"dimension": _("Unknown dimension: %(name)s.") % {"name": dimension[:40]}}
        )
    if not 0 <= lookback_days <= MAX_LOOKBACK_DAYS:
        raise ValidationFailed(fields={"lookback_days": _("The lookback is 0 to 365 days.")})
    # No goal given: every sale, i.e. server-side conversions and events carrying revenue.
    goals = [parse_goal(text) for text in goal_texts] or [REVENUE_GOAL]
    query = make_query(site, period)
    lookback_ms = lookback_days * 86_400_000
    wide = dataclasses.replace(query, start_ms=query.start_ms - lookback_ms)
    store = get_store()
    try:
        touches, conversions = store.touches(wide, dimension), store.conversion_events(wide, goals)
    except StoreUnavailable as error:
        raise Unavailable(_("Events cannot be read right now.")) from error
    return AttributionRows(touches, conversions, query.start_ms, query.end_ms, lookback_ms)


MAX_LOOKBACK_DAYS = 365
REVENUE_GOAL = Goal("revenue", "")


# Processing


def process_pending(limit: int = 2000, *, drain_spool: bool = True) -> int:
    """Drain the spool into the store, move the inbox into visits and events, and bring the
    columnar read side up to date (at most once every ``SEAL_INTERVAL_S`` per process)."""
    store = get_store()
    if drain_spool:
        spool.drain()
    spool.flush_drops()
    moved = store.process_all(limit)
    global _last_seal
    if time.monotonic() - _last_seal >= SEAL_INTERVAL_S:
        _last_seal = time.monotonic()
        try:
            store.seal()
        except StoreUnavailable as error:
            # Processing goes on and reports stay exact (the rows stay in the hot tail); the next
            # interval tries again.
            log.warning("analytics: sealing the columnar read side failed: %s", error)
    return moved


SEAL_INTERVAL_S = 30.0
_last_seal = float("-inf")


# Email engagement and delivery (mailing app)


def user_agent_is_bot(user_agent: str) -> bool:
    """True for crawlers, monitors, link previews and scripts (the tracker's bot list)."""
    return classify.parse_user_agent(user_agent or "").is_bot


def record_email_event(
    *,
    workspace_id: int,
    ts_ms: int,
    name: str,
    contact_id: int | None,
    utm: dict[str, str],
    props: dict[str, str],
    is_machine: bool = False,
    user_agent: str = "",
) -> bool:
    """Append one email event (``email_sent``, ``email_open``, ``email_click``, ``email_bounce`` ...)
    with its contact and the promotion's UTM, so attribution and KPIs see it. It has no site and no
    visit; machine opens and scanner clicks are kept, flagged ``is_bot``. False when not stored."""
    event = Event(
        uid=identity.random_uid(),
        workspace_id=workspace_id,
        site_id=0,
        ts=ts_ms,
        kind=CUSTOM,
        name=name[:100],
        visitor=int(contact_id or 0),
        contact_id=contact_id,
        channel="email",
        source=(utm.get("utm_source") or "email")[:100],
        is_bot=is_machine,
        user_agent=user_agent[:1000],
        props={str(key)[:50]: str(value)[:500] for key, value in list(props.items())[:20]},
        **{key: (utm.get(key) or "")[:100] for key in UTM_KEYS},
    )
    answer = ingest.store_events([event])
    if answer.status >= 300:
        log.error("email event %s of workspace %s could not be stored", name, workspace_id)
        return False
    return True
