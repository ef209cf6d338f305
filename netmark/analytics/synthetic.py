"""Synthetic web traffic for one site, with its true metrics known by construction.

``iter_hits`` plans persons, visits and hits from one seeded ``random.Random`` and streams them in
time order (bounded memory: one day of hits at a time); ``generate`` keeps them in a list. Each
``Hit`` carries what a browser sends to ``POST /api/event`` (the Plausible body, the user agent, the
address for ``X-Forwarded-For``, the language for ``Accept-Language``) and the generator's own labels:
the person, the visit and whether it is a bot. ``truth`` (``synthetic_truth`` part below) computes
the metrics from those labels in plain Python, never through netmark's sessionization or store, so
comparing the two tests netmark.

Invariants of the plan: inside a visit consecutive hits are 1 s to 10 min apart (always < 30 min);
two visits of one person are >= 31 min apart; a person's address and user agent never change and no
two persons share both; bots (``is_bot``) are not part of the truth.
"""

from __future__ import annotations

import bisect
import math
import operator
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from netmark.analytics.synthetic_tables import (
    ACCEPT_LANGUAGE,
    AGENTS,
    BOT_AGENTS,
    BROWSE,
    DAY_MS,
    DEVICES,
    ENTRY,
    HOUR_MS,
    IPS,
    OTHER_SOURCES,
    OUTBOUND,
    PAGEVIEWS,
    PRODUCT_PAGES,
    PRODUCTS,
    SOURCES,
    UTC_HOURS,
    VISIT_GAP_MS,
    WECHAT,
    WIDTHS,
    pick,
    weighted,
)
from netmark.analytics.synthetic_truth import DEFAULT_FUNNEL, DEFAULT_GOALS, Row, Truth, truth

__all__ = ["DEFAULT_FUNNEL", "DEFAULT_GOALS", "Hit", "Row", "Traffic", "Truth", "generate", "iter_hits",
           "seasonal", "truth", "visitors_for"]  # fmt: skip


class Hit(NamedTuple):
    ts_ms: int
    ip: str
    user_agent: str
    body: dict
    person: int
    visit: int
    is_bot: bool
    device: str = ""  # the device class the generator chose: desktop, mobile or tablet
    language: str = ""  # zh-CN or en-US, sent as Accept-Language

    def headers(self) -> dict[str, str]:
        headers = {
            "User-Agent": self.user_agent,
            "X-Forwarded-For": self.ip,
            "Content-Type": "application/json",
        }
        if self.language:
            headers["Accept-Language"] = ACCEPT_LANGUAGE.get(self.language, self.language)
        return headers


@dataclass(slots=True)
class Traffic:
    hits: list[Hit]
    domain: str
    start_ms: int  # 00:00 UTC of the first day
    end_ms: int  # 00:00 UTC after the last day (a few visits run past it)
    seed: int = 0


@dataclass(slots=True)
class _Person:
    id: int
    ip: str
    agent: str
    device: str  # desktop, mobile, tablet; wechat persons are mobile
    wechat: bool
    language: str
    width: int
    last_end: int = -VISIT_GAP_MS


class _Generator:
    def __init__(self, seed: int, domain: str, options: dict):
        self.rng = random.Random(seed)
        self.domain = domain
        self.base = f"https://{domain}"
        self.bot_share = options["bot_share"]
        self.purchase_share = options["purchase_share"]
        self.returning_share = options["returning_share"]
        self.pool_size = options["pool_size"]
        self.pool: list[_Person] = []
        self.persons = 0
        self.visits = 0
        self.orders = 0
        bots = random.Random(seed ^ 0x5EED)
        self.bots = [
            (IPS[bots.randrange(len(IPS))], BOT_AGENTS[index % len(BOT_AGENTS)]) for index in range(60)
        ]

    # Persons

    def new_person(self, wechat: bool) -> _Person:
        rng, number = self.rng, self.persons
        self.persons += 1
        device = "wechat" if wechat else pick(rng, _DEVICE_TABLE)
        language = "zh-CN" if rng.random() < 0.88 else "en-US"
        template = pick(rng, _AGENT_TABLES[device])
        variant = number // len(IPS)  # unique per address: (address, agent) identifies the person
        agent = template.format(
            b=7000 + variant // 200,
            p=variant % 200,
            ios=f"{22 + variant // 5200}{chr(65 + variant // 200 % 26)}{10 + variant % 200}",
            hex=f"0x{0x28003C00 + variant:08x}",
            wl="zh_CN" if language == "zh-CN" else "en",
        )
        ip = IPS[number * 409 % len(IPS)]  # 409 is prime to 762: neighbours get distant addresses
        width = rng.choice(WIDTHS[device])
        return _Person(number, ip, agent, "mobile" if wechat else device, wechat, language, width)

    def day_persons(self, count: int) -> list[_Person]:
        rng = self.rng
        returning: dict[int, _Person] = {}
        if self.pool:
            for _ in range(round(count * self.returning_share)):
                person = self.pool[rng.randrange(len(self.pool))]
                returning.setdefault(person.id, person)
        fresh = []
        for _ in range(count - len(returning)):
            first = pick(rng, _SOURCE_TABLE)
            fresh.append(self.new_person(first is WECHAT))
        for person in fresh:
            if len(self.pool) < self.pool_size:
                self.pool.append(person)
            else:
                self.pool[rng.randrange(self.pool_size)] = person
        persons = list(returning.values()) + fresh
        return persons

    # Visits

    def day_hits(self, day_start: int, count: int) -> list[Hit]:
        rng, hits = self.rng, []
        for person in self.day_persons(count):
            visits = 1 if rng.random() < 0.8 else (2 if rng.random() < 0.75 else 3)
            starts = sorted(self.start_time(day_start) for _ in range(visits))
            for index, start in enumerate(starts):
                start = max(start, person.last_end + VISIT_GAP_MS)
                if start >= day_start + DAY_MS:
                    break
                visit = self.visit(person, start, index > 0 or person.last_end > 0)
                person.last_end = visit[-1].ts_ms
                hits.extend(visit)
        hits.extend(self.bot_hits(day_start, len(hits)))
        return hits

    def start_time(self, day_start: int) -> int:
        hour = bisect.bisect(UTC_HOURS, self.rng.random() * UTC_HOURS[-1])
        return day_start + hour * HOUR_MS + self.rng.randrange(HOUR_MS)

    def source(self, person: _Person, returning: bool) -> tuple[str, str]:
        """(query string of the landing page, referrer) of a new visit."""
        rng = self.rng
        if person.wechat:
            source = WECHAT
        elif returning and rng.random() < 0.4:
            source = SOURCES[0]
        else:
            source = pick(rng, _OTHER_TABLE)
        _name, _weight, referrers, utm_source, medium, tagged, campaigns = source
        referrer = rng.choice(referrers)
        if "{" in referrer:
            referrer = referrer.format(t=f"{rng.getrandbits(40):010x}", n=rng.randrange(10**6, 10**9))
        if not tagged or rng.random() >= tagged:
            return "", referrer
        campaign = rng.choice(campaigns)
        return f"?utm_source={utm_source}&utm_medium={medium}&utm_campaign={campaign}", referrer

    def visit(self, person: _Person, start: int, returning: bool) -> list[Hit]:
        rng = self.rng
        query, referrer = self.source(person, returning)
        entry = pick(rng, ENTRY)
        if query and "utm_medium=social" not in query and rng.random() < 0.5:
            entry = "/promo/" + query.rsplit("=", 1)[1]  # paid, email and QR codes land on the campaign page
        if rng.random() < self.purchase_share:
            pages, events = self.purchase_pages(entry, start)
        else:
            pages, events = self.browse_pages(entry)
        self.visits += 1
        return self.visit_hits(person, self.visits, start, [entry + query, *pages[1:]], events, referrer)

    def browse_pages(self, entry: str) -> tuple[list[str], list[tuple]]:
        rng = self.rng
        count = pick(rng, PAGEVIEWS)
        pages = [entry, *rng.choices(BROWSE[0], cum_weights=BROWSE[1], k=count - 1)]
        events: list[tuple] = []  # (page index, name, props, revenue in fen)
        if count > 1 and rng.random() < 0.03:
            pages[-1] = "/signup"
            events.append((count - 1, "Signup", {"method": rng.choice(("phone", "wechat", "email"))}, 0))
        products = [index for index, page in enumerate(pages) if page.startswith("/products/")]
        if products and rng.random() < 0.15:
            events.append((products[-1], "Add to cart", {"sku": pages[products[-1]][10:]}, 0))
        if rng.random() < 0.05:
            link = rng.choice(OUTBOUND).format(n=rng.randrange(10**11, 10**12))
            events.append((count - 1, "Outbound Link: Click", {"url": link}, 0))
        events.sort(key=lambda event: event[0])
        return pages, events

    def purchase_pages(self, entry: str, start: int) -> tuple[list[str], list[tuple]]:
        rng = self.rng
        pages = [entry, *rng.choices(BROWSE[0], cum_weights=BROWSE[1], k=rng.randrange(3))]
        if not pages[-1].startswith("/products/"):
            pages.append(rng.choice(PRODUCT_PAGES))
        slug = pages[-1][10:]
        cents = PRODUCTS[slug] * rng.choice((1, 1, 1, 2, 3)) - rng.choice((0, 0, 500, 1000))
        self.orders += 1
        day = datetime.fromtimestamp(start / 1000, tz=UTC).strftime("%Y%m%d")
        order = f"YL{day}-{self.orders:05d}"
        pages += ["/cart", "/checkout", f"/checkout/success?order={order}"]
        payment = rng.choice(("alipay", "wechatpay", "unionpay"))
        events = [
            (len(pages) - 4, "Add to cart", {"sku": slug}, 0),
            (len(pages) - 1, "Purchase", {"order_id": order, "payment": payment}, cents),
        ]
        return pages, events

    def visit_hits(self, person, visit, start, pages, events, referrer) -> list[Hit]:
        rng, hits, ts = self.rng, [], start
        pending = iter(events)
        event = next(pending, None)
        for index, page in enumerate(pages):
            if index:
                ts += 5000 + int(595_000 * rng.random() ** 3)  # 5 s to 10 min, mostly short
            url = self.base + page
            body = {"name": "pageview", "url": url, "domain": self.domain, "referrer": referrer or None}
            body["w"] = person.width
            hits.append(Hit(ts, person.ip, person.agent, body, person.id, visit, False, person.device,
                            person.language))  # fmt: skip
            while event is not None and event[0] == index:
                ts += rng.randrange(1000, 60_000)
                extra = dict(body, name=event[1], props=event[2])
                if event[3]:
                    extra["revenue"] = {
                        "currency": "CNY",
                        "amount": f"{event[3] // 100}.{event[3] % 100:02d}",
                    }
                hits.append(Hit(ts, person.ip, person.agent, extra, person.id, visit, False, person.device,
                                person.language))  # fmt: skip
                event = next(pending, None)
            referrer = url
        return hits

    def bot_hits(self, day_start: int, human_hits: int) -> list[Hit]:
        rng = self.rng
        expected = human_hits * self.bot_share / (1 - self.bot_share) if self.bot_share < 1 else 0
        count = int(expected) + (rng.random() < expected % 1)
        hits = []
        for _ in range(count):
            number = rng.randrange(len(self.bots))
            ip, agent = self.bots[number]
            page = pick(rng, BROWSE)
            body = {"name": "pageview", "url": self.base + page, "domain": self.domain, "referrer": None}
            self.visits += 1
            hits.append(
                Hit(day_start + rng.randrange(DAY_MS), ip, agent, body, -1 - number, self.visits, True)
            )
        return hits


_SOURCE_TABLE = weighted((source, source[1]) for source in SOURCES)
_OTHER_TABLE = weighted((source, source[1]) for source in OTHER_SOURCES)
_DEVICE_TABLE = weighted(DEVICES)
_AGENT_TABLES = {
    device: weighted((agent, weight) for weight, agent in agents) for device, agents in AGENTS.items()
}


_TIME = operator.itemgetter(0)  # a hit's ts_ms


def _day_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def iter_hits(
    seed: int,
    *,
    domain: str,
    start: datetime | date,
    days: int,
    visitors_per_day: int | Callable[[date], int],
    bot_share: float = 0.05,
    purchase_share: float = 0.03,
    returning_share: float = 0.25,
    pool_size: int = 200_000,
) -> Iterator[Hit]:
    """Hits in time order, one UTC day (from 00:00 UTC of ``start``'s date) planned at a time.

    ``visitors_per_day`` persons come each day (``returning_share`` of them seen before, drawn from
    the last ``pool_size`` new persons); ``bot_share`` of all hits are bots; ``purchase_share`` of
    visits end in a purchase."""
    first = start.astimezone(UTC).date() if isinstance(start, datetime) else start
    count_for = visitors_per_day if callable(visitors_per_day) else (lambda _day: visitors_per_day)
    options = dict(bot_share=bot_share, purchase_share=purchase_share, returning_share=returning_share,
                   pool_size=pool_size)  # fmt: skip
    generator = _Generator(seed, domain, options)
    carry: list[Hit] = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        day_start = _day_ms(day)
        batch = carry + generator.day_hits(day_start, count_for(day))
        batch.sort(key=_TIME)  # stable: a visit keeps its order
        cut = bisect.bisect_left(batch, day_start + DAY_MS, key=_TIME)
        yield from batch[:cut]
        carry = batch[cut:]
    yield from carry


def generate(seed: int, *, domain: str, start: datetime | date, days: int, **options) -> Traffic:
    """``iter_hits`` kept in a list, with the range it covers."""
    first = start.astimezone(UTC).date() if isinstance(start, datetime) else start
    hits = list(iter_hits(seed, domain=domain, start=first, days=days, **options))
    start_ms = _day_ms(first)
    return Traffic(hits, domain, start_ms, start_ms + days * DAY_MS, seed)


def seasonal(base: int) -> Callable[[date], int]:
    """A ``visitors_per_day`` with quieter weekends and the 11.11 and 6.18 shopping festivals."""

    def count(day: date) -> int:
        factor = (1, 1, 1, 1, 0.95, 0.8, 0.75)[day.weekday()]
        if (day.month, day.day) in ((11, 11), (6, 18)):
            factor *= 3
        elif day.month == 11 and day.day < 11:
            factor *= 1.4
        return max(0, round(base * factor))

    return count


def visitors_for(total_hits: int, days: int, seed: int = 0, **options) -> int:
    """The ``visitors_per_day`` that makes about ``total_hits`` hits over ``days`` (a pilot run)."""
    pilot = sum(1 for _ in iter_hits(seed, domain="pilot.example", start=date(2026, 1, 5), days=3,
                                     visitors_per_day=2000, **options))  # fmt: skip
    return max(1, math.ceil(total_hits / days / (pilot / 6000)))
