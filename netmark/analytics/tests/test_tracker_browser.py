"""The tracker script in Debian's chromium (Playwright): a small test site on one loopback port loads the
shipped ``netmark.js``, and a capture server on another loopback port records what the script POSTs to
``/api/event``. The tests assert the exact bodies: pageviews (single-page-app history changes too),
queued and custom events with props and revenue, outbound-link and file-download clicks, the opt-out
switches, the sendBeacon and fetch transports, and that nothing lands in cookies or storage.

Chromium reaches only the two loopback servers; the "other site" of outbound links is answered by a
Playwright route. Sites here live on 127.0.0.1 and Playwright sets navigator.webdriver, so every
tracked page carries ``data-local``; the opt-out tests check that without it nothing is sent.
"""

import json
import shutil
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import SCREENSHOTS
from netmark.analytics.tests.test_tracker_script import SHIPPED

pytestmark = pytest.mark.browser

# The snippet documented in netmark.src.js that queues calls made before the script has loaded.
SNIPPET = (
    "window.netmark = window.netmark || "
    "function(){(window.netmark.q = window.netmark.q || []).push(arguments)}"
)
OUTSIDE = "https://partner.example.org/offer?ref=shop"
WIDTH = 1280


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Capture:
    """Records every request made to it; answers POST /api/event with 202 and serves the script."""

    def __init__(self):
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        capture = self

        class Handler(QuietHandler):
            def _record(self, body: bytes = b""):
                with capture.lock:
                    capture.requests.append(
                        {
                            "method": self.command,
                            "path": self.path,
                            "content_type": self.headers.get("Content-Type", ""),
                            "body": body.decode("utf-8"),
                        }
                    )

            def do_POST(self):
                self._record(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                self.send_response(202 if self.path == "/api/event" else 404)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_OPTIONS(self):
                self._record()
                self.send_response(204)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Headers", "Content-Type")
                self.end_headers()

            def do_GET(self):
                self._record()
                if self.path != "/static/analytics/netmark.js":
                    self.send_error(404)
                    return
                data = SHIPPED.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "text/javascript")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"

    def events(self) -> list[dict]:
        with self.lock:
            return [json.loads(r["body"]) for r in self.requests if r["method"] == "POST"]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict]:
        """The captured events once there are ``count`` of them (fails on fewer or more)."""
        deadline = time.monotonic() + timeout
        while len(self.events()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.15)  # an unexpected extra event would arrive within this
        events = self.events()
        assert len(events) == count, events
        return events


def _serve(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture
def capture():
    capture = Capture()
    _serve(capture.server)
    yield capture
    capture.server.shutdown()
    capture.server.server_close()


class Site:
    """A static site in a temporary folder, served on a free loopback port."""

    def __init__(self, root, capture: Capture):
        self.root = root
        self.capture = capture
        shutil.copy(SHIPPED, root / "netmark.js")
        (root / "files").mkdir()
        (root / "files" / "price-list.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
        handler = partial(QuietHandler, directory=str(root))
        self.server = _serve(ThreadingHTTPServer(("127.0.0.1", 0), handler))
        self.origin = f"http://127.0.0.1:{self.server.server_port}"

    def page(
        self, name: str, attributes: str = "data-local", head: str = "", body: str = "", src: str = ""
    ) -> str:
        """Writes ``name`` with the tracker tag (pointed at the capture server) and returns its URL."""
        src = src or f'src="/netmark.js" data-api="{self.capture.origin}"'
        html = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>云岭茶业 Tracker test</title>{head}
<script defer data-domain="shop.example.com" {attributes} {src}></script></head>
<body style="font-family: sans-serif; margin: 2em">
<h1>云岭茶业 · netmark tracker test page</h1>{body}</body></html>"""
        (self.root / name).write_text(html, encoding="utf-8")
        return f"{self.origin}/{name}"


@pytest.fixture
def site(tmp_path, capture):
    site = Site(tmp_path, capture)
    yield site
    site.server.shutdown()
    site.server.server_close()


def _new_context(chromium):
    context = chromium.new_context(viewport={"width": WIDTH, "height": 800}, locale="zh-CN")
    context.route("https://partner.example.org/**", lambda route: route.fulfill(body="partner", status=200))
    return context


@pytest.fixture
def context(chromium):
    context = _new_context(chromium)
    yield context
    context.close()


def _event(name: str, url: str, referrer: str | None = None, **extra) -> dict:
    return {"n": name, "u": url, "d": "shop.example.com", "r": referrer, "w": WIDTH, **extra}


def _shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _send(page, name: str, options: str = "{}") -> None:
    """Calls netmark() in the page and waits for its callback."""
    page.evaluate(f"() => new Promise(done => netmark({json.dumps(name)}, {{...{options}, callback: done}}))")


SHOP_BODY = f"""
<p><a id="spa" href="/pricing">价格 Pricing (single-page app)</a></p>
<p><a id="pdf" href="/files/price-list.pdf" target="_blank"><b>价目表</b> Price list (PDF)</a></p>
<p id="partner"><a id="out" href="{OUTSIDE}">合作伙伴 Partner offer</a></p>
<script>
document.getElementById("spa").addEventListener("click", function (e) {{
  e.preventDefault();
  history.pushState({{}}, "", this.getAttribute("href"));
}});
// A page handler that hides clicks from bubbling listeners; the tracker listens in the capture phase.
document.getElementById("partner").addEventListener("click", function (e) {{ e.stopPropagation(); }});
</script>"""


def test_pageviews_events_and_link_clicks(context, site, capture):
    site.page(
        "index.html",
        head=f"<script>{SNIPPET}; netmark('Queued', {{props: {{from: 'snippet'}}}})</script>",
        body=SHOP_BODY,
    )
    start = f"{site.origin}/start.html"
    (site.root / "start.html").write_text('<a id="go" href="/index.html?utm_source=wechat#intro">shop</a>')
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))

    # Arrival from another page: the pageview, then the call queued before the script loaded.
    page.goto(start)
    page.click("#go")
    landing = f"{site.origin}/index.html?utm_source=wechat"
    # Both requests leave in the same task; which one the server reads first is not fixed.
    arrived = capture.wait_for(2)
    assert sorted(arrived, key=lambda sent: sent["n"] != "pageview") == [
        _event("pageview", landing, start),
        _event("Queued", landing, start, p={"from": "snippet"}),
    ]
    _shot(page, "tracker-test-site")

    # Single-page-app navigation: pushState is a new page; the referrer stays the original one.
    page.click("#spa")
    assert capture.wait_for(3)[-1] == _event("pageview", f"{site.origin}/pricing", start)

    # Same path with a new query, or a new hash without data-hash: no pageview. A custom event follows.
    page.evaluate("() => { history.replaceState({}, '', '/pricing?tab=yearly'); location.hash = 'faq' }")
    _send(
        page,
        "Signup",
        "{props: {plan: 'pro', seats: 3, note: null}, revenue: {amount: '99', currency: 'CNY'}}",
    )
    assert capture.wait_for(4)[-1] == _event(
        "Signup",
        f"{site.origin}/pricing?tab=yearly",
        start,
        p={"plan": "pro", "seats": "3"},
        **{"$": {"amount": "99", "currency": "CNY"}},
    )

    # Back button: leaving the hash is the same page; back to the landing URL is a pageview (popstate).
    page.evaluate("() => history.back()")
    page.wait_for_function("() => location.hash === ''")
    page.evaluate("() => history.back()")
    page.wait_for_function("() => location.pathname === '/index.html'")
    assert capture.wait_for(5)[-1] == _event("pageview", landing, start)

    # A file link opening a new tab (the click lands on an element inside the link).
    with context.expect_page() as new_tab:
        page.click("#pdf b")
    assert new_tab.value.url == f"{site.origin}/files/price-list.pdf"
    assert capture.wait_for(6)[-1] == _event(
        "File Download", landing, start, p={"url": f"{site.origin}/files/price-list.pdf"}
    )

    # Middle click on an outbound link: tracked, and the page itself does not move.
    page.click("#out", button="middle")
    assert capture.wait_for(7)[-1] == _event("Outbound Link: Click", landing, start, p={"url": OUTSIDE})
    assert page.url == f"{landing}#intro"

    assert page.evaluate("() => [document.cookie, localStorage.length, sessionStorage.length]") == ["", 0, 0]

    # A plain click: the browser follows the link and the beacon still arrives.
    page.click("#out")
    page.wait_for_url(OUTSIDE)
    assert capture.wait_for(8)[-1] == _event("Outbound Link: Click", landing, start, p={"url": OUTSIDE})

    assert context.storage_state() == {"cookies": [], "origins": []}
    assert {(r["method"], r["path"], r["content_type"]) for r in capture.requests} == {
        ("POST", "/api/event", "text/plain")
    }, "one kind of request: a text/plain POST (no CORS preflight)"
    assert problems == []


def test_hash_mode_counts_hash_changes(context, site, capture):
    app = site.page("app.html", attributes="data-local data-hash")
    page = context.new_page()
    page.goto(f"{app}#/home")
    assert capture.wait_for(1) == [_event("pageview", f"{app}#/home")]
    page.evaluate("() => { location.hash = '#/orders' }")
    assert capture.wait_for(2)[-1] == _event("pageview", f"{app}#/orders")
    page.evaluate("() => history.replaceState(null, '', '#/orders')")
    _send(page, "Checkout", "{revenue: {amount: '268.00', currency: 'CNY'}}")
    assert capture.wait_for(3)[-1] == _event(
        "Checkout", f"{app}#/orders", **{"$": {"amount": "268.00", "currency": "CNY"}}
    )


@pytest.mark.parametrize("transport", ["sendBeacon", "fetch"])
def test_script_from_the_netmark_server_posts_back_to_it(context, site, capture, transport):
    """Without data-api the events go to the origin of the script's src; fetch takes over without
    sendBeacon, also as text/plain with no preflight, and runs the callback once answered."""
    if transport == "fetch":
        context.add_init_script("delete Navigator.prototype.sendBeacon")
    url = site.page("remote.html", src=f'src="{capture.origin}/static/analytics/netmark.js"')
    page = context.new_page()
    page.goto(url)
    assert capture.wait_for(1) == [_event("pageview", url)]
    _send(page, "Contact", "{props: {channel: '微信'}}")
    assert capture.wait_for(2)[-1] == _event("Contact", url, p={"channel": "微信"})
    assert page.evaluate("() => typeof navigator.sendBeacon") == (
        "function" if transport == "sendBeacon" else "undefined"
    )
    assert [(r["method"], r["path"], r["content_type"]) for r in capture.requests] == [
        ("GET", "/static/analytics/netmark.js", ""),
        ("POST", "/api/event", "text/plain"),
        ("POST", "/api/event", "text/plain"),
    ]


NAVIGATOR = "Object.defineProperty(Navigator.prototype, '{}', {{get: () => {}}})"


# Each way to opt out: (name, attributes of the tag, script in the page's head, script run before the page's).
OPT_OUTS = [
    ("data-optout", "data-local data-optout", "", ""),
    ("netmarkOptOut", "data-local", "<script>window.netmarkOptOut = true</script>", ""),
    ("doNotTrack", "data-local", "", NAVIGATOR.format("doNotTrack", "'1'")),
    ("window-doNotTrack", "data-local", "", "window.doNotTrack = '1'"),
    ("globalPrivacyControl", "data-local", "", NAVIGATOR.format("globalPrivacyControl", "true")),
    ("loopback-webdriver", "", "", ""),  # 127.0.0.1 without data-local, under Playwright
    ("loopback", "", "", NAVIGATOR.format("webdriver", "false")),  # 127.0.0.1 without data-local
]


def test_opted_out_pages_send_nothing(chromium, site, capture):
    """Each opted-out page loads the script, sends an event, navigates and follows links: nothing
    arrives. Then a visitor who did not opt out is heard, and is the only one heard (a leak would show
    up with its page's name in the URL)."""
    for name, attributes, head, init_script in OPT_OUTS:
        context = _new_context(chromium)
        if init_script:
            context.add_init_script(init_script)
        page = context.new_page()
        page.goto(site.page(f"{name}.html", attributes=attributes, head=head, body=SHOP_BODY))
        _send(page, "Signup", "{props: {plan: 'pro'}}")  # the script runs, and so does the callback
        page.click("#spa")
        page.click("#out")
        page.wait_for_url(OUTSIDE)
        context.close()
    control = site.page("control.html")
    context = _new_context(chromium)
    context.new_page().goto(control)
    assert capture.wait_for(1) == [_event("pageview", control)]
    context.close()


def test_webdriver_is_ignored_on_a_public_host_unless_data_local(context):
    """On a public host only navigator.webdriver (true under Playwright) keeps the tracker quiet.

    Chromium blocks a public page's requests to loopback (Private Network Access), so this site and
    its netmark server are both Playwright routes; Playwright sees sendBeacon requests too.
    """
    tag = '<script defer data-domain="shop.example.com" data-api="http://shop.example.com" src="/netmark.js">'
    received: list[dict] = []

    def answer(route):
        if route.request.url.endswith("/netmark.js"):
            route.fulfill(path=SHIPPED, content_type="text/javascript")
        elif route.request.url.endswith("/api/event"):
            received.append(json.loads(route.request.post_data))
            route.fulfill(status=202, headers={"Access-Control-Allow-Origin": "*"})
        else:
            route.fulfill(body=f"<!doctype html>{tag}</script><h1>shop</h1>", content_type="text/html")

    context.route("http://shop.example.com/**", answer)
    robot = context.new_page()
    robot.goto("http://shop.example.com/robot.html")
    assert robot.evaluate("() => navigator.webdriver") is True
    _send(robot, "Robot")
    human = context.new_page()
    human.add_init_script(NAVIGATOR.format("webdriver", "false"))
    human.goto("http://shop.example.com/human.html")
    _send(human, "Human")
    deadline = time.monotonic() + 10
    while len(received) < 2 and time.monotonic() < deadline:
        human.wait_for_timeout(20)
    human.wait_for_timeout(150)
    url = "http://shop.example.com/human.html"
    base = {"u": url, "d": "shop.example.com", "r": None, "w": WIDTH}
    assert received == [{"n": "pageview", **base}, {"n": "Human", **base}]


def test_opt_out_flag_is_read_at_each_send(context, site, capture):
    url = site.page("consent.html", head="<script>window.netmarkOptOut = true</script>")
    page = context.new_page()
    page.goto(url)
    _send(page, "Before consent")
    page.evaluate("() => { window.netmarkOptOut = false }")
    _send(page, "After consent")
    assert capture.wait_for(1) == [_event("After consent", url)]
