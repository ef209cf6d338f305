"""Visitor identity without cookies (docs/analytics.md, "Identity").

visitor id = keyed BLAKE2b of (site, IP address, user agent) under a random salt. Salts are
installation-wide, one per period kind: daily by default, weekly or monthly by a site's choice,
periods in UTC. The current and the previous salt are kept (a visit that spans the rotation goes
on); older salts are deleted by ``rotate_salts``, after which an old visitor id can never be linked
to an address again. The raw IP address is never stored. A visitor identified as a contact gets an
id derived from the contact instead, stable across any window.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import threading
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, transaction

from netmark.analytics.models import Salt, Site

MASK = (1 << 63) - 1
_cache_lock = threading.Lock()
_salts: dict[str, tuple[date, bytes, bytes | None]] = {}


def period_start(period: str, day: date) -> date:
    if period == Site.SaltPeriod.WEEK:
        return day - timedelta(days=day.weekday())
    if period == Site.SaltPeriod.MONTH:
        return day.replace(day=1)
    return day


def previous_period_start(period: str, start: date) -> date:
    return period_start(period, start - timedelta(days=1))


def _salt_for(period: str, starts_on: date) -> bytes:
    found = Salt.objects.filter(period=period, starts_on=starts_on).values_list("secret", flat=True).first()
    if found is not None:
        return bytes(found)
    try:
        with transaction.atomic():
            Salt.objects.create(period=period, starts_on=starts_on, secret=secrets.token_bytes(32))
    except IntegrityError:
        pass  # another process made it first: use theirs
    return bytes(Salt.objects.get(period=period, starts_on=starts_on).secret)


def salts(period: str, now: datetime | None = None) -> tuple[bytes, bytes | None]:
    """(current salt, previous salt or None) of ``period``; cached per process for the period."""
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    start = period_start(period, today)
    cached = _salts.get(period)
    if cached is not None and cached[0] == start:
        return cached[1], cached[2]
    with _cache_lock:
        current = _salt_for(period, start)
        previous_start = previous_period_start(period, start)
        previous = (
            Salt.objects.filter(period=period, starts_on=previous_start)
            .values_list("secret", flat=True)
            .first()
        )
        previous = bytes(previous) if previous is not None else None
        _salts[period] = (start, current, previous)
    return current, previous


def forget_cached_salts() -> None:
    _salts.clear()


def rotate_salts(now: datetime | None = None) -> int:
    """Create each period's current salt and delete every salt older than the previous one."""
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    deleted = 0
    for period in Site.SaltPeriod.values:
        start = period_start(period, today)
        _salt_for(period, start)
        keep_from = previous_period_start(period, start)
        deleted += Salt.objects.filter(period=period, starts_on__lt=keep_from).delete()[0]
    forget_cached_salts()
    return deleted


def visitor_hash(salt: bytes, site_id: int, ip: str, user_agent: str) -> int:
    digest = hashlib.blake2b(f"{site_id}|{ip}|{user_agent}".encode(), key=salt, digest_size=8).digest()
    return int.from_bytes(digest, "big") & MASK or 1


def visitor_ids(
    site_id: int, period: str, ip: str, user_agent: str, now: datetime | None = None
) -> tuple[int, int]:
    """(visitor id under the current salt, under the previous salt or 0)."""
    current, previous = salts(period, now)
    return (
        visitor_hash(current, site_id, ip, user_agent),
        visitor_hash(previous, site_id, ip, user_agent) if previous else 0,
    )


def contact_visitor(workspace_id: int, contact_ref: str) -> int:
    """A stable visitor id for an identified contact (across salt periods, by design)."""
    key = hashlib.sha256(f"netmark-contact-visitor|{settings.SECRET_KEY}".encode()).digest()
    digest = hashlib.blake2b(f"{workspace_id}|{contact_ref}".encode(), key=key, digest_size=8).digest()
    return int.from_bytes(digest, "big") & MASK or 1


def random_uid() -> int:
    return secrets.randbits(63) or 1


def uid_for(workspace_id: int, key: str) -> int:
    """An event uid derived from a client's idempotency key: a retry stores nothing twice."""
    digest = hashlib.blake2b(f"{workspace_id}|{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") & MASK or 1


@lru_cache(maxsize=1)
def _trusted_networks(proxies: tuple[str, ...]) -> tuple:
    networks = []
    for item in proxies:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            continue
    return tuple(networks)


def _is_trusted(address: str) -> bool:
    networks = _trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if not networks:
        return False
    return _in_networks(address, networks)


@lru_cache(maxsize=4096)
def _in_networks(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(meta: Mapping[str, str]) -> str:
    """The visitor's address: ``REMOTE_ADDR``, or, when that is a configured proxy
    (``NETMARK_TRUSTED_PROXIES``), the right-most address of ``X-Forwarded-For`` that is not one."""
    remote = meta.get("REMOTE_ADDR", "") or ""
    if not _is_trusted(remote):
        return remote
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "") or ""
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote  # a forged or garbled chain: fall back to the proxy itself
        if not _is_trusted(hop):
            return hop
    return hops[0] if hops else remote
