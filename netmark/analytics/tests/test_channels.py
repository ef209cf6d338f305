"""Referrer hosts and the (channel, source) rules of ``netmark.analytics.channels``, case by case."""

import pytest

from netmark.analytics.classify import CHANNELS, classify_source, referrer_host


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.baidu.com/s?wd=普洱茶", "baidu.com"),
        ("https://m.baidu.com/from=844b/s?word=tea", "m.baidu.com"),
        ("HTTP://WWW.Example.COM:8080/Path", "example.com"),
        ("https://user:secret@shop.example.com/cart", "shop.example.com"),
        ("https://example.com./", "example.com"),
        ("https://mp.weixin.qq.com/s/abc", "mp.weixin.qq.com"),
        ("https://中文.example/页面", "中文.example"),
        ("http://192.168.0.1/x", "192.168.0.1"),
        ("http://[2001:DB8::1]:8000/", "2001:db8::1"),
        ("  https://t.co/xyz  ", "t.co"),
        ("android-app://com.tencent.mm/", "com.tencent.mm"),
        ("android-app://com.google.android.gm", "com.google.android.gm"),
        ("", ""),
        ("   ", ""),
        ("not a url", ""),
        ("//example.com/protocol-relative", ""),
        ("example.com/no-scheme", ""),
        ("ftp://example.com/file", ""),
        ("javascript:alert(1)", ""),
        ("ios-app://123456/path", ""),
        ("android-app://", ""),
        ("http://[::1", ""),
        ("https://exa mple.com/", ""),
        ("http://<script>alert(1)</script>/", ""),
        ("https:///no-host", ""),
    ],
)
def test_referrer_host(url, host):
    assert referrer_host(url) == host


SEARCH_REFERRERS = [
    ("baidu.com", "baidu"),
    ("m.baidu.com", "baidu"),
    ("sogou.com", "sogou"),
    ("m.sogou.com", "sogou"),
    ("so.com", "360"),
    ("m.so.com", "360"),
    ("cn.bing.com", "bing"),
    ("google.com", "google"),
    ("google.com.hk", "google"),
    ("google.co.jp", "google"),
    ("sm.cn", "shenma"),
    ("m.sm.cn", "shenma"),
    ("yandex.ru", "yandex"),
    ("duckduckgo.com", "duckduckgo"),
    ("search.yahoo.com", "yahoo"),
    ("so.toutiao.com", "toutiao"),
    ("com.google.android.googlequicksearchbox", "google"),
]

SOCIAL_REFERRERS = [
    ("weibo.com", "weibo"),
    ("weibo.cn", "weibo"),
    ("m.weibo.cn", "weibo"),
    ("t.cn", "weibo"),
    ("weixin.qq.com", "wechat"),
    ("mp.weixin.qq.com", "wechat"),
    ("wx.qq.com", "wechat"),
    ("com.tencent.mm", "wechat"),
    ("zhihu.com", "zhihu"),
    ("zhuanlan.zhihu.com", "zhihu"),
    ("douban.com", "douban"),
    ("movie.douban.com", "douban"),
    ("xiaohongshu.com", "xiaohongshu"),
    ("xhslink.com", "xiaohongshu"),
    ("bilibili.com", "bilibili"),
    ("b23.tv", "bilibili"),
    ("tieba.baidu.com", "tieba"),
    ("qq.com", "qq"),
    ("qzone.qq.com", "qq"),
    ("im.qq.com", "qq"),
    ("douyin.com", "douyin"),
    ("kuaishou.com", "kuaishou"),
    ("toutiao.com", "toutiao"),
    ("m.toutiao.com", "toutiao"),
    ("t.co", "x"),
    ("x.com", "x"),
    ("twitter.com", "x"),
    ("facebook.com", "facebook"),
    ("l.facebook.com", "facebook"),
    ("instagram.com", "instagram"),
    ("linkedin.com", "linkedin"),
    ("lnkd.in", "linkedin"),
    ("youtube.com", "youtube"),
    ("reddit.com", "reddit"),
    ("pinterest.com", "pinterest"),
]

EMAIL_REFERRERS = [
    ("mail.qq.com", "qqmail"),
    ("exmail.qq.com", "qqmail"),
    ("mail.163.com", "163mail"),
    ("mail.126.com", "126mail"),
    ("outlook.live.com", "outlook"),
    ("mail.google.com", "gmail"),
    ("com.google.android.gm", "gmail"),
]


@pytest.mark.parametrize(("host", "source"), SEARCH_REFERRERS)
def test_search_engine_referrers(host, source):
    assert classify_source(host, "", "") == ("search", source)


@pytest.mark.parametrize(("host", "source"), SOCIAL_REFERRERS)
def test_social_referrers(host, source):
    assert classify_source(host, "", "") == ("social", source)


@pytest.mark.parametrize(("host", "source"), EMAIL_REFERRERS)
def test_webmail_referrers(host, source):
    assert classify_source(host, "", "") == ("email", source)


@pytest.mark.parametrize(
    ("utm_source", "expected"),
    [
        ("baidu", ("search", "baidu")),
        ("Baidu", ("search", "baidu")),
        ("百度", ("search", "baidu")),
        ("sogou", ("search", "sogou")),
        ("360", ("search", "360")),
        ("so.com", ("search", "360")),
        ("bing", ("search", "bing")),
        ("google", ("search", "google")),
        ("shenma", ("search", "shenma")),
        ("weibo", ("social", "weibo")),
        ("微博", ("social", "weibo")),
        ("wechat", ("social", "wechat")),
        ("weixin", ("social", "wechat")),
        (" WeiXin ", ("social", "wechat")),
        ("wx", ("social", "wechat")),
        ("微信", ("social", "wechat")),
        ("zhihu", ("social", "zhihu")),
        ("douban", ("social", "douban")),
        ("xiaohongshu", ("social", "xiaohongshu")),
        ("xhs", ("social", "xiaohongshu")),
        ("小红书", ("social", "xiaohongshu")),
        ("bilibili", ("social", "bilibili")),
        ("b站", ("social", "bilibili")),
        ("tieba", ("social", "tieba")),
        ("qq", ("social", "qq")),
        ("douyin", ("social", "douyin")),
        ("抖音", ("social", "douyin")),
        ("kuaishou", ("social", "kuaishou")),
        ("toutiao", ("social", "toutiao")),
        ("twitter", ("social", "x")),
        ("facebook", ("social", "facebook")),
        ("linkedin", ("social", "linkedin")),
        ("m.weibo.cn", ("social", "weibo")),
        ("www.zhihu.com", ("social", "zhihu")),
    ],
)
def test_utm_source_alone(utm_source, expected):
    assert classify_source("", utm_source, "") == expected


@pytest.mark.parametrize(
    ("medium", "channel"),
    [
        ("cpc", "paid"),
        ("PPC", "paid"),
        ("paid", "paid"),
        ("paidsearch", "paid"),
        ("paid_social", "paid"),
        ("paid-social", "paid"),
        ("paidsocial", "paid"),
        ("cpm", "paid"),
        ("cpa", "paid"),
        ("cpv", "paid"),
        ("sem", "paid"),
        ("display", "paid"),
        ("banner", "paid"),
        ("ad", "paid"),
        ("ads", "paid"),
        ("cpc_baidu", "paid"),
        ("cpcbaidu", "paid"),
        ("social-ads", "paid"),
        ("email", "email"),
        ("e-mail", "email"),
        ("EDM", "email"),
        ("newsletter", "email"),
        ("mail", "email"),
        ("offline", "offline"),
        ("qr", "offline"),
        ("qrcode", "offline"),
        ("qr-code", "offline"),
        ("print", "offline"),
        ("poster", "offline"),
        ("flyer", "offline"),
        ("event", "offline"),
        ("二维码", "offline"),
        ("social", "social"),
        ("social-network", "social"),
        ("social-media", "social"),
        ("sm", "social"),
        ("sns", "social"),
        ("referral", "referral"),
        ("affiliate", "referral"),
    ],
)
def test_medium_decides_the_channel_and_keeps_the_source(medium, channel):
    assert classify_source("", "Spring-Launch", medium) == (channel, "spring-launch")


def test_medium_wins_over_the_sources_category():
    assert classify_source("baidu.com", "baidu", "cpc") == ("paid", "baidu")
    assert classify_source("", "weibo", "paid_social") == ("paid", "weibo")
    assert classify_source("mail.qq.com", "weekly", "newsletter") == ("email", "weekly")
    assert classify_source("", "wechat", "qrcode") == ("offline", "wechat")


def test_organic_is_search_only_for_search_engines():
    assert classify_source("", "baidu", "organic") == ("search", "baidu")
    assert classify_source("m.sm.cn", "", "organic") == ("search", "shenma")
    assert classify_source("", "weibo", "organic") == ("social", "weibo")
    assert classify_source("", "blog-roll", "organic") == ("referral", "blog-roll")


def test_unknown_utm_source_falls_back_to_the_referrers_category():
    assert classify_source("m.weibo.cn", "spring_sale", "") == ("social", "spring_sale")
    assert classify_source("example.org", "spring_sale", "") == ("referral", "spring_sale")


def test_unknown_referrer_is_a_referral_named_by_its_host():
    assert classify_source("blog.example.org", "", "") == ("referral", "blog.example.org")
    assert classify_source("163.com", "", "") == ("referral", "163.com")
    assert classify_source("com.example.someapp", "", "") == ("referral", "com.example.someapp")


def test_a_medium_that_says_nothing_without_source_is_a_referral():
    assert classify_source("", "", "sms") == ("referral", "")


@pytest.mark.parametrize(
    ("host", "own_host"),
    [
        ("example.com", "example.com"),
        ("shop.example.com", "example.com"),
        ("example.com", "www.example.com"),
        ("blog.example.com", "WWW.Example.com"),
        ("example.com", "example.com:8000"),
        ("example.com", "https://www.example.com/"),
    ],
)
def test_own_host_referrer_counts_as_no_referrer(host, own_host):
    assert classify_source(host, "", "", own_host) == ("direct", "")


def test_own_host_referrer_keeps_the_campaign():
    assert classify_source("example.com", "newsletter", "email", "example.com") == ("email", "newsletter")


def test_a_lookalike_of_the_own_host_is_a_referral():
    assert classify_source("notexample.com", "", "", "example.com") == ("referral", "notexample.com")
    assert classify_source("example.com.evil.io", "", "", "example.com") == (
        "referral",
        "example.com.evil.io",
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("", "", ""), ("direct", "")),
        (("", "   ", "  "), ("direct", "")),
        (("<script>", "", ""), ("direct", "")),
        (("bad host name", "", ""), ("direct", "")),
        (("", "A" * 300, ""), ("referral", "a" * 100)),
        (("", "  Spring Sale 春季  ", ""), ("referral", "spring sale 春季")),
        (("", "<img src=x onerror=alert(1)>", ""), ("referral", "<img src=x onerror=alert(1)>")),
    ],
)
def test_empty_and_garbage_inputs(args, expected):
    assert classify_source(*args) == expected


def test_every_answer_is_one_of_the_channels():
    hosts = [host for host, _ in SEARCH_REFERRERS + SOCIAL_REFERRERS + EMAIL_REFERRERS] + ["", "example.org"]
    for host in hosts:
        for medium in ("", "cpc", "email", "qr", "sns", "affiliate", "organic", "sms"):
            assert classify_source(host, "", medium)[0] in CHANNELS
