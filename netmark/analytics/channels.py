"""Where a visit came from: the referrer's host, and the (channel, source) pair the reports group by.

Channels: ``direct``, ``search``, ``social``, ``email``, ``paid``, ``referral``, ``offline``.
``classify_source(referrer_host, utm_source, utm_medium, own_host)`` applies these rules, in order:

1. A referrer on ``own_host`` or any of its subdomains counts as no referrer (internal navigation).
   A leading ``www.`` is ignored on both sides, so with own host ``www.example.com`` a referrer on
   ``shop.example.com`` is internal too. A referrer that is not a valid host name is ignored.
2. No referrer, no ``utm_source`` and no ``utm_medium``: ``("direct", "")``.
3. The source name: a known ``utm_source`` normalised ("Baidu" -> "baidu", "weixin"/"wx"/"微信" ->
   "wechat", "weibo.com" -> "weibo"); an unknown ``utm_source`` kept as given, lower-cased, trimmed and cut
   to 100 characters; without ``utm_source``, the known name of the referrer (``m.baidu.com`` -> "baidu")
   or else the referrer host itself. A source is only a string; nothing here creates records.
4. ``utm_medium`` decides the channel when it names one. It is lower-cased and split into words on
   ``- _ . /`` and spaces; the first rule that matches wins:
   - paid: a word in {cpc, ppc, cpm, cpa, cpv, cpt, sem, paid, paidsearch, paidsocial, display, banner,
     ad, ads, retargeting, remarketing, 付费, 广告, 竞价}, or a word starting with "paid", "cpc", "ppc" or
     "cpm" ("paid-social", "paid_social", "cpc_baidu", "cpcbaidu" are all paid);
   - email: a word in {email, mail, edm, newsletter, 邮件} ("e-mail" splits into "e", "mail");
   - offline: a word in {offline, qr, qrcode, print, poster, flyer, event, 线下, 二维码, 海报};
   - social: a word in {social, socialmedia, socialnetwork, sm, sns, 社交};
   - referral: a word in {referral, affiliate, affiliates, partner, partners, cps};
   - organic (also "seo"): "search" when the source is a search engine, otherwise the medium says
     nothing and rule 5 applies.
   Any other medium (e.g. "sms", "push", "video") says nothing.
5. Otherwise the known category of the source decides: first ``utm_source``, then, when ``utm_source``
   is unknown or missing, the referrer host. Search engines: baidu (baidu.com and subdomains except
   tieba), sogou, 360 (so.com, haosou.com), bing, google (any google.* host), shenma (sm.cn), yandex,
   duckduckgo, yahoo, ecosia and Toutiao search (so.toutiao.com, source "toutiao"). Social: weibo
   (weibo.com, weibo.cn, t.cn), wechat (weixin.qq.com, wx.qq.com), zhihu, douban, xiaohongshu
   (xiaohongshu.com, xhslink.com), bilibili (bilibili.com, b23.tv), tieba (tieba.baidu.com), qq (qq.com
   and subdomains not listed elsewhere), douyin, kuaishou, toutiao (toutiao.com), x (x.com, twitter.com,
   t.co), facebook, instagram, linkedin (linkedin.com, lnkd.in), youtube (youtube.com, youtu.be),
   reddit, pinterest, tiktok, dingtalk, wecom, feishu. Email (webmail hosts): qqmail (mail.qq.com,
   exmail.qq.com), 163mail, 126mail, gmail (mail.google.com), outlook (outlook.live.com,
   outlook.office.com), yahoomail, sinamail, aliyunmail, sohumail.
6. Anything else with a referrer or UTM values: ``"referral"`` (an unknown source tagged only with a
   medium that says nothing is a referral with source "").

``referrer_host(url)`` gives the lower-case host of an http(s) URL without a leading ``www.`` (``m.`` and
other subdomains are kept), or "" for empty, invalid or other-scheme URLs. The one exception:
Android's ``android-app://<package>/`` referrers (Chrome sends them for links opened from apps) give the
package name, e.g. "com.tencent.mm", which ``classify_source`` knows for the common apps (WeChat, QQ,
Weibo, Douyin, Xiaohongshu, Gmail, ...); an unknown package is a referral with the package as source.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

CHANNELS = ("direct", "search", "social", "email", "paid", "referral", "offline")
DIRECT, SEARCH, SOCIAL, EMAIL, PAID, REFERRAL, OFFLINE = CHANNELS
CHANNEL_LABELS = {
    DIRECT: _("Direct"),
    SEARCH: pgettext_lazy("channel", "Search"),
    SOCIAL: _("Social"),
    EMAIL: pgettext_lazy("channel", "Email"),
    PAID: _("Paid"),
    REFERRAL: _("Referral"),
    OFFLINE: _("Offline (QR, print)"),
}


def channel_label(key: str) -> str:
    """A channel group in words, in the active language; any other value as it is."""
    return str(CHANNEL_LABELS.get(key, key))


SOURCE_MAX_LENGTH = 100

_URL_MAX_LENGTH = 2048
_HOST_RE = re.compile(r"[\w-]+(?:\.[\w-]+)*")
_PACKAGE_RE = re.compile(r"[a-z][\w]*(?:\.[\w]+)+")
_MEDIUM_SPLIT = re.compile(r"[\s_\-./]+")

# source: (channel, hosts and Android app packages, utm_source aliases). A host also covers its subdomains
# unless a subdomain is listed under another source.
_SOURCES: dict[str, tuple[str, str, str]] = {
    "baidu": (SEARCH, "baidu.com com.baidu.searchbox", "百度 百度搜索"),
    "sogou": (SEARCH, "sogou.com", "搜狗"),
    "360": (SEARCH, "so.com haosou.com", "360search haosou 360搜索"),
    "bing": (SEARCH, "bing.com", "必应"),
    "google": (SEARCH, "com.google.android.googlequicksearchbox", "谷歌"),
    "shenma": (SEARCH, "sm.cn", "神马"),
    "yandex": (SEARCH, "", ""),
    "duckduckgo": (SEARCH, "duckduckgo.com", "ddg"),
    "yahoo": (SEARCH, "", ""),
    "ecosia": (SEARCH, "ecosia.org", ""),
    "weibo": (SOCIAL, "weibo.com weibo.cn t.cn com.sina.weibo", "微博 sinaweibo sina_weibo"),
    "wechat": (SOCIAL, "weixin.qq.com wx.qq.com com.tencent.mm", "weixin wx 微信 公众号 朋友圈"),
    "zhihu": (SOCIAL, "zhihu.com com.zhihu.android", "知乎"),
    "douban": (SOCIAL, "douban.com com.douban.frodo", "豆瓣"),
    "xiaohongshu": (SOCIAL, "xiaohongshu.com xhslink.com com.xingin.xhs", "xhs 小红书 rednote"),
    "bilibili": (SOCIAL, "bilibili.com b23.tv tv.danmaku.bili", "bili b站 哔哩哔哩"),
    "tieba": (SOCIAL, "tieba.baidu.com com.baidu.tieba", "贴吧 百度贴吧"),
    "qq": (SOCIAL, "qq.com com.tencent.mobileqq", "qzone qq空间"),
    "douyin": (SOCIAL, "douyin.com iesdouyin.com com.ss.android.ugc.aweme", "抖音"),
    "kuaishou": (SOCIAL, "kuaishou.com gifshow.com chenzhongtech.com com.smile.gifmaker", "快手"),
    "toutiao": (SOCIAL, "toutiao.com com.ss.android.article.news", "头条 今日头条"),
    "x": (SOCIAL, "x.com twitter.com t.co com.twitter.android", "twitter"),
    "facebook": (SOCIAL, "fb.com fb.me com.facebook.katana com.facebook.orca", "fb"),
    "instagram": (SOCIAL, "instagram.com com.instagram.android", "ig"),
    "linkedin": (SOCIAL, "linkedin.com lnkd.in com.linkedin.android", ""),
    "youtube": (SOCIAL, "youtube.com youtu.be com.google.android.youtube", "yt"),
    "reddit": (SOCIAL, "reddit.com com.reddit.frontpage", ""),
    "pinterest": (SOCIAL, "pin.it com.pinterest", ""),
    "tiktok": (SOCIAL, "tiktok.com com.zhiliaoapp.musically", "抖音国际版"),
    "dingtalk": (SOCIAL, "dingtalk.com com.alibaba.android.rimet", "钉钉"),
    "wecom": (SOCIAL, "work.weixin.qq.com com.tencent.wework", "wework 企业微信"),
    "feishu": (SOCIAL, "feishu.cn larksuite.com com.ss.android.lark", "lark 飞书"),
    "qqmail": (EMAIL, "mail.qq.com exmail.qq.com com.tencent.androidqqmail", "qq邮箱"),
    "163mail": (EMAIL, "mail.163.com com.netease.mail", "网易邮箱"),
    "126mail": (EMAIL, "mail.126.com", ""),
    "gmail": (EMAIL, "mail.google.com com.google.android.gm", ""),
    "outlook": (
        EMAIL,
        "outlook.live.com outlook.office.com outlook.office365.com com.microsoft.office.outlook",
        "",
    ),
    "yahoomail": (EMAIL, "mail.yahoo.com", ""),
    "sinamail": (EMAIL, "mail.sina.com.cn mail.sina.com", ""),
    "aliyunmail": (EMAIL, "mail.aliyun.com qiye.aliyun.com", ""),
    "sohumail": (EMAIL, "mail.sohu.com", ""),
}
# Brands answered on any country domain (google.com.hk, yandex.ru, yahoo.co.jp, facebook.com, ...).
_MULTI_TLD_BRANDS = ("google", "yandex", "yahoo", "bing", "facebook", "pinterest")

SOURCE_CHANNELS = {name: channel for name, (channel, _, _) in _SOURCES.items()}
_HOSTS = {host: (name, channel) for name, (channel, hosts, _) in _SOURCES.items() for host in hosts.split()}
_HOSTS["so.toutiao.com"] = ("toutiao", SEARCH)
_ALIASES = {alias: name for name, (_, _, aliases) in _SOURCES.items() for alias in (name, *aliases.split())}
_BRAND_RE = re.compile(rf"(?:.+\.)?({'|'.join(_MULTI_TLD_BRANDS)})\.(?:com?\.)?[a-z]{{2,3}}")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_PAID_WORDS = _words(
    "cpc ppc cpm cpa cpv cpt sem paid paidsearch paidsocial display banner ad ads retargeting remarketing "
    "付费 广告 竞价"
)
_PAID_PREFIXES = ("paid", "cpc", "ppc", "cpm")
_EMAIL_WORDS = _words("email mail edm newsletter 邮件")
_OFFLINE_WORDS = _words("offline qr qrcode print poster flyer event 线下 二维码 海报")
_SOCIAL_WORDS = _words("social socialmedia socialnetwork sm sns 社交")
_REFERRAL_WORDS = _words("referral affiliate affiliates partner partners cps")
_ORGANIC_WORDS = _words("organic seo")


def referrer_host(referrer: str) -> str:
    """Lower-case host of an http(s) referrer without a leading ``www.``; "" when there is none."""
    if not isinstance(referrer, str):
        return ""
    text = referrer.strip()[:_URL_MAX_LENGTH]
    if "://" not in text:
        return ""
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return _valid_host(host)
    if scheme == "android-app" and _PACKAGE_RE.fullmatch(host):
        return host
    return ""


def _valid_host(host: str) -> str:
    host = host.rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    if _HOST_RE.fullmatch(host):
        return host
    if ":" in host:
        try:
            return str(ipaddress.IPv6Address(host))
        except ValueError:
            return ""
    return ""


@functools.lru_cache(maxsize=4096)
def classify_source(
    referrer_host: str, utm_source: str, utm_medium: str, own_host: str = ""
) -> tuple[str, str]:
    """``(channel, source)`` for one visit; the module docstring states the rules."""
    host = _clean_host(referrer_host)
    own = _clean_host(own_host)
    if host and own and (host == own or host.endswith("." + own)):
        host = ""
    given_source = _clean_text(utm_source)
    medium = _clean_text(utm_medium)
    if not (host or given_source or medium):
        return DIRECT, ""
    known = _known_source(given_source) if given_source else None
    source = known[0] if known else given_source
    if known is None and host:
        known = _known_host(host)
        source = source or (known[0] if known else host[:SOURCE_MAX_LENGTH])
    channel = _medium_channel(medium)
    if channel == SEARCH and not (known and known[1] == SEARCH):
        channel = ""
    return channel or (known[1] if known else REFERRAL), source


def _clean_text(value: str) -> str:
    if not isinstance(value, str):
        return ""
    return value.strip().lower()[:SOURCE_MAX_LENGTH].strip()


def _clean_host(value: str) -> str:
    """A host as ``referrer_host`` gives it; tolerates a URL, a port or "www." from settings."""
    if not isinstance(value, str):
        return ""
    text = value.strip().lower()
    if "://" in text:
        return referrer_host(text)
    if text.count(":") == 1:
        text = text.split(":", 1)[0]
    text = text.rstrip(".").removeprefix("www.")
    if _HOST_RE.fullmatch(text):
        return text
    return _valid_host(text) if ":" in text else ""


def _known_source(value: str) -> tuple[str, str] | None:
    name = _ALIASES.get(value)
    if name:
        return name, SOURCE_CHANNELS[name]
    if "." in value:
        host = _clean_host(value)
        return _known_host(host) if host else None
    return None


def _known_host(host: str) -> tuple[str, str] | None:
    """(source, channel) of the host or its closest listed parent domain."""
    name = host
    while True:
        known = _HOSTS.get(name)
        if known:
            return known
        dot = name.find(".")
        if dot < 0:
            break
        name = name[dot + 1 :]
    brand = _BRAND_RE.fullmatch(host)
    if brand:
        return brand.group(1), SOURCE_CHANNELS[brand.group(1)]
    return None


def _medium_channel(medium: str) -> str:
    if not medium:
        return ""
    words = frozenset(_MEDIUM_SPLIT.split(medium)) - {""}
    if words & _PAID_WORDS or any(word.startswith(_PAID_PREFIXES) for word in words):
        return PAID
    for channel, vocabulary in (
        (EMAIL, _EMAIL_WORDS),
        (OFFLINE, _OFFLINE_WORDS),
        (SOCIAL, _SOCIAL_WORDS),
        (REFERRAL, _REFERRAL_WORDS),
        (SEARCH, _ORGANIC_WORDS),
    ):
        if words & vocabulary:
            return channel
    return ""
