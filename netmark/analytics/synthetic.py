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
import itertools
import math
import operator
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from netmark.analytics.synthetic_truth import DEFAULT_FUNNEL, DEFAULT_GOALS, Row, Truth, truth

__all__ = ["DEFAULT_FUNNEL", "DEFAULT_GOALS", "Hit", "Row", "Traffic", "Truth", "generate", "iter_hits",
           "seasonal", "truth", "visitors_for"]  # fmt: skip

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000
VISIT_GAP_MS = 31 * MINUTE_MS  # between two visits of one person: over the 30-minute timeout

# RFC 5737 documentation ranges: 762 addresses, as crowded as carrier-grade NAT.
IPS = tuple(f"{net}.{host}" for net in ("192.0.2", "198.51.100", "203.0.113") for host in range(1, 255))
ACCEPT_LANGUAGE = {"zh-CN": "zh-CN,zh;q=0.9,en;q=0.8", "en-US": "en-US,en;q=0.9,zh-CN;q=0.6"}

# User agents: {b}.{p} (a Chrome build), {ios} (an iOS build) and {hex} (a WeChat build) are
# derived from the person number, so that no two persons share both address and user agent.
_WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/"
_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/"
_IOS = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
AGENTS = {
    "desktop": (
        (40, _WIN + "141.0.{b}.{p} Safari/537.36"),
        (20, _WIN + "140.0.{b}.{p} Safari/537.36 Edg/140.0.{b}.{p}"),
        (15, _MAC + "141.0.{b}.{p} Safari/537.36"),
        (13, _WIN + "123.0.{b}.{p} Safari/537.36 Core/1.116.{b}.400 QQBrowser/13.4.6.400"),
        (12, _WIN.replace("Win64; x64", "WOW64") + "108.0.{b}.{p} Safari/537.36 SE 2.X MetaSr 1.0"),
    ),
    "mobile": (
        (32, _IOS + "Version/18.6 Mobile/{ios} Safari/604.1"),
        (22, "Mozilla/5.0 (Linux; Android 14; 23127PN0CC) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/141.0.{b}.{p} Mobile Safari/537.36"),
        (16, "Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00; HMSCore 6.14.0.302) AppleWebKit/537.36 "
             "(KHTML, like Gecko) Chrome/114.0.{b}.{p} HuaweiBrowser/15.0.4.312 Mobile Safari/537.36"),
        (10, "Mozilla/5.0 (Linux; U; Android 13; zh-CN; V2227A Build/TP1A.220624.014) AppleWebKit/537.36 "
             "(KHTML, like Gecko) Version/4.0 Chrome/100.0.{b}.{p} UCBrowser/17.1.0.1300 "
             "Mobile Safari/537.36"),
        (10, "Mozilla/5.0 (Linux; U; Android 14; zh-cn; PJZ110 Build/UKQ1.230924.001) AppleWebKit/537.36 "
             "(KHTML, like Gecko) Version/4.0 Chrome/109.0.{b}.{p} MQQBrowser/15.5 Mobile Safari/537.36"),
        (10, _IOS + "Mobile/{ios} SP-engine/3.3.0 baiduboxapp/13.{b}.0.10 (Baidu; P2 18.6)"),
    ),
    "tablet": (
        (60, "Mozilla/5.0 (iPad; CPU OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
             "Version/18.6 Mobile/{ios} Safari/604.1"),
        (25, "Mozilla/5.0 (Linux; Android 12; HarmonyOS; BAH4-W09; HMSCore 6.14.0.302) AppleWebKit/537.36 "
             "(KHTML, like Gecko) Chrome/114.0.{b}.{p} HuaweiBrowser/15.0.4.312 Safari/537.36"),
        (15, "Mozilla/5.0 (Linux; Android 14; 23043RP34C) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/141.0.{b}.{p} Safari/537.36"),
    ),
    "wechat": (
        (55, _IOS + "Mobile/{ios} MicroMessenger/8.0.60({hex}) NetType/WIFI Language/{wl}"),
        (45, "Mozilla/5.0 (Linux; Android 14; 23127PN0CC Build/UKQ1.230804.001; wv) AppleWebKit/537.36 "
             "(KHTML, like Gecko) Version/4.0 Chrome/130.0.{b}.{p} Mobile Safari/537.36 XWEB/1300289 "
             "MMWEBSDK/20241103 MicroMessenger/8.0.55.2780({hex}) WeChat/arm64 Weixin NetType/4G "
             "Language/{wl} ABI/arm64"),
    ),
}  # fmt: skip
BOT_AGENTS = (
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/141.0.0.0 "
    "Safari/537.36",
    "curl/8.14.1",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; YisouSpider/5.0; http://www.yisou.com)",
    "python-requests/2.32.3",
    "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
    "(compatible; Bytespider; spider-feedback@bytedance.com)",
)
DEVICES = (("mobile", 60), ("desktop", 34), ("tablet", 6))
WIDTHS = {
    "desktop": (1366, 1440, 1536, 1920, 2560),
    "mobile": (360, 375, 390, 393, 412, 414, 430),
    "tablet": (768, 810, 820, 834, 1024),
}
WIDTHS["wechat"] = WIDTHS["mobile"]

# Sources: (name, weight, referrers, utm_source, utm_medium, share of visits tagged, campaigns).
SOURCES = (
    ("direct", 20, ("",), "", "", 0.0, ()),
    ("baidu", 17, ("https://www.baidu.com/link?url={t}", "https://m.baidu.com/from=844b/s?word={t}"),
     "", "", 0, ()),
    ("baidu-cpc", 6, ("https://www.baidu.com/baidu.php?url={t}",), "baidu", "cpc", 1,
     ("brand", "gushu-sheng")),
    ("sogou", 3, ("https://www.sogou.com/link?url={t}", "https://m.sogou.com/web/searchList.jsp?k={t}"),
     "", "", 0, ()),
    ("so", 2, ("https://www.so.com/link?m={t}",), "", "", 0, ()),
    ("bing", 4, ("https://cn.bing.com/",), "", "", 0, ()),
    ("bing-cpc", 1, ("https://cn.bing.com/aclk?ld={t}",), "bing", "cpc", 1, ("brand",)),
    ("google", 2, ("https://www.google.com/",), "", "", 0, ()),
    ("weibo", 5, ("https://m.weibo.cn/", "https://weibo.com/"), "weibo", "social", 0.6,
     ("double11-warmup", "summer-cold-brew")),
    ("wechat", 10, ("",), "wechat", "social", 0.5,
     ("double11-warmup", "summer-cold-brew", "weekly-tea-talk")),
    ("zhihu", 4, ("https://www.zhihu.com/question/{n}", "https://zhuanlan.zhihu.com/p/{n}"), "", "", 0, ()),
    ("douban", 1.5, ("https://www.douban.com/group/topic/{n}/",), "", "", 0, ()),
    ("xiaohongshu", 4, ("", "https://www.xiaohongshu.com/explore/{t}"), "xiaohongshu", "social", 0.4,
     ("summer-cold-brew", "kol-review")),
    ("bilibili", 2.5, ("https://www.bilibili.com/video/BV1{t}",), "", "", 0, ()),
    ("tieba", 1.5, ("https://tieba.baidu.com/p/{n}",), "", "", 0, ()),
    ("qq", 2, ("https://www.qq.com/", "https://new.qq.com/rain/a/{t}"), "", "", 0, ()),
    ("email", 4, ("", "https://mail.qq.com/", "https://mail.163.com/"), "newsletter", "email", 1,
     ("newsletter-weekly", "double11-warmup")),
    ("offline", 2, ("",), "qr", "offline", 1, ("store-kunming", "tea-expo-2026")),
)  # fmt: skip
_WECHAT = next(source for source in SOURCES if source[0] == "wechat")
_OTHER_SOURCES = tuple(source for source in SOURCES if source[0] != "wechat")

PRODUCTS = {  # slug: price in fen (CNY cents)
    "gushu-sheng-357g": 48240, "shu-pu-xiao-tuo": 12800, "dianhong-gold-bud": 16800,
    "white-moonlight-200g": 22900, "jasmine-pearl": 8800, "longjing-2026": 39800, "tea-set-ru-kiln": 59900,
    "gift-box-d11": 29900, "shu-pu-brick-250g": 9900, "sheng-mini-tuo": 6800,
    "ancient-tree-black": 25800, "oolong-tieguanyin": 13800,
}  # fmt: skip
BLOG = ("how-to-brew-puer", "sheng-vs-shu", "storage-guide", "yunnan-tea-regions", "tea-for-beginners",
        "gongfu-brewing", "puer-aging-myths", "tea-expo-2026-recap")  # fmt: skip
_PRODUCT_PAGES = tuple(f"/products/{slug}" for slug in PRODUCTS)
_BLOG_PAGES = tuple(f"/blog/{slug}" for slug in BLOG)


def _weighted(pairs: Iterable[tuple]) -> tuple[tuple, list[float]]:
    """(items, cumulative weights) for ``_pick``."""
    items, weights = zip(*pairs, strict=True)
    return items, list(itertools.accumulate(weights))


def _pick(rng: random.Random, table: tuple[tuple, list[float]]):
    items, cumulative = table
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


ENTRY = _weighted(
    [("/", 28), *((page, 34 / 12) for page in _PRODUCT_PAGES), *((page, 20 / 8) for page in _BLOG_PAGES),
     ("/about", 3), ("/wholesale", 5), ("/category/sheng", 4), ("/category/shu", 3), ("/contact", 3)]
)  # fmt: skip
BROWSE = _weighted(
    [*((page, 40 / 12) for page in _PRODUCT_PAGES), *((page, 12 / 8) for page in _BLOG_PAGES),
     ("/", 8), ("/category/sheng", 8), ("/category/shu", 6), ("/about", 4), ("/wholesale", 4), ("/cart", 8),
     ("/signup", 4), ("/contact", 3), ("/search", 3)]
)  # fmt: skip
PAGEVIEWS = _weighted([(1, 47), (2, 18), (3, 13), (4, 9), (5, 7), (6, 5), (7, 3.5), (8, 2.5)])
# Relative traffic per hour of the day in Asia/Shanghai (UTC+8, no daylight saving time).
SHANGHAI_HOURS = (0.6, 0.35, 0.2, 0.12, 0.1, 0.12, 0.3, 0.7, 1.2, 1.6, 1.8, 1.7,
                  1.5, 1.6, 1.7, 1.6, 1.5, 1.4, 1.3, 1.5, 1.9, 2.2, 2.0, 1.3)  # fmt: skip
UTC_HOURS = list(itertools.accumulate(SHANGHAI_HOURS[(hour + 8) % 24] for hour in range(24)))
OUTBOUND = ("https://detail.tmall.com/item.htm?id={n}", "https://item.jd.com/{n}.html")


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
        device = "wechat" if wechat else _pick(rng, _DEVICE_TABLE)
        language = "zh-CN" if rng.random() < 0.88 else "en-US"
        template = _pick(rng, _AGENT_TABLES[device])
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
            first = _pick(rng, _SOURCE_TABLE)
            fresh.append(self.new_person(first is _WECHAT))
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
            source = _WECHAT
        elif returning and rng.random() < 0.4:
            source = SOURCES[0]
        else:
            source = _pick(rng, _OTHER_TABLE)
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
        entry = _pick(rng, ENTRY)
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
        count = _pick(rng, PAGEVIEWS)
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
            pages.append(rng.choice(_PRODUCT_PAGES))
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
            page = _pick(rng, BROWSE)
            body = {"name": "pageview", "url": self.base + page, "domain": self.domain, "referrer": None}
            self.visits += 1
            hits.append(
                Hit(day_start + rng.randrange(DAY_MS), ip, agent, body, -1 - number, self.visits, True)
            )
        return hits


_SOURCE_TABLE = _weighted((source, source[1]) for source in SOURCES)
_OTHER_TABLE = _weighted((source, source[1]) for source in _OTHER_SOURCES)
_DEVICE_TABLE = _weighted(DEVICES)
_AGENT_TABLES = {
    device: _weighted((agent, weight) for weight, agent in agents) for device, agents in AGENTS.items()
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
