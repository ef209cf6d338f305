"""Prefetch detection, a site's path and address exclusions, and that no classifier raises on any text."""

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netmark.analytics import classify


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_PURPOSE": "prefetch"},
        {"HTTP_SEC_PURPOSE": "prefetch"},
        {"HTTP_SEC_PURPOSE": "prefetch;prerender"},
        {"HTTP_SEC_PURPOSE": "prefetch;anonymous-client-ip"},
        {"HTTP_X_MOZ": "prefetch"},
        {"HTTP_X_PURPOSE": "preview"},
        {"Purpose": "prefetch"},
        {"Sec-Purpose": "Prefetch; prerender"},
        {"sec-purpose": "prefetch"},
        {"X-Moz": "prefetch"},
        {"x-purpose": "preview"},
        {"SEC-PURPOSE": "prefetch"},
        {"REQUEST_METHOD": "GET", "HTTP_SEC_PURPOSE": "prefetch", "wsgi.version": (1, 0)},
    ],
)
def test_prefetch_headers(headers):
    assert classify.is_prefetch(headers) is True


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_USER_AGENT": "prefetch"},
        {"HTTP_PURPOSE": ""},
        {"HTTP_SEC_PURPOSE": "navigate"},
        {"HTTP_X_PURPOSE": "instant-search"},
        {"REQUEST_METHOD": "GET", "wsgi.version": (1, 0), "HTTP_ACCEPT": "text/html"},
        {"Sec-Fetch-Dest": "document", "Referer": "https://example.com/prefetch"},
        {"HTTP_SEC_PURPOSE": None},
    ],
)
def test_ordinary_requests_are_not_prefetches(headers):
    assert classify.is_prefetch(headers) is False


def test_prefetch_reads_a_django_request_headers_object(rf):
    request = rf.get("/s/abc", HTTP_SEC_PURPOSE="prefetch;prerender")
    assert classify.is_prefetch(request.headers) is True
    assert classify.is_prefetch(request.META) is True
    assert classify.is_prefetch(rf.get("/s/abc").META) is False


PATTERNS = ("/admin/*", "/preview", "*/draft/*", "/tmp*")


@pytest.mark.parametrize(
    ("path", "excluded"),
    [
        ("/admin/", True),
        ("/admin/users/7", True),
        ("/admin/users/7?tab=roles", True),
        ("/admin", False),
        ("/administrator", False),
        ("/preview", True),
        ("/preview/", False),
        ("/Preview", False),
        ("/blog/draft/1", True),
        ("/draft/1", True),  # "*" also matches nothing
        ("/tmp", True),
        ("/tmp-files/a", True),
        ("/", False),
        ("/产品/茶", False),
        ("", False),
    ],
)
def test_path_patterns(path, excluded):
    assert classify.path_excluded(path, PATTERNS) is excluded


def test_regex_characters_in_patterns_are_literal():
    assert classify.path_excluded("/a.b", ["/a.b"]) is True
    assert classify.path_excluded("/axb", ["/a.b"]) is False
    assert classify.path_excluded("/p(1)", ["/p(1)"]) is True


def test_no_patterns_exclude_nothing():
    assert classify.path_excluded("/admin/", []) is False
    assert classify.path_excluded("/admin/", ()) is False


def test_parse_patterns_reads_one_per_line():
    text = "/admin/*\n\n  /preview  \n# internal pages\nstaging/*\n/admin/*\r\n/产品/*  # Chinese path\n"
    assert classify.parse_patterns(text) == ("/admin/*", "/preview", "/staging/*", "/产品/*")
    assert classify.parse_patterns("") == ()


NETWORKS = ("10.0.0.0/8", "192.168.1.7", "2001:db8::/32", "not a network", "300.1.1.1", "")


@pytest.mark.parametrize(
    ("ip", "excluded"),
    [
        ("10.1.2.3", True),
        ("11.1.2.3", False),
        ("192.168.1.7", True),
        ("192.168.1.8", False),
        ("2001:db8::1", True),
        ("2001:db9::1", False),
        ("::ffff:10.9.9.9", True),
        (" 10.0.0.1 ", True),
        ("", False),
        ("not an ip", False),
        ("10.0.0.1:8080", False),
    ],
)
def test_ip_exclusions(ip, excluded):
    assert classify.ip_excluded(ip, NETWORKS) is excluded


def test_ip_exclusion_accepts_parsed_networks():
    networks = classify.parse_networks("10.0.0.0/8\n2001:db8::/32")
    assert classify.ip_excluded("10.200.0.1", networks) is True
    assert classify.ip_excluded("2001:db8:1::5", networks) is True
    assert classify.ip_excluded("8.8.8.8", networks) is False
    assert classify.ip_excluded("10.0.0.1", ()) is False


def test_parse_networks_reads_one_per_line_and_skips_invalid_lines():
    text = "10.0.0.0/8\n192.168.1.7  # office\n\n2001:DB8::/32\nnonsense\n10.1.2.3/8\n999.0.0.1\n"
    assert classify.parse_networks(text) == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("192.168.1.7/32"),
        ipaddress.ip_network("2001:db8::/32"),
    )


def test_settings_parsers_are_cached():
    text = "10.0.0.0/8\n172.16.0.0/12"
    assert classify.parse_networks(text) is classify.parse_networks(text)
    assert classify.parse_patterns("/a\n/b") is classify.parse_patterns("/a\n/b")


@given(st.text(max_size=300), st.text(max_size=100), st.text(max_size=100), st.text(max_size=100))
def test_no_classifier_raises_on_any_text(first, second, third, fourth):
    agent = classify.parse_user_agent(first)
    assert agent.device in ("desktop", "mobile", "tablet", "bot", "")
    host = classify.referrer_host(first)
    assert host == host.strip().lower() and not host.startswith("www.")
    channel, source = classify.classify_source(first, second, third, fourth)
    assert channel in classify.CHANNELS and len(source) <= 253
    channel, _ = classify.classify_source(host, second, third, fourth)
    assert channel in classify.CHANNELS
    assert classify.is_prefetch({first: second, "HTTP_SEC_PURPOSE": third}) in (True, False)
    assert classify.path_excluded(first, [second, third]) in (True, False)
    assert classify.ip_excluded(first, [second, fourth]) in (True, False)
    assert all(
        isinstance(network, ipaddress.IPv4Network | ipaddress.IPv6Network)
        for network in classify.parse_networks(first)
    )
    assert all(pattern.startswith(("/", "*")) for pattern in classify.parse_patterns(first))


@given(st.from_regex(r"https?://[a-zA-Z0-9.\-]{0,30}(:[0-9]{1,6})?(/.{0,40})?", fullmatch=True))
def test_referrer_host_never_raises_on_url_shaped_text(url):
    host = classify.referrer_host(url)
    assert host == "" or host in url.lower()
