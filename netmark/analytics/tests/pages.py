"""Helpers of the analytics page tests: a stdlib HTML parser that sees elements and attributes the
way a browser tokenises them, events written straight into the store, and a small site with traffic."""

import json
from datetime import datetime, time, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from netmark.analytics.models import Site
from netmark.analytics.stores import get_store
from netmark.analytics.stores.base import CUSTOM, Event
from netmark.analytics.tests.helpers import make_site

ZONE = ZoneInfo("Asia/Shanghai")
XSS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)")


def url(team, name: str, *args) -> str:
    return reverse(f"analytics:{name}", args=[team.workspace.slug, *args])


class Page(HTMLParser):
    """The elements of a page (tag, attributes, text inside), parsed like a browser tokenises them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self._open: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": ""}
        for parent in self._open:
            parent["text"] += " "
        self.elements.append(element)
        if tag not in ("input", "br", "img", "meta", "link", "hr"):
            self._open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index]["tag"] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data

    def find(self, **attrs) -> list[dict]:
        """Elements whose attributes have these values (``None``: the attribute is present)."""
        return [
            e
            for e in self.elements
            if all((k in e["attrs"]) if v is None else e["attrs"].get(k) == v for k, v in attrs.items())
        ]

    def text(self, **attrs) -> str:
        found = self.find(**attrs)
        assert found, attrs
        return " ".join(found[0]["text"].split())


def local_ms(day_offset: int, hour: int = 12) -> int:
    day = datetime.now(ZONE).date() + timedelta(days=day_offset)
    return int(datetime.combine(day, time(hour), tzinfo=ZONE).timestamp() * 1000)


def make_event(site, ts, visitor, uid, **fields) -> Event:
    fields.setdefault("kind", "pageview")
    fields.setdefault("name", "pageview")
    return Event(
        uid=uid,
        workspace_id=site.workspace_id,
        site_id=site.pk,
        ts=ts,
        visitor=visitor,
        tz=site.timezone,
        **fields,
    )


def store_events(*events: Event) -> None:
    get_store().append(list(events))
    get_store().process_all()


@pytest.fixture
def site(team_a) -> Site:
    return make_site(team_a.workspace, domain="yunling-tea.example", timezone="Asia/Shanghai")


@pytest.fixture
def traffic(site):
    """Three visitors: two two days ago (one from Baidu who signs up for 12.34, one direct on a phone),
    one twenty days ago from Weibo on a phone."""
    baidu = {"channel": "search", "source": "baidu", "referrer_host": "baidu.com", "utm_source": "baidu",
             "device": "desktop", "browser": "Chrome", "os": "Windows"}  # fmt: skip
    store_events(
        make_event(site, local_ms(-2), 1, 101, path="/", **baidu),
        make_event(site, local_ms(-2) + 60_000, 1, 102, path="/pricing", **baidu),
        make_event(
            site,
            local_ms(-2) + 120_000,
            1,
            103,
            kind=CUSTOM,
            name="Signup",
            path="/pricing",
            revenue_micros=12_340_000,
            currency="CNY",
            **baidu,
        ),
        make_event(site, local_ms(-2, 15), 2, 104, path="/", device="mobile", browser="WeChat", os="iOS"),
        make_event(
            site,
            local_ms(-20),
            3,
            105,
            path="/blog/茶",
            channel="social",
            source="weibo",
            referrer_host="weibo.com",
            device="mobile",
            browser="Safari",
            os="iOS",
        ),
    )
    return site


def cards(client, address: str) -> dict[str, str]:
    page = Page(client.get(address).text)
    return {e["attrs"]["data-card"]: " ".join(e["text"].split()) for e in page.find(**{"data-card": None})}


def chart_data(client, address: str) -> dict:
    page = Page(client.get(address).text)
    return json.loads(page.find(id="timeseries-data")[0]["text"])


INJECTED_TAGS = {"script", "img", "svg", "iframe"}


def assert_no_injection(html: str) -> None:
    page = Page(html)
    for element in page.elements:
        for name, value in element["attrs"].items():
            assert not name.startswith("on"), element
            if name in ("href", "src", "action", "hx-get"):
                assert not (value or "").strip().lower().startswith("javascript:"), element
        if element["tag"] in INJECTED_TAGS:
            attrs = element["attrs"]
            ours = attrs.get("src", "").startswith("/static/") or attrs.get("type") == "application/json"
            assert element["tag"] == "script" and ours, element
