"""Traffic classification for ingestion: one import for every pure check the hot path makes.

- ``parse_user_agent(ua) -> Agent``: browser, OS, device and bot verdict (``useragents``, ``bots``);
- ``is_prefetch(headers)``: the request is a browser prefetch, prerender or preview, not a visit;
- ``referrer_host(url)`` and ``classify_source(host, utm_source, utm_medium, own_host)``: channel and
  source, with the rules written down in ``channels``;
- ``parse_patterns(text)``, ``path_excluded(path, patterns)``, ``parse_networks(text)``,
  ``ip_excluded(ip, networks)``: a site's exclusion settings, one entry per line.

Everything here is a pure function that never raises on hostile input.

Path patterns: ``*`` matches any run of characters, "/" included, and the rest must match exactly
(case-sensitive, as paths are). ``/admin/*`` excludes ``/admin/`` and ``/admin/users/7`` but not
``/admin``; write ``/admin*`` for both. A query string or fragment on the path is ignored. In the
settings text, anything after "#" is a comment (a fragment never reaches the server anyway), blank
lines are skipped, and a pattern missing its leading "/" gets one.

Networks: an IPv4 or IPv6 address or CIDR block per line ("10.0.0.0/8", "2001:db8::/32",
"192.168.1.7"); host bits are allowed ("10.1.2.3/8" means 10.0.0.0/8); anything after "#" is a comment;
invalid lines are ignored. An IPv4-mapped IPv6 client address (::ffff:10.1.2.3) matches IPv4 entries.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence

from netmark.analytics.channels import CHANNELS, classify_source, referrer_host
from netmark.analytics.useragents import Agent, parse_user_agent

__all__ = [
    "CHANNELS",
    "Agent",
    "classify_source",
    "ip_excluded",
    "is_prefetch",
    "parse_networks",
    "parse_patterns",
    "parse_user_agent",
    "path_excluded",
    "referrer_host",
]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_NETWORK_TYPES = (ipaddress.IPv4Network, ipaddress.IPv6Network)

_PREFETCH_HEADERS = frozenset(("PURPOSE", "SEC_PURPOSE", "X_MOZ", "X_PURPOSE"))
_WSGI_KEYS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")
_HEADER_NAMES = ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz")
_PREFETCH_WORDS = frozenset(("prefetch", "prerender", "preview"))
_VALUE_SPLIT = re.compile(r"[;,\s]+")
_MAX_ENTRIES = 1000


def is_prefetch(headers: Mapping[str, str]) -> bool:
    """True when the request announces itself as a prefetch, prerender or link preview.

    Accepts a WSGI environ (``HTTP_SEC_PURPOSE``) or a mapping of header names in any case.
    """
    try:
        for key in (*_WSGI_KEYS, *_HEADER_NAMES):
            if _is_prefetch_value(headers.get(key)):
                return True
        if "REQUEST_METHOD" in headers or "wsgi.version" in headers:
            return False  # a WSGI environ: the exact keys above were the only places to look
        return any(
            _header_key(key) in _PREFETCH_HEADERS and _is_prefetch_value(v) for key, v in headers.items()
        )
    except (AttributeError, TypeError):
        return False


def _header_key(key: object) -> str:
    if not isinstance(key, str):
        return ""
    return key.upper().replace("-", "_").removeprefix("HTTP_")


def _is_prefetch_value(value: object) -> bool:
    if not isinstance(value, str) or not value:
        return False
    return not _PREFETCH_WORDS.isdisjoint(_VALUE_SPLIT.split(value.lower()))


def path_excluded(path: str, patterns: Sequence[str]) -> bool:
    """True when ``path`` matches one of the ``*``-wildcard ``patterns``."""
    if not patterns or not isinstance(path, str):
        return False
    matcher = _path_matcher(tuple(patterns))
    return matcher is not None and matcher.fullmatch(_bare_path(path)) is not None


def _bare_path(path: str) -> str:
    for mark in ("?", "#"):
        path = path.partition(mark)[0]
    return path


@functools.lru_cache(maxsize=512)
def _path_matcher(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = [
        ".*".join(map(re.escape, pattern.split("*"))) for pattern in patterns if isinstance(pattern, str)
    ]
    if not parts:
        return None
    return re.compile("|".join(f"(?:{part})" for part in parts), re.DOTALL)


@functools.lru_cache(maxsize=512)
def parse_patterns(text: str) -> tuple[str, ...]:
    """Path patterns from a settings textarea, one per line, in order, without duplicates."""
    patterns: dict[str, None] = {}
    for line in _lines(text):
        if not line.startswith(("/", "*")):
            line = "/" + line
        patterns[line] = None
    return tuple(patterns)[:_MAX_ENTRIES]


def ip_excluded(ip: str, networks: Sequence[str | Network]) -> bool:
    """True when ``ip`` lies in one of ``networks`` (strings or parsed networks; invalid ones ignored)."""
    if not networks:
        return False
    candidates = _addresses(ip) if isinstance(ip, str) else ()
    if not candidates:
        return False
    if not all(isinstance(entry, _NETWORK_TYPES) for entry in networks):
        networks = _networks(tuple(networks))
    return any(candidate in network for network in networks for candidate in candidates)


@functools.lru_cache(maxsize=4096)
def _addresses(ip: str) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, ...]:
    """The client address, plus its IPv4 form when it is IPv4-mapped IPv6; cached, as clients repeat."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ()
    if address.version == 6 and address.ipv4_mapped is not None:
        return address, address.ipv4_mapped
    return (address,)


@functools.lru_cache(maxsize=512)
def _networks(entries: tuple[str | Network, ...]) -> tuple[Network, ...]:
    return tuple(_unique(network for entry in entries if (network := _network(entry)) is not None))


@functools.lru_cache(maxsize=512)
def parse_networks(text: str) -> tuple[Network, ...]:
    """Networks from a settings textarea: addresses or CIDR blocks, one per line; invalid lines ignored."""
    return tuple(_unique(network for line in _lines(text) if (network := _network(line)) is not None))


def _network(entry: object) -> Network | None:
    if isinstance(entry, _NETWORK_TYPES):
        return entry
    if not isinstance(entry, str):
        return None
    try:
        return ipaddress.ip_network(entry.strip(), strict=False)
    except ValueError:
        return None


def _lines(text: str) -> Iterable[str]:
    if not isinstance(text, str):
        return
    for raw in text.splitlines()[:_MAX_ENTRIES]:
        line = raw.split("#", 1)[0].strip()
        if line:
            yield line


def _unique(networks: Iterable[Network]) -> list[Network]:
    return list(dict.fromkeys(networks))[:_MAX_ENTRIES]
