"""The one outbound HTTP client. Every connection netmark opens to a user-given URL goes through here.

The address policy (ARCHITECTURE.md, "Tenancy and security"; RELIABILITY.md, SSRF) is applied at
connect time, inside the network backend, to the very address the socket connects to: the host is
resolved once per connection, every answer is checked, and the socket goes to a checked address (so a
DNS answer that changes between a check and the connect cannot slip through). Redirects are followed
here, one hop at a time, and every hop opens its connections through the same backend.

Hostile servers are bounded (FETCH-LIMIT): a total deadline applies to every socket read and write,
bodies are streamed with a cap on the decoded bytes, and gzip / deflate are decoded here with a bounded
output per chunk, so a compression bomb is refused without being inflated.
"""

import json
import logging
import re
import socket
import time
import zlib
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

import httpcore
import httpx
from django.conf import settings

from netmark import __version__

security_log = logging.getLogger("netmark.security")

IPAddress = IPv4Address | IPv6Address
Resolver = Callable[[str, int], list[str]]

SCHEMES = frozenset({"http", "https"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
USER_AGENT = f"netmark/{__version__} (+https://github.com/netmark)"
CONNECT_TIMEOUT = 5.0

# Python's ``is_global`` misses these: shared address space (100.64.0.0/10, where Alibaba Cloud's
# metadata service 100.100.100.200 lives) and local-use NAT64.
EXTRA_PRIVATE = (ip_network("100.64.0.0/10"), ip_network("64:ff9b:1::/48"))
# Never reachable, not even when an operator allows private ranges: "this network", link-local
# (cloud metadata 169.254.169.254), multicast, reserved and broadcast, IPv4-compatible and
# IPv4-translated IPv6, site-local IPv6, and the well-known metadata addresses.
NEVER = (
    ip_network("0.0.0.0/8"),
    ip_network("169.254.0.0/16"),
    ip_network("224.0.0.0/4"),
    ip_network("240.0.0.0/4"),
    ip_network("100.100.100.200/32"),
    ip_network("::/96"),
    ip_network("::ffff:0:0:0/96"),
    ip_network("fe80::/10"),
    ip_network("fec0::/10"),
    ip_network("ff00::/8"),
    ip_network("fd00:ec2::254/128"),
)
NAT64 = ip_network("64:ff9b::/96")
_INET_ATON_PART = re.compile(r"0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*")


class OutboundError(Exception):
    """An outbound request failed: unreachable, refused, timed out, too large or malformed."""


class OutboundBlocked(OutboundError):
    """The policy refused the URL or an address it resolved to. Nothing was sent."""


class BlockedAddress(OutboundBlocked):
    def __init__(self, address: IPAddress, reason: str):
        self.address, self.reason = address, reason
        super().__init__(f"{address} is a {reason} address")


class OutboundTimeout(OutboundError):
    pass


class OutboundTooLarge(OutboundError):
    pass


def escape(text: str) -> str:
    """``text`` with CR, LF and other control characters escaped, safe for one log line."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in str(text))


def _refuse(error: OutboundBlocked, target: str) -> OutboundBlocked:
    security_log.warning("outbound_refused target=%s reason=%s", escape(target), escape(str(error)))
    return error


# --- the address policy ---------------------------------------------------------------------------


def system_resolver(host: str, port: int) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses outbound connections may reach.

    ``allow_private`` admits private, loopback and shared ranges (operators, tests);
    ``allowed_networks`` admits exactly these networks (e.g. one internal receiver). Neither admits
    the ``NEVER`` ranges. ``resolver`` maps a host name to addresses (a stub in tests).
    """

    allow_private: bool = False
    allowed_networks: tuple = ()
    resolver: Resolver = field(default=system_resolver)

    @classmethod
    def from_settings(cls, allow_private: bool | None = None, **options) -> "AddressPolicy":
        if allow_private is None:
            allow_private = settings.ALLOW_PRIVATE_ADDRESSES
        networks = tuple(ip_network(net) for net in options.pop("allowed_networks", ()))
        return cls(allow_private=allow_private, allowed_networks=networks, **options)


def embedded_ipv4(address: IPAddress) -> IPv4Address | None:
    """The IPv4 address an IPv6 address reaches through mapping, NAT64 or 6to4, if any."""
    if not isinstance(address, IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def classify(address: IPAddress) -> str | None:
    """None for a global address, else ``"private"`` (allowable) or ``"reserved"`` (never)."""
    if address.is_loopback:
        return "private"
    if _within(address, NEVER) or address.is_multicast or address.is_unspecified:
        return "reserved"
    if address.is_link_local or address.is_reserved:
        return "reserved"
    if not address.is_global or _within(address, EXTRA_PRIVATE):
        return "private"
    return None


def check_address(address, *, allow_private: bool = False, allowed_networks: Iterable = ()) -> None:
    """Raise ``BlockedAddress`` unless a connection to ``address`` is allowed. Opens no socket."""
    address = ip_address(address) if isinstance(address, str) else address
    inner = embedded_ipv4(address)
    if inner is not None:
        return check_address(inner, allow_private=allow_private, allowed_networks=allowed_networks)
    reason = classify(address)
    if reason is None:
        return None
    if reason == "private" and (allow_private or _within(address, allowed_networks)):
        return None
    raise BlockedAddress(address, reason)


def _within(address: IPAddress, networks: Iterable) -> bool:
    return any(address in network for network in networks if network.version == address.version)


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address ``host`` spells, in any form a C library accepts (127.1, 2130706433, 0x7f000001,
    0177.0.0.1, [::ffff:127.0.0.1]); None for a host name."""
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return ip_address(host)
    except ValueError:
        return _inet_aton(host)


def _inet_aton(host: str) -> IPv4Address | None:
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(_INET_ATON_PART.fullmatch(part) for part in parts):
        return None
    values = [_inet_aton_number(part) for part in parts]
    *head, last = values
    if any(value > 255 for value in head) or last >= 256 ** (5 - len(parts)):
        return None
    return IPv4Address(sum(value << (8 * (3 - index)) for index, value in enumerate(head)) + last)


def _inet_aton_number(part: str) -> int:
    if part[:2].lower() == "0x":
        return int(part[2:] or "0", 16)
    return int(part, 8) if part.startswith("0") else int(part)


def resolve_and_check(host: str, port: int, policy: AddressPolicy) -> list[IPAddress]:
    """The checked addresses of ``host``. If any answer is refused, the whole host is refused."""
    literal = parse_ip_literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = [ip_address(answer) for answer in policy.resolver(host, port)]
        except (OSError, UnicodeError, ValueError) as exc:
            raise OutboundError(f"cannot resolve {host}: {exc}") from None
    if not addresses:
        raise OutboundError(f"cannot resolve {host}")
    for address in addresses:
        try:
            check_address(
                address, allow_private=policy.allow_private, allowed_networks=policy.allowed_networks
            )
        except BlockedAddress as exc:
            raise _refuse(exc, f"{_host_port(host, port)} -> {address}") from None
    return list(dict.fromkeys(addresses))


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def check_url(url) -> httpx.URL:
    """``url`` parsed, or ``OutboundBlocked`` for a scheme other than http(s) or a missing host."""
    try:
        parsed = httpx.URL(str(url))
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise _refuse(OutboundBlocked(f"not a valid URL: {exc}"), str(url)) from None
    if parsed.scheme not in SCHEMES:
        raise _refuse(OutboundBlocked(f"the scheme {parsed.scheme!r} is not allowed"), str(url))
    if not parsed.host:
        raise _refuse(OutboundBlocked("the URL has no host"), str(url))
    return parsed


def addresses_for(url, policy: AddressPolicy | None = None) -> list[IPAddress]:
    """What a fetch of ``url`` would connect to (the first hop), decided without opening a socket."""
    parsed = check_url(url)
    return resolve_and_check(
        parsed.raw_host.decode("ascii"),
        parsed.port or _default_port(parsed),
        policy or AddressPolicy.from_settings(),
    )


def check_target(url, *, allow_private: bool | None = None) -> None:
    """For forms: the scheme, and a host written as an address (in any form), without DNS."""
    parsed = check_url(url)
    literal = parse_ip_literal(parsed.raw_host.decode("ascii"))
    if literal is not None:
        policy = AddressPolicy.from_settings(allow_private)
        try:
            check_address(literal, allow_private=policy.allow_private)
        except BlockedAddress as exc:
            raise _refuse(exc, str(url)) from None


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


# --- the guarded network backend ------------------------------------------------------------------


class _DeadlineStream(httpcore.NetworkStream):
    """A stream whose every read and write ends by the fetch's deadline (drip feeds end too)."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: float):
        self._stream, self._deadline = stream, deadline

    def _timeout(self, timeout: float | None, error: type[Exception]) -> float:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise error("the total time limit was reached")
        return remaining if timeout is None else min(timeout, remaining)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._timeout(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._timeout(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(
            ssl_context, server_hostname, self._timeout(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(stream, self._deadline)

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves and checks the host, then connects the socket to a checked address only."""

    def __init__(self, policy: AddressPolicy, deadline: float):
        self._policy, self._deadline = policy, deadline
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        error: Exception = OutboundError(f"cannot connect to {host}")
        for address in resolve_and_check(host, port, self._policy):
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                raise httpcore.ConnectTimeout("the total time limit was reached")
            wait = remaining if timeout is None else min(timeout, remaining)
            try:
                stream = self._inner.connect_tcp(str(address), port, wait, local_address, socket_options)
            except httpcore.ConnectError as exc:
                error = exc
                continue
            return _DeadlineStream(stream, self._deadline)
        raise error

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise _refuse(OutboundBlocked("unix sockets are not allowed"), path)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, backend: _GuardedBackend):
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False), network_backend=backend, max_connections=4
        )


# --- fetching -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    status: int
    headers: httpx.Headers
    body: bytes
    url: str

    @property
    def text(self) -> str:
        charset = httpx.Response(self.status, headers=self.headers).charset_encoding or "utf-8"
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)


class _Decoder:
    """Decodes gzip / deflate with a bound on the output of every step."""

    def __init__(self, content_encoding: str):
        codings = [
            c.strip().lower()
            for c in content_encoding.split(",")
            if c.strip().lower() not in {"", "identity"}
        ]
        if codings and codings not in (["gzip"], ["x-gzip"], ["deflate"]):
            raise OutboundError(f"unsupported content encoding {content_encoding!r}")
        self._zlib = zlib.decompressobj(32 + zlib.MAX_WBITS) if codings else None

    def decode(self, data: bytes, budget: int) -> bytes:
        if self._zlib is not None:
            try:
                data = self._zlib.decompress(data, budget + 1) if data else self._zlib.flush()
            except zlib.error:
                raise OutboundError("the response body could not be decoded") from None
        if len(data) > budget:
            raise OutboundTooLarge("the response body is larger than allowed")
        return data


def _read_body(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise OutboundTooLarge("the response body is larger than allowed")
    decoder = _Decoder(response.headers.get("content-encoding", ""))
    chunks, size, raw_size = [], 0, 0
    for raw in response.iter_raw():
        raw_size += len(raw)
        if raw_size > max_bytes:
            raise OutboundTooLarge("the response body is larger than allowed")
        chunk = decoder.decode(raw, max_bytes - size)
        size += len(chunk)
        chunks.append(chunk)
    chunks.append(decoder.decode(b"", max_bytes - size))
    return b"".join(chunks)


@contextmanager
def _mapped_errors(url):
    try:
        yield
    except httpx.TimeoutException:
        raise OutboundTimeout(f"{url}: timed out") from None
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
        raise OutboundError(f"{url}: {type(exc).__name__}: {exc}") from None


def _exchange(client: httpx.Client, request: httpx.Request, max_bytes: int, follow: bool) -> Response:
    with _mapped_errors(request.url):
        response = client.send(request, stream=True)
        try:
            redirect = follow and response.status_code in REDIRECT_STATUSES and "location" in response.headers
            body = b"" if redirect else _read_body(response, max_bytes)
        finally:
            response.close()
    return Response(response.status_code, response.headers, body, str(request.url))


def _next_request(client: httpx.Client, request: httpx.Request, response: Response) -> httpx.Request:
    with _mapped_errors(request.url):
        url = check_url(request.url.join(response.headers["location"]))
    method, content = request.method, request.content or None
    dropped = {"host", "content-length", "transfer-encoding"}
    if (response.status == 303 and method != "HEAD") or (response.status in (301, 302) and method == "POST"):
        method, content = "GET", None
        dropped |= {"content-type", "content-encoding"}
    if (url.scheme, url.host, url.port) != (request.url.scheme, request.url.host, request.url.port):
        dropped |= {"authorization", "cookie", "proxy-authorization"}
    headers = [
        (key, value) for key, value in request.headers.raw if key.decode("latin-1").lower() not in dropped
    ]
    return client.build_request(method, url, headers=headers, content=content)


def fetch(
    url,
    *,
    method: str = "GET",
    headers: dict | None = None,
    content: bytes | None = None,
    timeout: float = 10.0,
    max_bytes: int = 5_000_000,
    follow_redirects: bool = True,
    max_redirects: int = 5,
    allow_private: bool | None = None,
    policy: AddressPolicy | None = None,
) -> Response:
    """One request through the address policy; ``timeout`` bounds the whole fetch, redirects included.

    Raises ``OutboundBlocked`` (policy), ``OutboundTimeout``, ``OutboundTooLarge`` or ``OutboundError``.
    Without ``follow_redirects`` a 3xx answer is returned as it is.
    """
    policy = policy or AddressPolicy.from_settings(allow_private)
    deadline = time.monotonic() + timeout
    client = httpx.Client(
        transport=_GuardedTransport(_GuardedBackend(policy, deadline)),
        timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
    )
    with client:
        with _mapped_errors(url):
            request = client.build_request(method, check_url(url), headers=headers, content=content)
        for _hop in range(max_redirects + 1):
            response = _exchange(client, request, max_bytes, follow_redirects)
            if not (
                follow_redirects and response.status in REDIRECT_STATUSES and "location" in response.headers
            ):
                return response
            request = _next_request(client, request, response)
    raise OutboundError(f"{url}: more than {max_redirects} redirects")
