"""End to end in Debian's chromium: a real page on loopback carries the shipped tracker, netmark's own
``/api/event`` takes what it sends, and the dashboard shows the pageviews, the single-page-app
navigation, the custom event and the goal conversion."""

import shutil
import time
from functools import partial
from http.server import ThreadingHTTPServer
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from conftest import SCREENSHOTS
from netmark.analytics import services
from netmark.analytics.stores import get_store
from netmark.analytics.tests.helpers import make_site
from netmark.analytics.tests.test_dashboard_browser import page_as  # noqa: F401 - a fixture
from netmark.analytics.tests.test_tracker_browser import SNIPPET, QuietHandler, _serve
from netmark.analytics.tests.test_tracker_script import SHIPPED
from netmark.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VISITOR_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
)
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>云岭茶业</title>
<script>{snippet}</script>
<script defer data-local data-domain="e2e-tea.example" data-api="{api}" src="/netmark.js"></script></head>
<body><h1>Spring tea</h1>
<a id="spa" href="/products/longjing"
   onclick="history.pushState({{}}, '', this.href); return false;">Longjing</a>
</body></html>"""


@pytest.fixture
def shop(tmp_path, live_server):
    shutil.copy(SHIPPED, tmp_path / "netmark.js")
    (tmp_path / "index.html").write_text(PAGE.format(api=live_server.url, snippet=SNIPPET), encoding="utf-8")
    server = _serve(ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(tmp_path))))
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def wait_for_inbox(count: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while get_store().pending() < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert get_store().pending() == count


def test_a_tracked_page_shows_up_on_the_dashboard(team_a, chromium, shop, page_as):  # noqa: F811
    site = make_site(team_a.workspace, domain="e2e-tea.example")
    # Playwright's headless chromium says "HeadlessChrome", which the bot filter drops, rightly.
    visitor_page = chromium.new_context(user_agent=VISITOR_UA).new_page()
    visitor_page.goto(f"{shop}/index.html?utm_source=weibo&utm_medium=social&utm_campaign=spring-tea")
    visitor_page.click("#spa")
    visitor_page.evaluate(
        "netmark('Signup', {props: {plan: 'pro'}, revenue: {amount: '99', currency: 'CNY'}})"
    )
    wait_for_inbox(3)
    assert services.process_pending() == 3

    page = page_as(team_a.member(Role.OWNER))
    query = urlencode([("goal", "event:Signup"), ("goal", "page:/products/*")], doseq=True)
    page.goto(reverse("analytics:dashboard", args=[team_a.workspace.slug, site.pk]) + "?" + query)
    cards = {
        key: page.locator(f"[data-card={key}] .stat-value").inner_text()
        for key in ("visitors", "visits", "pageviews")
    }
    assert cards == {"visitors": "1", "visits": "1", "pageviews": "2"}
    body = page.locator("body").inner_text()
    assert "/products/longjing" in body
    assert "spring-tea" in body or "weibo" in body
    goals = page.locator("#goals").inner_text() if page.locator("#goals").count() else body
    assert "event:Signup" in goals and "page:/products/*" in goals
    page.screenshot(path=str(SCREENSHOTS / "analytics-end-to-end.png"), full_page=True)
    assert page.console_errors == []
