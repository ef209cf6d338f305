"""The dashboard: figures for date ranges and filters, breakdown links, goals, funnel, realtime,
the CSV exports, and hostile input from the public that must stay text."""

from datetime import datetime, timedelta
from urllib.parse import urlencode

import pytest

from netmark.analytics.stores.base import CUSTOM, MICROS
from netmark.analytics.tests.pages import (
    XSS,
    ZONE,
    Page,
    assert_no_injection,
    cards,
    chart_data,
    local_ms,
    make_event,
    site,
    store_events,
    traffic,
    url,
)
from netmark.core.roles import Role

__all__ = ["site", "traffic"]  # fixtures


def test_dashboard_without_events_shows_the_install_snippet(team_a, site):
    response = team_a.browser_client(Role.VIEWER).get(url(team_a, "dashboard", site.pk))
    assert "No data yet" in response.text
    assert f'id="snippet-{site.pk}"' in response.text
    assert "data-card" not in response.text


# Figures


def test_dashboard_cards_show_the_last_30_days_with_revenue_in_money(team_a, traffic):
    values = cards(team_a.browser_client(Role.VIEWER), url(team_a, "dashboard", traffic.pk))
    assert values["visitors"].startswith("Visitors 3 ")
    assert values["visits"].startswith("Visits 3 ")
    assert values["pageviews"].startswith("Pageviews 4 ")
    assert values["bounce_rate"].startswith("Bounce rate 66.7% ")
    assert values["revenue_micros"].startswith("Revenue 12.34 ")
    assert values["mean_duration_s"].startswith("Visit duration 40s ")


def test_date_range_changes_the_figures_and_compares_with_the_period_before(team_a, traffic):
    client = team_a.browser_client(Role.VIEWER)
    today = datetime.now(ZONE).date()
    week = f"{url(team_a, 'dashboard', traffic.pk)}?start={today - timedelta(days=6)}&end={today}"
    values = cards(client, week)
    assert values["visitors"] == "Visitors 2 — before: 0"
    assert values["pageviews"] == "Pageviews 3 — before: 0"
    fortnight = f"{url(team_a, 'dashboard', traffic.pk)}?start={today - timedelta(days=13)}&end={today}"
    values = cards(client, fortnight)
    assert values["visitors"] == "Visitors 2 +100.0% before: 1"
    assert values["pageviews"] == "Pageviews 3 +200.0% before: 1"
    start, end = today - timedelta(days=25), today - timedelta(days=10)
    old = f"{url(team_a, 'dashboard', traffic.pk)}?start={start}&end={end}"
    assert cards(client, old)["visitors"].startswith("Visitors 1 ")


def test_filters_change_the_figures_and_show_as_removable_chips(team_a, traffic):
    client = team_a.browser_client(Role.VIEWER)
    base = url(team_a, "dashboard", traffic.pk)
    assert cards(client, f"{base}?filter=device:mobile")["visitors"].startswith("Visitors 2 ")
    both = f"{base}?filter=device:mobile&filter=channel:social"
    assert cards(client, both)["visitors"].startswith("Visitors 1 ")
    page = Page(client.get(both).text)
    chips = [" ".join(e["text"].split()) for e in page.find(**{"class": "chip"})]
    assert chips == ["Device is Mobile ×", "Channel is Social ×"]
    removes = [e["attrs"]["href"] for e in page.find(**{"class": "chip-remove"})]
    assert removes[0] == "?filter=channel%3Asocial"
    assert cards(client, f"{base}?filter=path:/pricing")["pageviews"].startswith("Pageviews 2 ")


def test_breakdown_rows_add_their_filter(team_a, traffic):
    client = team_a.browser_client(Role.VIEWER)
    page = Page(client.get(url(team_a, "dashboard", traffic.pk) + "?filter=device:mobile").text)
    panel = page.find(id="panel-source")[0]
    assert "row-filter" not in str(panel)  # a hidden tab loads its rows when first opened
    rows = Page(client.get(panel["attrs"]["data-src"]).text)
    links = rows.find(**{"class": "row-filter"})
    assert [(e["text"], e["attrs"]["href"]) for e in links[:2]] == [
        ("(none)", "?filter=device%3Amobile&filter=source%3A"),
        ("weibo", "?filter=device%3Amobile&filter=source%3Aweibo"),
    ]
    assert cards(client, url(team_a, "dashboard", traffic.pk) + links[1]["attrs"]["href"])[
        "visitors"
    ].startswith("Visitors 1 ")


def test_chart_has_every_day_of_the_range_and_hours_for_a_single_day(team_a, traffic):
    client = team_a.browser_client(Role.VIEWER)
    today = datetime.now(ZONE).date()
    data = chart_data(client, url(team_a, "dashboard", traffic.pk))
    assert len(data["labels"]) == 30
    assert data["labels"][-1] == today.strftime("%m-%d")
    visitors = dict(zip(data["labels"], data["series"][0]["data"], strict=True))
    assert visitors[(today - timedelta(days=2)).strftime("%m-%d")] == 2
    assert visitors[(today - timedelta(days=20)).strftime("%m-%d")] == 1
    assert sum(visitors.values()) == 3
    day = today - timedelta(days=2)
    hours = chart_data(client, f"{url(team_a, 'dashboard', traffic.pk)}?start={day}&end={day}")
    assert hours["labels"][:2] == ["00:00", "01:00"] and len(hours["labels"]) == 24
    assert dict(zip(hours["labels"], hours["series"][1]["data"], strict=True))["12:00"] == 2


def test_bad_parameters_are_reported_and_the_dashboard_still_answers(team_a, traffic):
    address = url(team_a, "dashboard", traffic.pk) + "?filter=colour:red&start=yesterday&goal=Signup&window=0"
    response = team_a.browser_client(Role.VIEWER).get(address)
    assert response.status_code == 200
    assert "Unknown dimension: colour." in response.text
    assert "is not a date" in response.text
    assert "Write goals as event:" in response.text
    assert cards(team_a.browser_client(Role.VIEWER), address)["visitors"].startswith("Visitors 3 ")


def test_goals_show_conversions_rate_and_revenue(team_a, traffic):
    address = url(team_a, "dashboard", traffic.pk) + "?goal=event:Signup&goal=page:/blog/*"
    page = Page(team_a.browser_client(Role.VIEWER).get(address).text)
    assert page.text(**{"data-goal": "1"}) == "event:Signup 1 1 33.3% 12.34 ×"
    assert page.text(**{"data-goal": "2"}) == "page:/blog/* 1 1 33.3% 0.00 ×"


def test_funnel_shows_visitors_and_drop_off_per_step_once_the_page_is_shown(team_a, traffic):
    steps = "?step=page:/&step=page:/pricing&step=event:Signup"
    viewer = team_a.browser_client(Role.VIEWER)
    dashboard = Page(viewer.get(url(team_a, "dashboard", traffic.pk) + steps).text)
    lazy = dashboard.find(id="funnel-rows")[0]["attrs"]
    assert lazy["hx-get"].startswith(url(team_a, "funnel", traffic.pk) + "?") and lazy["hx-trigger"] == "load"
    assert not dashboard.find(**{"data-step": "1"})  # the slowest query waits for the page
    page = Page(viewer.get(lazy["hx-get"]).text)
    assert page.text(**{"data-step": "1"}) == "1. page:/ 2 — — 100.0% ×"
    assert page.text(**{"data-step": "2"}) == "2. page:/pricing 1 50.0% 1 50.0% ×"
    assert page.text(**{"data-step": "3"}) == "3. event:Signup 1 100.0% 0 50.0% ×"


def test_realtime_partial_counts_the_last_five_minutes_and_keeps_polling(team_a, site):
    now = int(datetime.now(ZONE).timestamp() * 1000)
    store_events(
        make_event(site, now - 60_000, 7, 201, path="/"), make_event(site, now - 3_600_000, 8, 202, path="/")
    )
    page = Page(team_a.browser_client(Role.VIEWER).get(url(team_a, "realtime", site.pk)).text)
    poll = page.find(id="realtime")[0]["attrs"]
    assert (poll["hx-get"], poll["hx-trigger"]) == (url(team_a, "realtime", site.pk), "every 15s")
    assert page.text(**{"data-realtime-count": None}) == "1"


# CSV


def test_the_page_computes_only_the_tabs_it_shows(team_a, traffic):
    page = Page(team_a.browser_client(Role.VIEWER).get(url(team_a, "dashboard", traffic.pk)).text)
    shown = [e["attrs"]["id"] for e in page.find(**{"class": "tab-panel"}) if "hidden" not in e["attrs"]]
    lazy = [e["attrs"]["id"] for e in page.find(**{"class": "tab-panel"}) if "data-src" in e["attrs"]]
    assert shown == ["panel-path", "panel-channel", "panel-utm_source", "panel-device", "panel-language",
                     "panel-name"]  # fmt: skip
    assert set(lazy).isdisjoint(shown) and len(lazy) == 11


def test_a_tab_of_another_dimension_or_workspace_is_not_found(team_a, team_b, traffic):
    viewer = team_a.browser_client(Role.VIEWER)
    assert viewer.get(url(team_a, "panel", traffic.pk, "visitor")).status_code == 404
    assert viewer.get(url(team_a, "panel", traffic.pk, "exit_path")).status_code == 200
    foreign = team_b.browser_client(Role.OWNER).get(url(team_b, "panel", traffic.pk, "exit_path"))
    assert foreign.status_code == 404
    assert team_b.browser_client(Role.OWNER).get(url(team_b, "funnel", traffic.pk)).status_code == 404


def test_breakdown_csv_has_a_bom_and_the_rows_of_the_table(team_a, traffic):
    response = team_a.browser_client(Role.VIEWER).get(
        url(team_a, "export", traffic.pk, "path") + "?filter=device:mobile"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == ["path,visitors,pageviews", "/,1,1", "/blog/茶,1,1"]


def test_channel_csv_has_every_figure_and_money_with_two_decimals(team_a, traffic):
    response = team_a.browser_client(Role.VIEWER).get(url(team_a, "export", traffic.pk, "channel"))
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "channel,visitors,visits,pageviews,bounce_rate,revenue"
    assert sorted(lines[1:]) == ["direct,1,1,1,1.0,0.00", "search,1,1,2,0.0,12.34", "social,1,1,1,1.0,0.00"]


def test_goal_funnel_and_timeseries_csv(team_a, traffic):
    client = team_a.browser_client(Role.VIEWER)
    goals = client.get(url(team_a, "export", traffic.pk, "goals") + "?goal=event:Signup").content.decode(
        "utf-8-sig"
    )
    assert goals.splitlines() == [
        "goal,visitors,conversions,conversion_rate,revenue",
        "event:Signup,1,1,0.3333,12.34",
    ]
    funnel = client.get(url(team_a, "export", traffic.pk, "funnel") + "?step=page:/&step=event:Signup")
    assert funnel.content.decode("utf-8-sig").splitlines()[1:] == [
        "page:/,2,0,1.0,1.0",
        "event:Signup,1,1,0.5,0.5",
    ]
    series = (
        client.get(url(team_a, "export", traffic.pk, "timeseries")).content.decode("utf-8-sig").splitlines()
    )
    assert len(series) == 31
    two_days_ago = (datetime.now(ZONE).date() - timedelta(days=2)).isoformat()
    assert f"{two_days_ago},2,2,3" in series
    assert client.get(url(team_a, "export", traffic.pk, "secrets")).status_code == 404


def test_csv_defuses_formulas_sent_by_visitors(team_a, site):
    store_events(make_event(site, local_ms(-1), 9, 301, path="/x", utm_campaign='=HYPERLINK("http://evil")'))
    response = team_a.browser_client(Role.VIEWER).get(url(team_a, "export", site.pk, "utm_campaign"))
    assert (
        response.content.decode("utf-8-sig").splitlines()[1]
        == '"\'=HYPERLINK(""http://evil"")",1,1,1,1.0,0.00'
    )


# Hostile input


@pytest.mark.parametrize("payload", XSS)
def test_hostile_paths_referrers_utm_and_event_names_are_escaped(team_a, site, payload):
    fields = ("referrer", "referrer_host", "source", "utm_source", "utm_medium", "utm_campaign",
              "utm_content", "utm_term", "browser", "os", "screen", "language", "user_agent")  # fmt: skip
    hostile = dict.fromkeys(fields, payload)
    store_events(
        make_event(site, local_ms(-1), 11, 401, path=payload, **hostile),
        make_event(site, local_ms(-1) + 1000, 11, 402, kind=CUSTOM, name=payload, path=payload),
    )
    state = [("filter", f"utm_source:{payload}"), ("goal", f"event:{payload}"), ("step", f"page:{payload}"),
             ("step", f"event:{payload}")]  # fmt: skip
    address = url(team_a, "dashboard", site.pk) + "?" + urlencode(state)
    response = team_a.browser_client(Role.VIEWER).get(address)
    assert response.status_code == 200
    assert_no_injection(response.text)
    page = Page(response.text)
    assert page.text(**{"class": "chip-value"}) == payload
    shown = [e["text"] for e in page.find(**{"class": "row-filter"})]
    for panel in page.find(**{"data-src": None}):  # the tabs that load when opened
        rows = team_a.browser_client(Role.VIEWER).get(panel["attrs"]["data-src"])
        assert rows.status_code == 200
        assert_no_injection(rows.text)
        shown += [e["text"] for e in Page(rows.text).find(**{"class": "row-filter"})]
    assert shown.count(payload) >= 10  # pages, entry, exit, referrer, source, UTM x5, browser, ... as text
    assert cards(team_a.browser_client(Role.VIEWER), address)["visitors"].startswith("Visitors 1 ")
    assert payload not in response.text or payload == "javascript:alert(1)"
    assert_no_injection(team_a.browser_client(Role.VIEWER).get(url(team_a, "site_detail", site.pk)).text)


def test_revenue_is_shown_as_money(team_a, site):
    store_events(
        make_event(
            site, local_ms(-1), 1, 601, kind=CUSTOM, name="Order", revenue_micros=1_234_567 * MICROS // 100
        )
    )
    values = cards(team_a.browser_client(Role.VIEWER), url(team_a, "dashboard", site.pk))
    assert values["revenue_micros"].startswith("Revenue 12,345.67 ")
