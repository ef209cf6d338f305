"""What ``parse_user_agent`` answers for real browsers, as "browser/os/device" per user agent.

Bot verdicts have their own table in test_bots.py; every UA here is a person.
"""

import pytest

from netmark.analytics.classify import Agent, parse_user_agent

IPHONE_WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.60(0x18003c2f) NetType/WIFI Language/zh_CN"
)
ANDROID = "Mozilla/5.0 (Linux; Android 13; 22081212C Build/TKQ1.220829.002; wv) AppleWebKit/537.36 "
ANDROID_WEBVIEW = ANDROID + "(KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 "
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "

CASES = [
    # WeChat and the other Chinese in-app browsers
    ("WeChat/iOS/mobile", IPHONE_WECHAT),
    (
        "WeChat/Android/mobile",
        ANDROID_WEBVIEW
        + "XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 "
        "Weixin NetType/WIFI Language/zh_CN ABI/arm64",
    ),
    (
        "WeChat/Windows/desktop",
        "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/81.0.4044.138 Safari/537.36 NetType/WIFI MicroMessenger/7.0.20.1781(0x6700143B) "
        "WindowsWechat(0x63090a13) UnifiedPCWindowsWechat(0xf254101e) XWEB/11275 Flue",
    ),
    (
        "WeChat/macOS/desktop",
        MAC + "AppleWebKit/605.1.15 (KHTML, like Gecko) MicroMessenger/6.8.0(0x16080000) "
        "MacWechat/3.8.7(0x13080710) Safari/605.1.15 NetType/WIFI",
    ),
    (
        "WeChat/iPadOS/tablet",
        "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Mobile/15E148 MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN",
    ),
    (
        "WeCom/iOS/mobile",
        IPHONE + "Mobile/15E148 wxwork/4.1.22 MicroMessenger/7.0.1 Language/zh ColorScheme/Light",
    ),
    (
        "QQ/iOS/mobile",
        IPHONE + "Mobile/15E148 QQ/9.0.8.620 V1_IPH_SQ_9.0.8_1_APP_A Pixel/1170 Core/WKWebView "
        "Device/Apple(iPhone 13) NetType/WIFI QBWebViewType/1 WKType/1",
    ),
    # QQ on Android, inside Tencent's X5 WebView
    (
        "QQ/Android/mobile",
        ANDROID + "(KHTML, like Gecko) Version/4.0 Chrome/89.0.4389.72 MQQBrowser/6.2 TBS/046613 Mobile "
        "Safari/537.36 V1_AND_SQ_8.9.68_4264_YYB_D A_8096800 QQ/8.9.68.11565 NetType/WIFI WebP/0.3.0",
    ),
    (
        "DingTalk/iOS/mobile",
        IPHONE + "Mobile/15E148 AliApp(DingTalk/7.5.0) com.laiwang.DingTalk/31234567 Channel/201200 "
        "language/zh-Hans-CN UT4Aplus/0.0.6 WK",
    ),
    # DingTalk on Android, inside the UC kernel
    (
        "DingTalk/Android/mobile",
        "Mozilla/5.0 (Linux; U; Android 13; zh-CN; 22081212C Build/TKQ1.220829.002) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.2.9 Mobile Safari/537.36 "
        "AliApp(DingTalk/7.0.30) com.alibaba.android.rimet/32161717 Channel/700159 language/zh-CN",
    ),
    ("Weibo/iOS/mobile", IPHONE + "Mobile/15E148 Weibo (iPhone15,3__weibo__14.1.0__iphone__os17.1)"),
    ("Weibo/Android/mobile", ANDROID_WEBVIEW + "Weibo (Xiaomi-22081212C__weibo__14.1.2__android__android13)"),
    (
        "Xiaohongshu/iOS/mobile",
        IPHONE
        + "Mobile/15E148 discover/8.19 (iPhone; iOS 17.0; Scale/3.00) Resolution/1179*2556 Version/8.19 "
        "Build/8190409 Device/(Apple Inc.;iPhone15,2) NetType/WiFi",
    ),
    ("Xiaohongshu/Android/mobile", ANDROID_WEBVIEW + "XiaoHongShu/8.20.0"),
    (
        "Douyin/Android/mobile",
        ANDROID_WEBVIEW
        + "aweme_250400 JsSdk/1.0 NetType/WIFI Channel/douyin_tengxun_wzl AppName/aweme app_version/25.4.0 "
        "ByteLocale/zh-CN Region/CN BytedanceWebview/d8a21c6",
    ),
    (
        "Douyin/iOS/mobile",
        IPHONE + "Mobile/15E148 aweme_25.4.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/zh "
        "BytedanceWebview/d8a21c6 WKWebView/1",
    ),
    (
        "Toutiao/iOS/mobile",
        IPHONE + "Mobile/15E148 NewsArticle/9.2.5.0 JsSdk/2.0 NetType/WIFI (News 9.2.5 16.3)",
    ),
    ("Kuaishou/iOS/mobile", IPHONE + "Mobile/15E148 Kwai/11.8.20.6446 KDT/PHONE NetType/WIFI"),
    (
        "Bilibili/Android/mobile",
        ANDROID_WEBVIEW
        + "os/android model/22081212C build/7460300 osVer/13 BiliApp/7460300 mobi_app/android",
    ),
    ("Zhihu/Android/mobile", ANDROID_WEBVIEW + "ZhihuHybrid com.zhihu.android/Futureve/9.30.0"),
    (
        "Baidu App/iOS/mobile",
        IPHONE
        + "Mobile/15E148 SP-engine/2.80.0 main%2F1.0 baiduboxapp/13.48.0.11 (Baidu; P2 17.1) NABar/1.0",
    ),
    (
        "Baidu App/Android/mobile",
        ANDROID_WEBVIEW + "T7/13.32 SP-engine/2.70.0 baiduboxapp/13.32.0.10 (Baidu; P1 10) NABar/1.0",
    ),
    (
        "Alipay/iOS/mobile",
        IPHONE + "Mobile/15E148 Ariver/1.1.0 AliApp(AP/10.5.70.6000) Nebula WK AlipayClient/10.5.70.6000",
    ),
    ("Taobao/iOS/mobile", IPHONE + "Mobile/15E148 AliApp(TB/10.30.10) WindVane/8.7.2 1170x2532 WK"),
    (
        "Feishu/macOS/desktop",
        MAC + "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.5615.138 Safari/537.36 Lark/7.8.7 "
        "LarkLocale/zh_CN ChannelName/Feishu",
    ),
    # Chinese vendor browsers
    (
        "QQ Browser/Android/mobile",
        "Mozilla/5.0 (Linux; U; Android 12; zh-cn; PFJM10 Build/SP1A.210812.016) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Version/4.0 Chrome/109.0.5414.86 MQQBrowser/14.8 Mobile Safari/537.36",
    ),
    (
        "QQ Browser/Windows/desktop",
        WINDOWS + "Chrome/94.0.4606.71 Safari/537.36 Core/1.94.236.400 QQBrowser/12.4.5651.400",
    ),
    # Tencent's X5 WebView inside another app is not QQ Browser
    (
        "Android WebView/Android/mobile",
        "jdapp;android;10.0.2;10;network/wifi;Mozilla/5.0 (Linux; Android 10; ONEPLUS A5010 "
        "Build/QKQ1.191014.012; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
        "Chrome/77.0.3865.120 MQQBrowser/6.2 TBS/045230 Mobile Safari/537.36",
    ),
    (
        "UC Browser/Android/mobile",
        "Mozilla/5.0 (Linux; U; Android 11; zh-CN; M2012K11AC Build/RKQ1.200826.002) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Version/4.0 Chrome/78.0.3904.108 UCBrowser/15.3.8.1208 Mobile Safari/537.36",
    ),
    (
        "UC Browser/iOS/mobile",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X; zh-CN) AppleWebKit/537.51.1 (KHTML, like "
        "Gecko) Mobile/20F66 UCBrowser/15.5.6.1914 Mobile AliApp(TUnionSDK/0.1.20.4)",
    ),
    (
        "Quark/Android/mobile",
        "Mozilla/5.0 (Linux; U; Android 13; zh-CN; 2211133C Build/TKQ1.220905.001) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Version/4.0 Chrome/100.0.4896.58 Quark/6.9.6.501 Mobile Safari/537.36",
    ),
    ("Quark/iOS/mobile", IPHONE + "Mobile/15E148 Quark/6.9.3.2097 Mobile"),
    (
        "360 Browser/Windows/desktop",
        "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/108.0.5359.125 Safari/537.36 QIHU 360SE",
    ),
    (
        "360 Browser/Android/mobile",
        ANDROID + "(KHTML, like Gecko) Chrome/70.0.3538.110 Mobile Safari/537.36 QihooBrowser/4.0.10",
    ),
    (
        "Sogou Browser/Windows/desktop",
        "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/86.0.4240.198 Safari/537.36 SE 2.X MetaSr 1.0",
    ),
    ("Sogou Browser/Android/mobile", ANDROID_WEBVIEW + "SogouMSE,SogouMobileBrowser/5.39.7"),
    (
        "Huawei Browser/HarmonyOS/mobile",
        "Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00; HMSCore 6.12.0.302) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/14.0.5.302 Mobile Safari/537.36",
    ),
    (
        "Huawei Browser/HarmonyOS/mobile",
        "Mozilla/5.0 (Phone; OpenHarmony 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 "
        "Safari/537.36 ArkWeb/4.1.6.1 Mobile HuaweiBrowser/5.0.4.300",
    ),
    # HarmonyOS NEXT tablet still says Mobile
    (
        "Huawei Browser/HarmonyOS/tablet",
        "Mozilla/5.0 (Tablet; OpenHarmony 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 "
        "Safari/537.36 ArkWeb/4.1.6.1 Mobile HuaweiBrowser/5.0.4.300",
    ),
    (
        "Huawei Browser/HarmonyOS/desktop",
        "Mozilla/5.0 (PC; OpenHarmony 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 "
        "Safari/537.36 ArkWeb/4.1.6.1 HuaweiBrowser/5.0.4.300",
    ),
    # MatePad on HarmonyOS 3
    (
        "Huawei Browser/HarmonyOS/tablet",
        "Mozilla/5.0 (Linux; Android 12; HarmonyOS; BAH4-W09; HMSCore 6.11.0.302) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/13.0.6.302 Safari/537.36",
    ),
    (
        "MIUI Browser/Android/mobile",
        "Mozilla/5.0 (Linux; U; Android 13; zh-cn; 2211133C Build/TKQ1.220905.001) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Version/4.0 Chrome/109.0.5414.118 Mobile Safari/537.36 "
        "XiaoMi/MiuiBrowser/18.1.10524",
    ),
    (
        "Vivo Browser/Android/mobile",
        ANDROID + "(KHTML, like Gecko) Chrome/87.0.4280.141 Mobile Safari/537.36 VivoBrowser/14.3.10.1",
    ),
    (
        "OPPO Browser/Android/mobile",
        ANDROID + "(KHTML, like Gecko) Chrome/70.0.3538.80 Mobile Safari/537.36 HeyTapBrowser/40.8.8.1",
    ),
    # Mainstream browsers
    (
        "Samsung Internet/Android/mobile",
        "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
    ),
    # Samsung Internet on a Galaxy Tab
    (
        "Samsung Internet/Android/tablet",
        "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/23.0 Chrome/115.0.0.0 Safari/537.36",
    ),
    ("Opera/Windows/desktop", WINDOWS + "Chrome/124.0.0.0 Safari/537.36 OPR/110.0.0.0"),
    ("Edge/Windows/desktop", WINDOWS + "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"),
    (
        "Edge/Android/mobile",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
        "Mobile Safari/537.36 EdgA/131.0.0.0",
    ),
    (
        "Edge/iOS/mobile",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.0 EdgiOS/131.2903.68 Mobile/15E148 Safari/605.1.15",
    ),
    (
        "Firefox/Windows/desktop",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    ),
    (
        "Firefox/Linux/desktop",
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    ),
    ("Firefox/Android/mobile", "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0"),
    ("Firefox/Android/tablet", "Mozilla/5.0 (Android 14; Tablet; rv:133.0) Gecko/133.0 Firefox/133.0"),
    (
        "Firefox/iOS/mobile",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "FxiOS/133.0 Mobile/15E148 Safari/605.1.15",
    ),
    ("Chrome/macOS/desktop", MAC + "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
    ("Chrome/Windows/desktop", WINDOWS + "Chrome/131.0.0.0 Safari/537.36"),
    (
        "Chrome/Linux/desktop",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
        "Safari/537.36",
    ),
    (
        "Chrome/ChromeOS/desktop",
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
    ),
    (
        "Chrome/Android/mobile",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
        "Mobile Safari/537.36",
    ),
    # Chrome on an Android tablet: no Mobile token
    (
        "Chrome/Android/tablet",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
        "Safari/537.36",
    ),
    # Xiaomi Pad
    (
        "Chrome/Android/tablet",
        "Mozilla/5.0 (Linux; Android 13; 22081281AC Build/TKQ1.221114.001) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Chrome/120.0.6099.230 Safari/537.36",
    ),
    ("Chrome/iOS/mobile", IPHONE + "CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1"),
    ("Safari/macOS/desktop", MAC + "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"),
    (
        "Safari/iOS/mobile",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/18.1 Mobile/15E148 Safari/604.1",
    ),
    (
        "Safari/iPadOS/tablet",
        "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.6 Mobile/15E148 Safari/604.1",
    ),
    # iPadOS asking for the desktop site looks like a Mac
    ("Safari/macOS/desktop", MAC + "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15"),
    (
        "Safari/iOS/mobile",
        "Mozilla/5.0 (iPod touch; CPU iPhone OS 15_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/15.6 Mobile/15E148 Safari/604.1",
    ),
    (
        "Internet Explorer/Windows/desktop",
        "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
    ),
    # Embedded browsers of apps we do not name, and odd cases
    ("Android WebView/Android/mobile", ANDROID_WEBVIEW.strip()),
    ("iOS WebView/iOS/mobile", IPHONE + "Mobile/15E148"),
    (
        "Facebook/iOS/mobile",
        IPHONE
        + "Mobile/15E148 [FBAN/FBIOS;FBAV/442.0.0.32.113;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.1]",
    ),
    (
        "Instagram/iOS/mobile",
        IPHONE + "Mobile/15E148 Instagram 309.1.0.41.113 (iPhone14,5; iOS 17_1; en_US; en; scale=3.00)",
    ),
    # Telegram in-app is a person
    (
        "Android WebView/Android/mobile",
        ANDROID_WEBVIEW + "Telegram-Android/10.2.3 (Xiaomi 22081212C; Android 13; SDK 33; HIGH)",
    ),
    # Cubot phone is not a bot
    (
        "Chrome/Android/mobile",
        "Mozilla/5.0 (Linux; Android 11; CUBOT_NOTE_20 Build/RP1A.200720.011) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
    ),
    # App webview that ends with okhttp
    ("Android WebView/Android/mobile", ANDROID_WEBVIEW + "okhttp/4.9.0"),
    # A long UA naming nothing we know: a person we cannot describe
    ("//", "SomeDesktopApp/3.2 (Haiku; R1 beta4) WebPositive"),
]


@pytest.mark.parametrize(("expected", "ua"), CASES)
def test_browser_os_and_device(expected, ua):
    browser, os, device = expected.split("/")
    assert parse_user_agent(ua) == Agent(browser=browser, os=os, device=device, is_bot=False, bot_reason="")


def test_the_wechat_sample_from_the_brief_is_a_person_on_an_iphone():
    agent = parse_user_agent(IPHONE_WECHAT)
    assert (agent.browser, agent.os, agent.device, agent.is_bot, agent.bot_reason) == (
        "WeChat",
        "iOS",
        "mobile",
        False,
        "",
    )


def test_agent_is_immutable():
    agent = parse_user_agent(IPHONE_WECHAT)
    with pytest.raises(AttributeError):
        agent.browser = "Chrome"


def test_surrounding_whitespace_does_not_change_the_answer():
    assert parse_user_agent(f"  {IPHONE_WECHAT}\t") == parse_user_agent(IPHONE_WECHAT)


def test_results_are_cached_per_user_agent():
    parse_user_agent.cache_clear()
    first = parse_user_agent(IPHONE_WECHAT)
    assert parse_user_agent(IPHONE_WECHAT) is first
    assert parse_user_agent.cache_info().hits == 1
    assert parse_user_agent.cache_info().maxsize == 8192


def test_every_case_is_listed_once():
    assert len({ua for _, ua in CASES}) == len(CASES) >= 60
