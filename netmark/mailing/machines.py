"""Which opens and clicks were made by machines, not people (reported apart, never dropped).

Opens: Apple Mail Privacy Protection fetches every image when a message arrives, Gmail, Yahoo,
QQ and NetEase (163 / 126) fetch them through image proxies, security gateways fetch them to scan.
Clicks: gateways (Microsoft Safe Links, Mimecast, Proofpoint, Barracuda ...) follow every link
seconds after delivery, from datacenter addresses, often with a script's user agent; a hidden
honeypot link no person can see is followed only by them. The rules below are heuristics, named
in ``reason`` so a report can say why; the networks and the seconds are settings.
"""

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from netmark.analytics import services as analytics

# Image proxies by user agent (lower-case substrings) -> reason.
_PROXY_AGENTS = (
    ("googleimageproxy", "gmail_proxy"),
    ("ggpht.com", "gmail_proxy"),
    ("yahoomailproxy", "yahoo_proxy"),
    ("qqmail", "qq_proxy"),
    ("mail.qq.com", "qq_proxy"),
    ("tencent", "qq_proxy"),
    ("netease", "netease_proxy"),
    ("163mail", "netease_proxy"),
    ("mail.163.com", "netease_proxy"),
)
# Security scanners and tools by user agent.
_SCANNER_AGENTS = re.compile(
    r"barracuda|mimecast|proofpoint|symantec|trendmicro|trend micro|bitdefender|forcepoint|fortinet|"
    r"sophos|cisco|ironport|safelinks|microsoft office protection|python|curl|wget|go-http-client|"
    r"java/|libwww|httpclient|okhttp|headless|phantomjs|scanner"
)
# Apple MPP's proxy fetches with the bare agent "Mozilla/5.0" (Mail.app itself sends the full Mac
# WebKit string, so that one alone proves nothing; Apple's 17.0.0.0/8 below catches the rest).
_APPLE_BARE = re.compile(r"^mozilla/5\.0$")

# Networks where people do not read mail (commonly reported egress of proxies and scanners):
# Apple (MPP), Google image proxy, Microsoft Exchange Online Protection. Extend with
# NETMARK_MACHINE_NETWORKS (comma-separated CIDRs).
DEFAULT_NETWORKS = (
    ("17.0.0.0/8", "apple_mpp"),
    ("66.102.0.0/20", "gmail_proxy"),
    ("66.249.80.0/20", "gmail_proxy"),
    ("40.92.0.0/15", "datacenter"),
    ("40.107.0.0/16", "datacenter"),
    ("52.100.0.0/14", "datacenter"),
)


@dataclass(frozen=True)
class Verdict:
    is_machine: bool
    reason: str = ""


HUMAN = Verdict(False)


def _networks() -> list[tuple[ipaddress._BaseNetwork, str]]:
    extra = [(entry, "datacenter") for entry in getattr(settings, "MACHINE_NETWORKS", ())]
    found = []
    for text, reason in (*DEFAULT_NETWORKS, *extra):
        try:
            found.append((ipaddress.ip_network(text, strict=False), reason))
        except ValueError:
            continue
    return found


def network_reason(ip: str) -> str:
    try:
        address = ipaddress.ip_address(str(ip or "").strip())
    except ValueError:
        return ""
    for network, reason in _networks():
        if address.version == network.version and address in network:
            return reason
    return ""


def _too_soon(sent_at: datetime | None, at: datetime) -> bool:
    if sent_at is None:
        return False
    return 0 <= (at - sent_at).total_seconds() < settings.MACHINE_SECONDS


def _agent_reason(user_agent: str) -> str:
    agent = str(user_agent or "").strip().lower()
    if not agent:
        return "no_user_agent"
    for needle, reason in _PROXY_AGENTS:
        if needle in agent:
            return reason
    if _APPLE_BARE.match(agent):
        return "apple_mpp"
    if _SCANNER_AGENTS.search(agent) or analytics.user_agent_is_bot(user_agent):
        return "scanner"
    return ""


def classify_open(*, user_agent: str, ip: str, sent_at: datetime | None, at: datetime) -> Verdict:
    reason = _agent_reason(user_agent) or network_reason(ip)
    if not reason and _too_soon(sent_at, at):
        reason = "too_soon"
    return Verdict(bool(reason), reason)


def classify_click(
    *, user_agent: str, ip: str, sent_at: datetime | None, at: datetime, honeypot: bool
) -> Verdict:
    if honeypot:
        return Verdict(True, "honeypot")
    reason = _agent_reason(user_agent)
    if reason.endswith("_proxy"):  # image proxies do not click; a proxy agent on a click is a tool
        reason = "scanner"
    reason = reason or network_reason(ip) or ("too_soon" if _too_soon(sent_at, at) else "")
    return Verdict(bool(reason), reason)
