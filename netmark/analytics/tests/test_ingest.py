"""The public endpoints: Plausible's and Umami's bodies in, events in the store, bad input refused."""

import json
from pathlib import Path

import pytest

from netmark.analytics import services
from netmark.analytics.models import Site
from netmark.analytics.stores import get_store
from netmark.analytics.tests.helpers import WECHAT_UA, make_site, query_for

SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "samples" / "analytics"
CHROME_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36"
)

pytestmark = pytest.mark.django_db


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def post(client, path: str, body, ua: str = WECHAT_UA, **extra):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(path, data, content_type="application/json", HTTP_USER_AGENT=ua, **extra)


@pytest.fixture
def tea_site(team_a) -> Site:
    site = make_site(team_a.workspace, domain="yunling-tea.example")
    site.public_id = "5b1e6c2a-9d3f-4e7a-8c10-3f2a1b0c9d8e"
    site.save()
    return site


def test_plausible_pageview_sample_is_stored_with_its_utm_and_source(client, tea_site):
    response = post(client, "/api/event", sample("plausible_event_pageview.json"))
    assert response.status_code == 202
    assert services.process_pending() == 1
    rows = get_store().breakdown(query_for(tea_site), "utm_campaign")
    assert [(value, totals.visits) for value, totals in rows] == [("d11-presale-2026", 1)]
    ((channel, totals),) = get_store().breakdown(query_for(tea_site), "channel")
    assert channel == "social" and totals.pageviews == 1
    ((path, _),) = get_store().breakdown(query_for(tea_site), "path")
    assert path == "/zh/products/gushu-sheng-357g"


def test_plausible_revenue_sample_counts_revenue_in_micro_units(client, tea_site):
    assert post(client, "/api/event", sample("plausible_event_pageview.json")).status_code == 202
    assert post(client, "/api/event", sample("plausible_event_revenue.json")).status_code == 202
    services.process_pending()
    totals = get_store().totals(query_for(tea_site))
    assert totals.revenue_micros == 482_400_000
    assert (totals.visits, totals.pageviews, totals.events, totals.bounces) == (1, 1, 1, 0)


def test_umami_samples_are_stored(client, tea_site):
    for name in ("umami_send_pageview.json", "umami_send_event.json"):
        response = post(client, "/api/send", sample(name))
        assert response.status_code == 202, response.content
        assert response.json() == {}
    services.process_pending()
    totals = get_store().totals(query_for(tea_site))
    assert (totals.visits, totals.pageviews, totals.events) == (1, 1, 1)
    names = [value for value, _ in get_store().breakdown(query_for(tea_site), "name")]
    assert names == ["add-to-cart"]


def test_umami_identify_is_accepted_and_stores_nothing(client, tea_site):
    assert post(client, "/api/send", sample("umami_send_identify.json")).status_code == 202
    assert get_store().pending() == 0


def test_umami_server_side_override_outside_the_window_is_refused(client, tea_site):
    body = json.loads(sample("umami_send_event_server_side_overrides.json"))
    body["payload"]["timestamp"] = 1_000_000_000
    response = post(client, "/api/send", body)
    assert response.status_code == 400
    assert "timestamp" in response.json()["message"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (json.dumps({"url": "https://a.example/", "domain": "a.example"}).encode(), "name is required"),
        (json.dumps({"name": "pageview", "domain": "a.example"}).encode(), "url is required"),
        (
            json.dumps({"name": "pageview", "url": "javascript:alert(1)", "domain": "a.example"}).encode(),
            "http",
        ),
        (
            json.dumps(
                {"name": "x", "url": "https://a.example/", "domain": "a.example", "revenue": {"amount": 1}}
            ).encode(),
            "currency",
        ),
        (
            json.dumps(
                {
                    "name": "x",
                    "url": "https://a.example/",
                    "domain": "a.example",
                    "revenue": {"amount": "NaN", "currency": "CNY"},
                }
            ).encode(),
            "revenue.amount",
        ),
        (
            json.dumps({"name": 5, "url": "https://a.example/", "domain": "a.example"}).encode(),
            "name must be a string",
        ),
    ],
)
def test_malformed_bodies_get_400_with_the_reason(client, tea_site, body, reason):
    response = post(client, "/api/event", body)
    assert response.status_code == 400
    assert reason in response.json()["message"]
    assert get_store().pending() == 0


def test_oversize_body_gets_413(client, tea_site):
    pageview = {"name": "pageview", "url": "https://yunling-tea.example/", "domain": "yunling-tea.example"}
    body = json.dumps({**pageview, "props": {"x": "y" * 70_000}}).encode()
    assert post(client, "/api/event", body).status_code == 413


def test_unknown_and_inactive_sites_are_answered_like_known_ones_and_store_nothing(client, tea_site):
    body = json.loads(sample("plausible_event_pageview.json"))
    body["domain"] = "nobody.example"
    unknown = post(client, "/api/event", body)
    tea_site.is_active = False
    tea_site.save()
    from netmark.analytics import sites

    sites.forget()
    inactive = post(client, "/api/event", sample("plausible_event_pageview.json"))
    assert unknown.status_code == inactive.status_code == 202
    assert unknown.content == inactive.content
    assert get_store().pending() == 0


def test_bots_and_prefetches_are_filtered_and_counted(client, tea_site):
    assert (
        post(client, "/api/event", sample("plausible_event_pageview.json"), ua="Baiduspider/2.0").status_code
        == 202
    )
    headless = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0"
    assert post(client, "/api/event", sample("plausible_event_pageview.json"), ua=headless).status_code == 202
    assert (
        post(
            client,
            "/api/event",
            sample("plausible_event_pageview.json"),
            ua=CHROME_UA,
            HTTP_SEC_PURPOSE="prefetch",
        ).status_code
        == 202
    )
    services.process_pending()
    assert get_store().totals(query_for(tea_site)).visits == 0
    from netmark.analytics import reports

    site = Site.unscoped.get(pk=tea_site.pk)
    counts = reports.filtered_counts(site, reports.period_or_default(None, None, site))
    assert sum(counts.values()) == 3
    assert counts.get("prefetch") == 1


def test_excluded_paths_and_addresses_are_filtered(client, tea_site):
    tea_site.excluded_paths = "/zh/products/*"
    tea_site.excluded_ips = "127.0.0.0/8"
    tea_site.save()
    assert (
        post(client, "/api/event", sample("plausible_event_pageview.json"), ua=CHROME_UA).status_code == 202
    )
    services.process_pending()
    assert get_store().totals(query_for(tea_site)).visits == 0


def test_the_same_visitor_makes_one_visit_and_another_address_another(client, tea_site):
    for path in ("/a", "/b"):
        body = {
            "name": "pageview",
            "url": f"https://yunling-tea.example{path}",
            "domain": "yunling-tea.example",
        }
        assert post(client, "/api/event", body, ua=CHROME_UA).status_code == 202
    body = {"name": "pageview", "url": "https://yunling-tea.example/a", "domain": "yunling-tea.example"}
    assert post(client, "/api/event", body, ua=CHROME_UA, REMOTE_ADDR="127.0.0.9").status_code == 202
    services.process_pending()
    totals = get_store().totals(query_for(tea_site))
    assert (totals.visitors, totals.visits, totals.pageviews, totals.bounces) == (2, 2, 3, 1)


def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(client, tea_site, settings):
    from netmark.analytics.identity import client_ip

    meta = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    assert client_ip(meta) == "127.0.0.1"
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(meta) == "203.0.113.7"
    assert (
        client_ip({**meta, "HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.7, 127.0.0.1"}) == "203.0.113.7"
    )
    assert client_ip({**meta, "HTTP_X_FORWARDED_FOR": "not-an-ip"}) == "127.0.0.1"


def test_raw_ip_is_never_stored(client, tea_site):
    assert (
        post(
            client, "/api/event", sample("plausible_event_pageview.json"), REMOTE_ADDR="198.51.100.23"
        ).status_code
        == 202
    )
    store = get_store()
    inbox = store._fetch("inbox", "SELECT * FROM nm_inbox")
    services.process_pending()
    rows = (
        inbox
        + store._fetch("events", "SELECT * FROM nm_events")
        + store._fetch("events", "SELECT * FROM nm_visits")
    )
    assert len(rows) == 3
    assert "198.51.100.23" not in repr(rows)


def test_rate_limit_per_ip_answers_429_with_retry_after(client, tea_site, settings):
    settings.INGEST_PER_IP_MINUTE = 3
    codes = [
        post(client, "/api/event", sample("plausible_event_pageview.json")).status_code for _ in range(5)
    ]
    assert codes[:3] == [202, 202, 202]
    assert codes[3:] == [429, 429]
    response = post(client, "/api/event", sample("plausible_event_pageview.json"))
    assert response["Retry-After"] == "60"


def test_rate_limit_per_site(client, tea_site):
    tea_site.events_per_minute = 2
    tea_site.save()
    codes = [
        post(client, "/api/event", sample("plausible_event_pageview.json")).status_code for _ in range(3)
    ]
    assert codes == [202, 202, 429]


def test_cors_preflight_and_wrong_method(client, tea_site):
    preflight = client.options("/api/event")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    wrong = client.get("/api/event")
    assert wrong.status_code == 405
