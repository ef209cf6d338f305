"""The tables the synthetic traffic generator (``synthetic``) draws from: addresses, user agents,
devices, sources, pages, the shape of a visit and of a day, with their weights."""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterable

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
WECHAT = next(source for source in SOURCES if source[0] == "wechat")
OTHER_SOURCES = tuple(source for source in SOURCES if source[0] != "wechat")

PRODUCTS = {  # slug: price in fen (CNY cents)
    "gushu-sheng-357g": 48240, "shu-pu-xiao-tuo": 12800, "dianhong-gold-bud": 16800,
    "white-moonlight-200g": 22900, "jasmine-pearl": 8800, "longjing-2026": 39800, "tea-set-ru-kiln": 59900,
    "gift-box-d11": 29900, "shu-pu-brick-250g": 9900, "sheng-mini-tuo": 6800,
    "ancient-tree-black": 25800, "oolong-tieguanyin": 13800,
}  # fmt: skip
BLOG = ("how-to-brew-puer", "sheng-vs-shu", "storage-guide", "yunnan-tea-regions", "tea-for-beginners",
        "gongfu-brewing", "puer-aging-myths", "tea-expo-2026-recap")  # fmt: skip
PRODUCT_PAGES = tuple(f"/products/{slug}" for slug in PRODUCTS)
_BLOG_PAGES = tuple(f"/blog/{slug}" for slug in BLOG)


def weighted(pairs: Iterable[tuple]) -> tuple[tuple, list[float]]:
    """(items, cumulative weights) for ``pick``."""
    items, weights = zip(*pairs, strict=True)
    return items, list(itertools.accumulate(weights))


def pick(rng: random.Random, table: tuple[tuple, list[float]]):
    items, cumulative = table
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


ENTRY = weighted(
    [("/", 28), *((page, 34 / 12) for page in PRODUCT_PAGES), *((page, 20 / 8) for page in _BLOG_PAGES),
     ("/about", 3), ("/wholesale", 5), ("/category/sheng", 4), ("/category/shu", 3), ("/contact", 3)]
)  # fmt: skip
BROWSE = weighted(
    [*((page, 40 / 12) for page in PRODUCT_PAGES), *((page, 12 / 8) for page in _BLOG_PAGES),
     ("/", 8), ("/category/sheng", 8), ("/category/shu", 6), ("/about", 4), ("/wholesale", 4), ("/cart", 8),
     ("/signup", 4), ("/contact", 3), ("/search", 3)]
)  # fmt: skip
PAGEVIEWS = weighted([(1, 47), (2, 18), (3, 13), (4, 9), (5, 7), (6, 5), (7, 3.5), (8, 2.5)])
# Relative traffic per hour of the day in Asia/Shanghai (UTC+8, no daylight saving time).
SHANGHAI_HOURS = (0.6, 0.35, 0.2, 0.12, 0.1, 0.12, 0.3, 0.7, 1.2, 1.6, 1.8, 1.7,
                  1.5, 1.6, 1.7, 1.6, 1.5, 1.4, 1.3, 1.5, 1.9, 2.2, 2.0, 1.3)  # fmt: skip
UTC_HOURS = list(itertools.accumulate(SHANGHAI_HOURS[(hour + 8) % 24] for hour in range(24)))
OUTBOUND = ("https://detail.tmall.com/item.htm?id={n}", "https://item.jd.com/{n}.html")
