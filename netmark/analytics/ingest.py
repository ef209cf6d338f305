"""The ingestion hot path: a request body in, one status out (ARCHITECTURE.md, "One flow").

``handle`` is framework-free (a body, the WSGI environ) so that the public endpoints can run as a
lean WSGI application in front of Django (``netmark/wsgi.py``) and as Django views in the tests,
with the same code. An event answered 202 is durable: in the store's inbox, or in the local spool
when the store is unavailable; when neither can take it the answer is 503 with Retry-After.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from netmark.analytics import classify, identity, sites, spool
from netmark.analytics.ratelimit import limiter
from netmark.analytics.stores import StoreUnavailable, get_store
from netmark.analytics.stores.base import CUSTOM, MICROS, PAGEVIEW, Event
from netmark.analytics.stores.sessions import local_day
from netmark.analytics.wire import BadBody, Hit, parse_plausible, parse_umami

log = logging.getLogger("netmark.analytics")

MAX_BODY = 64 * 1024
PAST_LIMIT_S = 7 * 86400  # a server-side timestamp may reach a week back
FUTURE_LIMIT_S = 300
JSON = [("Content-Type", "application/json")]
CORS = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "POST, OPTIONS"),
    ("Access-Control-Allow-Headers", "Content-Type"),
    ("Access-Control-Max-Age", "86400"),
]


@dataclass(slots=True)
class Answer:
    status: int
    body: bytes
    headers: list[tuple[str, str]]


def _error(status: int, code: str, message: str, retry_after: int | None = None) -> Answer:
    headers = JSON + CORS
    if retry_after is not None:
        headers = [*headers, ("Retry-After", str(retry_after))]
    body = json.dumps({"code": code, "message": message, "fields": {}}).encode()
    return Answer(status, body, headers)


def accepted(protocol: str) -> Answer:
    body = b"{}" if protocol == "umami" else b"ok"
    headers = (JSON if protocol == "umami" else [("Content-Type", "text/plain")]) + CORS
    return Answer(202, body, headers)


def preflight() -> Answer:
    return Answer(204, b"", CORS)


def method_not_allowed() -> Answer:
    answer = _error(405, "method_not_allowed", "Send events with POST.")
    answer.headers.append(("Allow", "POST, OPTIONS"))
    return answer


def handle(protocol: str, body: bytes, environ: dict) -> Answer:
    """Parse, filter, identify and store one request of the Plausible or Umami protocol."""
    if len(body) > MAX_BODY:
        return _error(413, "too_large", f"An event body may hold at most {MAX_BODY} bytes.")
    try:
        hit = parse_umami(body) if protocol == "umami" else parse_plausible(body)
    except BadBody as error:
        return _error(400, "bad_request", str(error))
    ip = hit.ip or identity.client_ip(environ)
    if not limiter.allow_ip(ip):
        spool.count_drop(0, "rate_limited_ip")
        return _error(429, "rate_limited", "Too many events from this address.", retry_after=60)
    targets = [site for key in hit.site_keys if (site := sites.lookup(key, by_public_id=hit.by_public_id))]
    if not targets or hit.identify:
        # Unknown and inactive sites are answered like any other request: nothing is revealed.
        return accepted(protocol)
    now = time.time()
    ts_s = _event_time(hit, now)
    if ts_s is None:
        return _error(400, "bad_request", "payload.timestamp is outside the accepted window.")
    user_agent = (hit.user_agent or environ.get("HTTP_USER_AGENT", ""))[:1024]
    events = []
    for site in targets:
        if not limiter.allow_site(site.id, site.events_per_minute):
            spool.count_drop(site.id, "rate_limited_site")
            return _error(429, "rate_limited", "This site sends more events than it allows.", retry_after=60)
        reason = drop_reason(site, hit, ip, user_agent, environ)
        if reason:
            spool.count_drop(site.id, reason)
            continue
        events.append(build_event(site, hit, ip, user_agent, environ, ts_s))
    if not events:
        return accepted(protocol)
    return store_events(events, protocol)


def store_events(events: list[Event], protocol: str = "plausible") -> Answer:
    try:
        get_store().append(events)
    except StoreUnavailable as error:
        log.warning("event store unavailable, spooling: %s", error)
        if not spool.write(events):
            return _error(503, "unavailable", "Events cannot be stored right now.", retry_after=30)
    return accepted(protocol)


def _event_time(hit: Hit, now: float) -> float | None:
    if hit.timestamp_s is None:
        return now
    if now - PAST_LIMIT_S <= hit.timestamp_s <= now + FUTURE_LIMIT_S:
        return float(hit.timestamp_s)
    return None


def drop_reason(site: sites.SiteInfo, hit: Hit, ip: str, user_agent: str, environ: dict) -> str:
    agent = classify.parse_user_agent(user_agent)
    if agent.is_bot:
        return f"bot_{agent.bot_reason or 'crawler'}"
    if classify.is_prefetch(environ):
        return "prefetch"
    if site.networks and classify.ip_excluded(ip, site.networks):
        return "excluded_ip"
    if site.patterns and classify.path_excluded(hit.path, site.patterns):
        return "excluded_path"
    return ""


def _screen(hit: Hit) -> str:
    if hit.screen:
        return hit.screen
    width = hit.width
    if width is None:
        return ""
    if width < 576:
        return "mobile"
    if width < 992:
        return "tablet"
    if width < 1440:
        return "laptop"
    return "desktop"


def _language(hit: Hit, environ: dict) -> str:
    if hit.language:
        return hit.language
    accept = environ.get("HTTP_ACCEPT_LANGUAGE", "")
    return accept.split(",", 1)[0].split(";", 1)[0].strip()[:35]


def build_event(
    site: sites.SiteInfo, hit: Hit, ip: str, user_agent: str, environ: dict, ts_s: float
) -> Event:
    agent = classify.parse_user_agent(user_agent)
    if hit.distinct_id:
        visitor, previous = identity.contact_visitor(site.workspace_id, hit.distinct_id), 0
        contact_id = int(hit.distinct_id) if hit.distinct_id.isdigit() and len(hit.distinct_id) < 18 else None
    else:
        moment = datetime.fromtimestamp(ts_s, tz=UTC)
        visitor, previous = identity.visitor_ids(site.id, site.salt_period, ip, user_agent, moment)
        contact_id = None
    referrer_host = classify.referrer_host(hit.referrer)
    channel, source = classify.classify_source(
        referrer_host, hit.utm.get("utm_source", ""), hit.utm.get("utm_medium", ""), site.domain
    )
    if channel == "direct" and not hit.utm:
        referrer_host = ""
    return Event(
        uid=identity.random_uid(),
        workspace_id=site.workspace_id,
        site_id=site.id,
        ts=int(ts_s * 1000),
        kind=PAGEVIEW if hit.name == "pageview" else CUSTOM,
        name=hit.name,
        visitor=visitor,
        previous_visitor=previous,
        contact_id=contact_id,
        hostname=hit.hostname,
        path=hit.path,
        referrer=hit.referrer if referrer_host else "",
        referrer_host=referrer_host,
        channel=channel,
        source=source,
        device=agent.device,
        browser=agent.browser,
        os=agent.os,
        screen=_screen(hit),
        language=_language(hit, environ),
        revenue_micros=int(hit.revenue * MICROS) if hit.revenue is not None else None,
        currency=hit.currency,
        props=hit.props,
        tz=site.timezone,
        **{
            key: hit.utm.get(key, "")
            for key in ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
        },
    )


def today(tz: str) -> int:
    return local_day(int(time.time() * 1000), tz)
