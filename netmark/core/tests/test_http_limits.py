"""FETCH-LIMIT: hostile servers cannot exhaust netmark (drip feeds, huge bodies, gzip bombs).

Every server here listens on loopback, and private addresses are allowed for these tests only.
"""

import gzip
import time
import tracemalloc
import zlib

import pytest

from netmark.core import http
from netmark.core.tests.servers import serving

MIB = 1024 * 1024


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    settings.ALLOW_PRIVATE_ADDRESSES = True


def drip_body(request):
    request.send_response(200)
    request.send_header("Content-Length", "100000")
    request.end_headers()
    for _ in range(200):
        request.wfile.write(b"x")
        request.wfile.flush()
        time.sleep(0.05)


def drip_headers(request):
    for _ in range(200):
        request.wfile.write(b"HTTP/1.0 200 OK\r\n"[:1] if _ == 0 else b"X-Slow: y\r\n")
        request.wfile.flush()
        time.sleep(0.05)


def silent(request):
    time.sleep(3)


@pytest.mark.parametrize("respond", [drip_body, drip_headers, silent], ids=["body", "headers", "silent"])
def test_a_slow_server_is_cut_off_at_the_total_time_limit(respond):
    with serving(respond) as server:
        started = time.monotonic()
        with pytest.raises(http.OutboundTimeout):
            http.fetch(server.url(), timeout=0.8)
        elapsed = time.monotonic() - started
    assert 0.7 < elapsed < 1.6


def declared_gigabyte(request):
    request.send_response(200)
    request.send_header("Content-Length", str(1024 * MIB))
    request.end_headers()
    for _ in range(16 * 1024):  # up to 1 GiB, until the client hangs up
        request.wfile.write(b"\0" * 65536)


def endless_undeclared(request):
    request.send_response(200)
    request.end_headers()
    for _ in range(16 * 1024):
        request.wfile.write(b"\0" * 65536)


@pytest.mark.parametrize("respond", [declared_gigabyte, endless_undeclared], ids=["declared", "undeclared"])
def test_a_body_over_the_cap_is_aborted(respond):
    with serving(respond) as server:
        started = time.monotonic()
        with pytest.raises(http.OutboundTooLarge):
            http.fetch(server.url(), max_bytes=MIB)
    assert time.monotonic() - started < 2


def gzip_bomb(decoded_mib: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * MIB
    return b"".join(compressor.compress(chunk) for _ in range(decoded_mib)) + compressor.flush()


def test_a_gzip_bomb_is_refused_without_being_inflated():
    bomb = gzip_bomb(64)
    assert len(bomb) < MIB // 8

    def respond(request):
        request.answer(200, bomb, {"Content-Encoding": "gzip"})

    with serving(respond) as server:
        tracemalloc.start()
        try:
            with pytest.raises(http.OutboundTooLarge):
                http.fetch(server.url(), max_bytes=MIB)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 8 * MIB


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [("gzip", gzip.compress), ("deflate", zlib.compress), ("identity", bytes)],
)
def test_compressed_bodies_are_decoded(encoding, compress):
    text = "云岭茶业：春茶上市 ✓".encode() * 100

    def respond(request):
        request.answer(
            200, compress(text), {"Content-Encoding": encoding, "Content-Type": "text/plain; charset=utf-8"}
        )

    with serving(respond) as server:
        response = http.fetch(server.url())
    assert response.body == text
    assert response.text.startswith("云岭茶业：春茶上市 ✓")
    assert server.requests[0].headers["Accept-Encoding"] == "gzip, deflate"


def test_a_head_request_ignores_the_declared_length():
    def respond(request):
        request.send_response(200)
        request.send_header("Content-Length", str(1024 * MIB))
        request.end_headers()

    with serving(respond) as server:
        response = http.fetch(server.url(), method="HEAD", max_bytes=MIB)
    assert (response.status, response.headers["content-length"], response.body) == (200, str(1024 * MIB), b"")


def test_a_body_at_the_cap_is_accepted():
    with serving(lambda request: request.answer(200, b"a" * 1000)) as server:
        assert http.fetch(server.url(), max_bytes=1000).body == b"a" * 1000


def test_an_unknown_content_encoding_is_an_error():
    brotli = serving(lambda request: request.answer(200, b"??", {"Content-Encoding": "br"}))
    with brotli as server, pytest.raises(http.OutboundError, match="unsupported content encoding"):
        http.fetch(server.url())


def test_a_refused_connection_is_an_error_but_not_a_block():
    with serving() as server:
        port = server.port
    with pytest.raises(http.OutboundError) as failed:
        http.fetch(f"http://127.0.0.1:{port}/")
    assert not isinstance(failed.value, http.OutboundBlocked)


# --- redirects ------------------------------------------------------------------------------------


def test_redirects_are_followed_up_to_the_limit():
    def loop(request):
        request.answer(302, b"", {"Location": "/again"})

    with serving(loop) as server, pytest.raises(http.OutboundError, match="more than 3 redirects"):
        http.fetch(server.url(), max_redirects=3)
    assert len(server.requests) == 4


def test_a_post_answered_303_continues_as_a_get_without_the_body():
    def respond(request):
        if request.path == "/form":
            request.answer(303, b"", {"Location": "/done"})
        else:
            request.answer(200, b"done")

    with serving(respond) as server:
        response = http.fetch(server.url("/form"), method="POST", content=b"name=%E8%8C%B6")
    assert response.url == server.url("/done")
    assert [(r.method, r.path, r.body) for r in server.requests] == [
        ("POST", "/form", b"name=%E8%8C%B6"),
        ("GET", "/done", b""),
    ]


def test_a_307_keeps_the_method_and_body():
    def respond(request):
        if request.path == "/old":
            request.answer(307, b"", {"Location": "/new"})
        else:
            request.answer(201, b"")

    with serving(respond) as server:
        assert http.fetch(server.url("/old"), method="POST", content=b'{"a":1}').status == 201
    assert [(r.method, r.body) for r in server.requests] == [("POST", b'{"a":1}'), ("POST", b'{"a":1}')]


def test_credentials_are_not_forwarded_to_another_origin():
    with serving() as other:

        def respond(request):
            request.answer(302, b"", {"Location": other.url("/landing")})

        with serving(respond) as first:
            http.fetch(first.url(), headers={"Authorization": "Bearer s3cret", "X-Trace": "1"})
    assert first.requests[0].headers["Authorization"] == "Bearer s3cret"
    assert "Authorization" not in other.requests[0].headers
    assert other.requests[0].headers["X-Trace"] == "1"


def test_without_following_a_redirect_is_returned_as_it_is():
    with serving(lambda request: request.answer(301, b"moved", {"Location": "/x"})) as server:
        response = http.fetch(server.url(), follow_redirects=False)
    assert (response.status, response.headers["location"], response.body) == (301, "/x", b"moved")
    assert len(server.requests) == 1
