"""Loopback HTTP servers for tests: each counts the TCP connections it accepts and records requests.

They bind to 127.0.0.0/8 only (the network rule of RELIABILITY.md). A handler is a function
``respond(request: Handler) -> None`` that writes the whole answer, raw bytes included.
"""

import http.client
import http.server
import logging
import socket
import ssl
import sys
import threading
from contextlib import contextmanager, suppress
from dataclasses import dataclass


@dataclass
class Recorded:
    method: str
    path: str
    headers: http.client.HTTPMessage  # case-insensitive look-ups
    body: bytes


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: every hop connects again

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.requests.append(Recorded(self.command, self.path, self.headers, body))
        # The client may hang up on purpose (size caps, timeouts): that is what those tests check.
        with suppress(BrokenPipeError, ConnectionResetError):
            self.server.respond(self)

    do_GET = do_POST = do_HEAD = do_PUT = _handle

    def answer(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, respond):
        self.respond = respond
        self.connections = 0
        self.requests: list[Recorded] = []
        self.errors: list[BaseException] = []
        super().__init__(address, Handler)

    def verify_request(self, request, client_address) -> bool:
        self.connections += 1
        return True

    def handle_error(self, request, client_address) -> None:
        self.errors.append(sys.exc_info()[1])  # e.g. a TLS handshake the client refused

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, path: str = "/") -> str:
        scheme = "https" if isinstance(self.socket, ssl.SSLSocket) else "http"
        return f"{scheme}://{self.server_address[0]}:{self.port}{path}"


def ok(request: Handler) -> None:
    request.answer(200, "好的".encode(), {"Content-Type": "text/plain; charset=utf-8"})


@contextmanager
def serving(respond=ok, host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None):
    assert host.startswith("127."), "test servers listen on loopback only"
    server = Server((host, port), respond)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def free_port_pair() -> int:
    """A port free on both 127.0.0.1 and 127.0.0.2 (for DNS-rebinding tests on one host:port)."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.2", 0))
            port = first.getsockname()[1]
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port))
                except OSError:
                    continue
        return port
    raise RuntimeError("no port free on both 127.0.0.1 and 127.0.0.2")


class SecurityLog(logging.Handler):
    """Collects the records of the ``netmark.security`` logger (which does not propagate)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def lines(self) -> list[str]:
        return [record.getMessage() for record in self.records]


@contextmanager
def security_log():
    handler = SecurityLog()
    logger = logging.getLogger("netmark.security")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
