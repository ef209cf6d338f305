"""Which automated clients ``parse_user_agent`` flags, with which reason, and which people it leaves alone."""

import pytest

from netmark.analytics import bots
from netmark.analytics.classify import Agent, parse_user_agent

COMPATIBLE = "Mozilla/5.0 (compatible; {}; +http://example.com/bot.html)"

BOTS = [
    # Search, SEO and AI crawlers
    ("crawler", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
    (
        "crawler",
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
        "+http://www.google.com/bot.html)",
    ),
    ("crawler", "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)"),
    (
        "crawler",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 9_1 like Mac OS X) AppleWebKit/601.1.46 (KHTML, like Gecko) "
        "Version/9.0 Mobile/13B143 Safari/601.1 (compatible; Baiduspider-render/2.0; "
        "+http://www.baidu.com/search/spider.html)",
    ),
    ("crawler", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"),
    ("crawler", "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)"),
    ("crawler", "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)"),
    (
        "crawler",
        "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/50.0.2661.102 "
        "Safari/537.36; 360Spider",
    ),
    (
        "crawler",
        "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
        "(compatible; Bytespider; spider-feedback@bytedance.com)",
    ),
    (
        "crawler",
        "Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
        "(compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)",
    ),
    (
        "crawler",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/69.0.3497.81 "
        "YisouSpider/5.0 Safari/537.36",
    ),
    ("crawler", "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)"),
    (
        "crawler",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)",
    ),
    ("crawler", "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"),
    ("crawler", "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)"),
    ("crawler", "Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)"),
    ("crawler", "Mozilla/5.0 (compatible; DotBot/1.2; +https://opensiteexplorer.org/dotbot; help@moz.com)"),
    (
        "crawler",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
        "+https://openai.com/gptbot)",
    ),
    (
        "crawler",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; "
        "+claudebot@anthropic.com)",
    ),
    ("crawler", "CCBot/2.0 (https://commoncrawl.org/faq/)"),
    ("crawler", "Mozilla/5.0 (compatible; ExampleCrawler/1.0)"),
    ("crawler", "Mozilla/5.0 (Windows NT 10.0) SomeNewBot/0.1"),
    ("crawler", COMPATIBLE.format("UnknownFetcher/1.0")),
    # Link previews of chat and social apps
    ("preview", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"),
    ("preview", "Twitterbot/1.0"),
    ("preview", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"),
    ("preview", "WhatsApp/2.23.20.0 A"),
    ("preview", "TelegramBot (like TwitterBot)"),
    ("preview", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)"),
    ("preview", "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)"),
    (
        "preview",
        "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com",
    ),
    ("preview", "Iframely/1.3.1 (+https://iframely.com/docs/about) Atlas"),
    ("preview", "Mozilla/5.0 (compatible; redditbot/1.0; +http://www.reddit.com/feedback)"),
    ("preview", "Pinterest/0.2 (+https://www.pinterest.com/bot.html)"),
    (
        "preview",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) "
        "Version/9.0.1 "
        "Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0",
    ),
    # Headless and automated browsers
    (
        "headless",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 "
        "Safari/537.36",
    ),
    (
        "headless",
        "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 "
        "Safari/538.1",
    ),
    (
        "headless",
        "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
    ),
    ("headless", "Mozilla/5.0 (linux) AppleWebKit/537.36 (KHTML, like Gecko) jsdom/22.1.0"),
    (
        "headless",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36 Playwright/1.49",
    ),
    (
        "headless",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0 Safari/537.36 PTST/250101.010101",
    ),
    # HTTP libraries and command-line tools
    ("tool", "curl/8.5.0"),
    ("tool", "Wget/1.21.4"),
    ("tool", "python-requests/2.32.3"),
    ("tool", "python-httpx/0.28.1"),
    ("tool", "Python/3.11 aiohttp/3.11.10"),
    ("tool", "Python-urllib/3.11"),
    ("tool", "Go-http-client/2.0"),
    ("tool", "okhttp/4.12.0"),
    ("tool", "Java/17.0.2"),
    ("tool", "Apache-HttpClient/4.5.14 (Java/17.0.9)"),
    ("tool", "libwww-perl/6.77"),
    ("tool", "Scrapy/2.12.0 (+https://scrapy.org)"),
    ("tool", "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)"),
    ("tool", "axios/1.7.9"),
    ("tool", "PostmanRuntime/7.43.0"),
    # Uptime monitors
    ("monitor", "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)"),
    ("monitor", "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)"),
    (
        "monitor",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/61.0.3163.100 "
        "Safari/537.36 PingdomPageSpeed/1.0 (pingbot/2.0; +http://www.pingdom.com/)",
    ),
    ("monitor", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/121.0.0.0 Safari/537.36 StatusCake"),
    ("monitor", "Mozilla/5.0 (compatible; Site24x7)"),
    ("monitor", "ELB-HealthChecker/2.0"),
    ("monitor", "kube-probe/1.29"),
    # Nothing to go on
    ("empty", ""),
    ("empty", "   "),
    ("empty", "-"),
    ("empty", "Mozilla/5.0"),
    ("empty", "abc"),
]


@pytest.mark.parametrize(("reason", "ua"), BOTS)
def test_bot_families(reason, ua):
    assert parse_user_agent(ua) == Agent(device="bot", is_bot=True, bot_reason=reason)


IN_APP_PEOPLE = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.60(0x18003c2f) NetType/WIFI Language/zh_CN",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 QQ/9.0.8.620 V1_IPH_SQ_9.0.8_1_APP_A Pixel/1170 Core/WKWebView NetType/WIFI",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 Weibo (iPhone15,3__weibo__14.1.0__iphone__os17.1)",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 AliApp(DingTalk/7.5.0) com.laiwang.DingTalk/31234567 Channel/201200 WK",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 aweme_25.4.0 JsSdk/2.0 NetType/WIFI BytedanceWebview/d8a21c6 WKWebView/1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 [Pinterest/iOS]",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 LinkedInApp",
    "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 (KHTML, like "
    "Gecko) "
    "Version/4.0 Chrome/118.0.0.0 Mobile Safari/537.36 Telegram-Android/10.2.3 (Google Pixel 7; Android 13)",
]


@pytest.mark.parametrize("ua", IN_APP_PEOPLE)
def test_in_app_browsers_are_people(ua):
    agent = parse_user_agent(ua)
    assert (agent.is_bot, agent.bot_reason, agent.device) == (False, "", "mobile")


def test_a_monitor_running_headless_chrome_is_reported_as_a_monitor():
    ua = "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0.0.0 Safari/537.36 UptimeRobot/2.0"
    assert parse_user_agent(ua).bot_reason == "monitor"


def test_okhttp_inside_a_browser_ua_is_not_a_tool():
    ua = (
        "Mozilla/5.0 (Linux; Android 13; 22081212C Build/TKQ1.220829.002; wv) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 okhttp/4.9.0"
    )
    assert parse_user_agent(ua).is_bot is False


def test_a_huge_user_agent_is_still_answered():
    ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) " + "x" * 100_000 + " Googlebot/2.1"
    agent = parse_user_agent(ua)
    assert agent.os == "Windows" and agent.is_bot is False  # only the first 1,024 characters are read


@pytest.mark.parametrize(
    ("reason", "needle"), [(reason, needle) for reason, needles in bots.FAMILIES for needle in needles]
)
def test_every_listed_needle_flags_a_browser_ua_with_its_family(reason, needle):
    """Also proves the fast "any needle at all?" pre-check misses none of the tables."""
    ua = f"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 {needle} Firefox/133.0"
    assert parse_user_agent(ua).bot_reason == reason
