"""The site pages (list, form, install panel, delete) as each role and across workspaces."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from netmark.analytics import services
from netmark.analytics.models import Site
from netmark.analytics.stores import get_store
from netmark.analytics.tests.helpers import make_site, query_for
from netmark.analytics.tests.pages import (
    XSS,
    Page,
    assert_no_injection,
    local_ms,
    make_event,
    site,
    store_events,
    traffic,
    url,
)
from netmark.core.roles import Role
from netmark.core.scoping import scoped

__all__ = ["site", "traffic"]  # fixtures

# Rights


@pytest.mark.parametrize("role", [Role.OWNER, Role.PLANNER, Role.IMPLEMENTER, Role.VIEWER])
@pytest.mark.parametrize("page", ["site_list", "site_detail", "dashboard"])
def test_every_role_reads_the_site_pages(team_a, traffic, role, page):
    args = () if page == "site_list" else (traffic.pk,)
    response = team_a.browser_client(role).get(url(team_a, page, *args))
    assert response.status_code == 200
    assert "yunling-tea.example" in response.text
    edit, delete = url(team_a, "site_edit", traffic.pk), url(team_a, "site_delete", traffic.pk)
    assert (edit in response.text) is (role != Role.VIEWER)
    assert (delete in response.text) is (role == Role.OWNER and page != "dashboard")
    if page == "site_list":
        assert (url(team_a, "site_create") in response.text) is (role != Role.VIEWER)


@pytest.mark.parametrize("page", ["site_create", "site_edit", "site_delete"])
def test_viewer_gets_403_on_every_write_and_nothing_changes(team_a, site, page):
    args = () if page == "site_create" else (site.pk,)
    data = {
        "name": "改名",
        "domain": "other.example",
        "timezone": "UTC",
        "salt_period": "day",
        "events_per_minute": 5,
    }
    response = team_a.browser_client(Role.VIEWER).post(url(team_a, page, *args), data)
    assert response.status_code == 403
    assert [(s.name, s.domain) for s in scoped(Site, team_a.workspace)] == [
        ("yunling-tea.example", "yunling-tea.example")
    ]


def test_implementer_creates_a_site_and_lands_on_its_install_panel(team_a):
    data = {
        "name": "云岭茶业官网",
        "domain": "https://WWW.Yunling-Tea.example/",
        "timezone": "Asia/Shanghai",
        "salt_period": "week",
        "excluded_ips": "10.0.0.0/8",
        "excluded_paths": "/admin/*",
        "events_per_minute": "600",
        "is_active": "on",
    }
    response = team_a.browser_client(Role.IMPLEMENTER).post(url(team_a, "site_create"), data)
    site = scoped(Site, team_a.workspace).get()
    assert response.status_code == 302
    assert response["Location"] == url(team_a, "site_detail", site.pk)
    assert (site.name, site.domain, site.salt_period, site.events_per_minute) == (
        "云岭茶业官网", "yunling-tea.example", "week", 600,
    )  # fmt: skip
    assert site.is_active


def test_site_form_explains_the_salt_rotation_trade_off_and_shows_errors(team_a, site):
    client = team_a.browser_client(Role.PLANNER)
    form = client.get(url(team_a, "site_create")).text
    assert "Daily is the most private" in form
    assert "less private" in form
    data = {
        "name": "x",
        "domain": "not a host!",
        "timezone": "UTC",
        "salt_period": "day",
        "events_per_minute": "1",
    }
    response = client.post(url(team_a, "site_create"), data)
    assert response.status_code == 200
    assert "Enter a host name" in response.text
    assert scoped(Site, team_a.workspace).count() == 1


def test_planner_edits_a_site_and_can_pause_it(team_a, site):
    data = {"name": "新名字", "domain": site.domain, "timezone": "Europe/Berlin", "salt_period": "month",
            "events_per_minute": "100"}  # fmt: skip
    response = team_a.browser_client(Role.PLANNER).post(url(team_a, "site_edit", site.pk), data)
    assert response.status_code == 302
    site.refresh_from_db()
    assert (site.name, site.timezone, site.salt_period, site.is_active) == (
        "新名字",
        "Europe/Berlin",
        "month",
        False,
    )


def test_only_the_owner_deletes_a_site_and_its_events_are_erased(team_a, traffic):
    assert get_store().totals(query_for(traffic)).pageviews == 4
    assert team_a.browser_client(Role.PLANNER).post(url(team_a, "site_delete", traffic.pk)).status_code == 403
    owner = team_a.browser_client(Role.OWNER)
    confirm = owner.get(url(team_a, "site_delete", traffic.pk)).text
    assert "All events of yunling-tea.example are erased" in confirm
    response = owner.post(url(team_a, "site_delete", traffic.pk))
    assert response.status_code == 302
    assert not scoped(Site, team_a.workspace).exists()
    assert get_store().totals(query_for(traffic)).pageviews == 0


@pytest.mark.parametrize(
    ("page", "extra"),
    [("site_detail", ()), ("site_edit", ()), ("site_delete", ()), ("dashboard", ()), ("realtime", ()),
     ("export", ("path",))],
)  # fmt: skip
def test_another_workspaces_site_is_not_found(team_a, team_b, traffic, page, extra):
    response = team_b.browser_client(Role.OWNER).get(url(team_b, page, traffic.pk, *extra))
    assert response.status_code == 404
    assert team_b.browser_client(Role.OWNER).post(url(team_b, "site_delete", traffic.pk)).status_code == 404
    assert Site.unscoped.filter(pk=traffic.pk).exists()


def test_analytics_entry_goes_to_the_first_sites_dashboard_or_the_site_list(team_a):
    client = team_a.browser_client(Role.VIEWER)
    assert client.get(url(team_a, "home"))["Location"] == url(team_a, "site_list")
    site = make_site(team_a.workspace)
    assert client.get(url(team_a, "home"))["Location"] == url(team_a, "dashboard", site.pk)
    nav = client.get(url(team_a, "site_list")).text
    assert f'href="{url(team_a, "home")}" data-nav="analytics.dashboard"' in nav
    assert 'data-nav="analytics.sites"' in nav


# Install panel and filtered events


def test_install_panel_shows_snippet_endpoints_and_filtered_events(client, team_a, site):
    bot = "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)"
    body = json.dumps(
        {"name": "pageview", "url": "https://yunling-tea.example/", "domain": "yunling-tea.example"}
    )
    for _ in range(3):
        client.post("/api/event", body, content_type="application/json", HTTP_USER_AGENT=bot)
    services.process_pending()
    page = Page(team_a.browser_client(Role.VIEWER).get(url(team_a, "site_detail", site.pk)).text)
    snippet = page.text(id=f"snippet-{site.pk}")
    assert 'data-domain="yunling-tea.example"' in snippet
    assert "/static/analytics/netmark.js" in snippet
    text = " ".join(e["text"] for e in page.elements if e["tag"] == "dl")
    assert "/api/event" in text and "/api/send" in text and str(site.public_id) in text
    assert page.text(**{"data-reason": "bot_crawler"}) == "Crawlers and spiders 3"
    listing = Page(team_a.browser_client(Role.VIEWER).get(url(team_a, "site_list")).text)
    assert listing.text(**{"data-filtered": str(site.pk)}) == "3"


def test_hostile_site_names_are_escaped_too(team_a):
    site = make_site(team_a.workspace, domain="evil.example")
    Site.unscoped.filter(pk=site.pk).update(name=XSS[1])
    store_events(make_event(site, local_ms(-1), 1, 501, path="/"))
    for page in ("site_list", "site_detail", "dashboard"):
        args = () if page == "site_list" else (site.pk,)
        assert_no_injection(team_a.browser_client(Role.OWNER).get(url(team_a, page, *args)).text)


# Query counts


def count_queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


def test_site_list_and_dashboard_queries_do_not_grow_with_sites(team_a, traffic):
    client = team_a.browser_client(Role.VIEWER)
    pages = (url(team_a, "site_list"), url(team_a, "dashboard", traffic.pk))
    client.get(pages[0])  # the first page of a session also remembers the workspace in it
    before = [count_queries(client, address) for address in pages]
    for number in range(5):
        make_site(team_a.workspace, domain=f"shop{number}.example")
    assert [count_queries(client, address) for address in pages] == before
    assert max(before) <= 8
