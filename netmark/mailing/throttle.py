"""Sending pace: per SMTP server and per recipient domain, messages per second and per hour.

Per second is paced (one message every ``1 / rate`` seconds; a late send may be made up by at most
``CATCH_UP`` messages), so a receiver sees an even flow; per hour is a sliding window. A wait of up
to ``MAX_WAIT`` seconds is slept through; a longer one (an hourly bound reached) is returned to the
caller, who defers the message (outcome ``deferred`` with ``retry_after``) instead of holding a
worker for an hour. State is per process
(ARCHITECTURE.md "rate limits, caches"); several worker processes each keep the pace they are given.
"""

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_WAIT = 5.0
CATCH_UP = 2
HOUR = 3600.0
# Conservative defaults for the large Chinese and international mailbox providers (docs/mailing.md).
DEFAULT_DOMAIN_LIMITS = {
    "qq.com": {"per_second": 5, "per_hour": 10_000},
    "foxmail.com": {"per_second": 5, "per_hour": 10_000},
    "163.com": {"per_second": 5, "per_hour": 10_000},
    "126.com": {"per_second": 5, "per_hour": 10_000},
    "yeah.net": {"per_second": 3, "per_hour": 5_000},
    "sina.com": {"per_second": 3, "per_hour": 5_000},
    "sohu.com": {"per_second": 3, "per_hour": 5_000},
    "aliyun.com": {"per_second": 3, "per_hour": 5_000},
    "gmail.com": {"per_second": 10, "per_hour": 20_000},
    "outlook.com": {"per_second": 5, "per_hour": 10_000},
    "hotmail.com": {"per_second": 5, "per_hour": 10_000},
    "yahoo.com": {"per_second": 5, "per_hour": 10_000},
}


@dataclass
class Pace:
    """One bound: ``per_second`` (0: none) and ``per_hour`` (0: none)."""

    per_second: float = 0
    per_hour: int = 0
    clock: Callable[[], float] = time.monotonic
    next_at: float = 0.0
    sent: deque = field(default_factory=deque)

    def wait_needed(self, now: float) -> float:
        wait = max(0.0, self.next_at - now) if self.per_second else 0.0
        if self.per_hour:
            while self.sent and self.sent[0] <= now - HOUR:
                self.sent.popleft()
            if len(self.sent) >= self.per_hour:
                wait = max(wait, self.sent[0] + HOUR - now)
        return wait

    def take(self, at: float) -> None:
        if self.per_second:
            # A send that ran late may be made up by up to CATCH_UP messages, so jitter does not
            # lower the rate; the long-run pace never exceeds per_second.
            interval = 1.0 / self.per_second
            earliest = at - CATCH_UP * interval if self.next_at else at
            self.next_at = max(self.next_at, earliest) + interval
        if self.per_hour:
            self.sent.append(at)


class Throttle:
    """The pace of one SMTP server and of each recipient domain sent to through it."""

    def __init__(
        self,
        per_second: float,
        per_hour: int = 0,
        domain_limits: dict | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.clock, self.sleep = clock, sleep
        self.server = Pace(per_second, per_hour)
        self.limits = {**DEFAULT_DOMAIN_LIMITS, **{k.lower(): v for k, v in (domain_limits or {}).items()}}
        self.domains: dict[str, Pace] = {}
        self.lock = threading.Lock()

    def _paces(self, domain: str) -> list[Pace]:
        paces = [self.server]
        limit = self.limits.get(domain)
        if limit:
            if domain not in self.domains:
                self.domains[domain] = Pace(limit.get("per_second", 0), limit.get("per_hour", 0))
            paces.append(self.domains[domain])
        return paces

    def acquire(self, recipient: str) -> float:
        """Waits for a slot for ``recipient`` and takes it (0.0), or returns the seconds to defer by
        when the wait would exceed ``MAX_WAIT`` (nothing taken)."""
        domain = recipient.rpartition("@")[2].lower()
        with self.lock:
            paces = self._paces(domain)
            now = self.clock()
            wait = max(pace.wait_needed(now) for pace in paces)
            if wait > MAX_WAIT:
                return wait
            at = now + wait
            for pace in paces:
                pace.take(at)
        if wait > 0:
            self.sleep(wait)
        return 0.0
