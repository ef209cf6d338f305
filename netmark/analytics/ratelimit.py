"""Per-process token buckets for the public endpoints: per site (its events per minute) and per
client address (``NETMARK_INGEST_PER_IP_MINUTE``). Per process, as the README says of the
embedded default: with N web processes the effective limit is up to N times higher."""

from __future__ import annotations

import threading
import time

from django.conf import settings


class Buckets:
    def __init__(self, max_keys: int = 50_000):
        self.lock = threading.Lock()
        self.state: dict[object, tuple[float, float]] = {}
        self.max_keys = max_keys

    def allow(self, key: object, per_minute: int) -> bool:
        if per_minute <= 0:
            return True
        now = time.monotonic()
        rate = per_minute / 60.0
        with self.lock:
            tokens, stamp = self.state.get(key, (float(per_minute), now))
            tokens = min(float(per_minute), tokens + (now - stamp) * rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            if len(self.state) >= self.max_keys and key not in self.state:
                self.state.clear()  # a flood of addresses: forget, rather than grow without bound
            self.state[key] = (tokens, now)
        return allowed

    def clear(self) -> None:
        with self.lock:
            self.state.clear()


class Limiter:
    def __init__(self):
        self.sites = Buckets()
        self.addresses = Buckets()

    def allow_site(self, site_id: int, per_minute: int) -> bool:
        return self.sites.allow(site_id, per_minute)

    def allow_ip(self, ip: str) -> bool:
        return self.addresses.allow(ip, settings.INGEST_PER_IP_MINUTE)

    def clear(self) -> None:
        self.sites.clear()
        self.addresses.clear()


limiter = Limiter()
