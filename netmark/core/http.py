"""The one outbound HTTP client. Every connection netmark opens to a user-given URL goes through here.

The address policy (``core.addresses``; ARCHITECTURE.md, "Tenancy and security") is applied at
connect time, inside the network backend, to the very address the socket connects to: the host is
resolved once per connection, every answer is checked, and the socket goes to a checked address (so a
DNS answer that changes between a check and the connect cannot slip through). Redirects are followed
here, one hop at a time, and every hop opens its connections through the same backend.

Hostile servers are bounded (FETCH-LIMIT): a total deadline applies to every socket read and write,
bodies are streamed with a cap on the decoded bytes, and gzip / deflate are decoded here with a bounded
output per chunk, so a compression bomb is refused without being inflated.
"""

import functools
import json
import os
import ssl
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

import certifi
import httpcore
import httpx

from netmark import __version__
from netmark.core.addresses import (
    AddressPolicy,
    BlockedAddress,
    IPAddress,
    OutboundBlocked,
    OutboundError,
    check_address,
    escape,
    parse_ip_literal,
    refuse,
    resolve_and_check,
)

__all__ = [
    "AddressPolicy",
    "BlockedAddress",
    "OutboundBlocked",
    "OutboundError",
    "OutboundTimeout",
    "OutboundTooLarge",
    "Response",
    "addresses_for",
    "check_address",
    "check_target",
    "check_url",
    "escape",
    "fetch",
    "parse_ip_literal",
    "resolve_and_check",
]

SCHEMES = frozenset({"http", "https"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
USER_AGENT = f"netmark/{__version__} (+https://github.com/netmark)"
CONNECT_TIMEOUT = 5.0


class OutboundTimeout(OutboundError):
    pass


class OutboundTooLarge(OutboundError):
    pass


def check_url(url) -> httpx.URL:
    """``url`` parsed, or ``OutboundBlocked`` for a scheme other than http(s) or a missing host."""
    try:
        parsed = httpx.URL(str(url))
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise refuse(OutboundBlocked(f"not a valid URL: {exc}"), str(url)) from None
    if parsed.scheme not in SCHEMES:
        raise refuse(OutboundBlocked(f"the scheme {parsed.scheme!r} is not allowed"), str(url))
    if not parsed.host:
        raise refuse(OutboundBlocked("the URL has no host"), str(url))
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
            raise refuse(exc, str(url)) from None


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
        raise refuse(OutboundBlocked("unix sockets are not allowed"), path)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@functools.lru_cache(maxsize=4)
def _ssl_context(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    if not (cafile or capath):
        cafile = certifi.where()
    return ssl.create_default_context(cafile=cafile, capath=capath)


def ssl_context() -> ssl.SSLContext:
    """Certificates are verified against certifi, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` when an
    operator sets them (a private CA for internal receivers)."""
    return _ssl_context(os.environ.get("SSL_CERT_FILE") or None, os.environ.get("SSL_CERT_DIR") or None)


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's transport on a connection pool that opens its sockets through the guarded backend.
    No proxies from the environment: a proxy would connect for us, past the address check."""

    def __init__(self, backend: _GuardedBackend):
        context = ssl_context()
        super().__init__(verify=context, trust_env=False)
        self._pool = httpcore.ConnectionPool(ssl_context=context, network_backend=backend, max_connections=4)


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
            bodiless = redirect or request.method == "HEAD"
            body = b"" if bodiless else _read_body(response, max_bytes)
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
