"""User-Agent parsing for analytics: browser, operating system, device class and bot verdict.

Hand-written substring tables, checked in order over the lower-cased UA: in-app browsers first (their UAs
also carry the Chrome or Safari tokens of the WebView they run in), then vendor browsers, then the
mainstream engines. ``parse_user_agent`` is cached; on the ingestion path most UAs repeat.

Browser names: "WeChat", "WeCom", "QQ", "DingTalk", "Feishu", "Alipay", "Taobao", "Weibo", "Xiaohongshu",
"Douyin", "Toutiao", "Kuaishou", "Bilibili", "Zhihu", "Baidu App", "Facebook", "Instagram", "Quark",
"UC Browser", "QQ Browser", "360 Browser", "Sogou Browser", "Baidu Browser", "Huawei Browser",
"MIUI Browser", "Vivo Browser", "OPPO Browser", "Samsung Internet", "Yandex Browser", "Opera", "Edge",
"Vivaldi", "Firefox", "Internet Explorer", "Chromium", "Chrome", "Android WebView" (an app's embedded
Chrome we cannot name), "Safari", "iOS WebView" (an app's embedded WebKit we cannot name), or "".

Operating systems: "Windows", "macOS", "iOS", "iPadOS", "Android", "HarmonyOS", "Linux", "ChromeOS", "".
Devices: "desktop", "mobile", "tablet", "bot", "" (unknown). Known limits: iPadOS Safari asks for desktop
sites by default and then sends a Mac UA, so it counts as macOS desktop; Android tablets are told apart
from phones by the missing "Mobile" token, as browsers intend.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from netmark.analytics.bots import bot_reason

# Long enough for every real browser UA; bounds the work an attacker can buy with a huge header.
_SCAN_LIMIT = 1024


@dataclass(frozen=True, slots=True)
class Agent:
    browser: str = ""
    os: str = ""
    device: str = ""
    is_bot: bool = False
    bot_reason: str = ""


# (name, any of these substrings, unless one of these substrings)
_BROWSERS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("WeCom", ("wxwork/",), ()),
    ("WeChat", ("micromessenger", "macwechat", "windowswechat"), ()),
    ("DingTalk", ("dingtalk",), ()),
    ("Feishu", ("feishu", "lark/"), ()),
    ("Alipay", ("alipayclient",), ()),
    ("Taobao", ("aliapp(tb/",), ()),
    ("Weibo", ("weibo",), ()),
    ("Xiaohongshu", ("xiaohongshu", "xhsdiscover", "discover/"), ()),
    ("Douyin", ("aweme",), ()),
    ("Toutiao", ("newsarticle",), ()),
    ("Kuaishou", ("kwai", "ksnebula", "kuaishou"), ()),
    ("Bilibili", ("biliapp", "bilibili"), ()),
    ("Zhihu", ("zhihuhybrid", "com.zhihu."), ()),
    ("QQ", (" qq/", "v1_and_sq_", "v1_iph_sq_"), ()),
    ("Baidu App", ("baiduboxapp", "baiduboxpad"), ()),
    ("Facebook", ("fban/", "fbav/", "fb_iab"), ()),
    ("Instagram", ("instagram",), ()),
    ("Quark", ("quark/",), ()),
    ("UC Browser", ("ucbrowser", "ucweb", "ubrowser/"), ()),
    # Tencent's X5 WebView inside other apps also says "MQQBrowser/6.2 TBS/..." and carries "; wv".
    ("QQ Browser", ("qqbrowser",), ("; wv)",)),
    ("360 Browser", ("qihoobrowser", "qhbrowser", "360se", "360ee", "360browser", "360 aphone"), ()),
    ("Sogou Browser", ("sogoumobilebrowser", "metasr", "sogoumse", "sogousearch"), ()),
    ("Baidu Browser", ("baidubrowser", "bidubrowser"), ()),
    ("Huawei Browser", ("huaweibrowser",), ()),
    ("MIUI Browser", ("miuibrowser",), ()),
    ("Vivo Browser", ("vivobrowser",), ()),
    ("OPPO Browser", ("heytapbrowser", "oppobrowser"), ()),
    ("Samsung Internet", ("samsungbrowser",), ()),
    ("Yandex Browser", ("yabrowser",), ()),
    ("Opera", ("opr/", "opera/", "opera mini", "opera touch", "opios/", "opt/"), ()),
    ("Edge", ("edg/", "edge/", "edga/", "edgios/"), ()),
    ("Vivaldi", ("vivaldi",), ()),
    ("Firefox", ("firefox/", "fxios/"), ()),
    ("Internet Explorer", ("msie ", "trident/"), ()),
    ("Chromium", ("chromium/",), ()),
)


@functools.lru_cache(maxsize=8192)
def parse_user_agent(ua: str) -> Agent:
    """Browser, OS, device and bot verdict for a User-Agent header value; never raises."""
    text = ua.strip() if isinstance(ua, str) else ""
    lower = text[:_SCAN_LIMIT].lower()
    reason = bot_reason(text, lower)
    if reason:
        return _BOT_AGENTS[reason]
    os_name, device = _os_and_device(lower)
    return Agent(browser=_browser(lower, os_name), os=os_name, device=device)


_BOT_AGENTS = {
    reason: Agent(device="bot", is_bot=True, bot_reason=reason)
    for reason in ("crawler", "headless", "preview", "tool", "empty", "monitor")
}


# Flattened once: one substring test per row is the fastest loop CPython offers here.
_BROWSER_ROWS = tuple((needle, name, unless) for name, needles, unless in _BROWSERS for needle in needles)


def _browser(lower: str, os_name: str) -> str:
    for needle, name, unless in _BROWSER_ROWS:
        if needle in lower and not (unless and any(word in lower for word in unless)):
            return name
    return _engine_browser(lower, os_name)


def _engine_browser(lower: str, os_name: str) -> str:
    if "crios/" in lower:
        return "Chrome"
    if "chrome/" in lower:
        if "; wv)" in lower or (os_name == "Android" and "version/4.0" in lower):
            return "Android WebView"
        return "Chrome"
    if "safari/" in lower and "version/" in lower:
        return "Safari"
    if os_name in ("iOS", "iPadOS") and "applewebkit" in lower:
        return "iOS WebView"
    return ""


def _os_and_device(lower: str) -> tuple[str, str]:
    if "openharmony" in lower or "harmonyos" in lower:
        return "HarmonyOS", _harmony_device(lower)
    if "windows phone" in lower:
        return "Windows", "mobile"
    if "iphone" in lower or "ipod" in lower:
        return "iOS", "mobile"
    if "ipad" in lower:
        return "iPadOS", "tablet"
    if "android" in lower:
        return "Android", _android_device(lower)
    if "cros " in lower:
        return "ChromeOS", "desktop"
    if "windows" in lower:
        return "Windows", "desktop"
    if "macintosh" in lower or "mac os x" in lower:
        return "macOS", "desktop"
    if "linux" in lower or "x11" in lower:
        return "Linux", "desktop"
    return "", ""


def _harmony_device(lower: str) -> str:
    # HarmonyOS NEXT: "(Phone; OpenHarmony 5.0)", "(Tablet; ...)", "(PC; ...)"; older ones look like Android.
    if "(tablet;" in lower:
        return "tablet"
    if "(pc;" in lower:
        return "desktop"
    if "(phone;" in lower:
        return "mobile"
    return _android_device(lower)


def _android_device(lower: str) -> str:
    if "tablet" in lower or "mobile" not in lower:
        return "tablet"
    return "mobile"
