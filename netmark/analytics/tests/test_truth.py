"""Known truth: three days of synthetic traffic (``analytics.synthetic``: sessions, UTM entries,
referrers, 5 % bots, purchases with revenue) go through the ingestion pipeline with their own
timestamps, and the store's answers equal the truth computed independently from the generation plan:
visitors, visits, bounces, pageviews, duration, revenue, goal conversions, funnel counts and
breakdowns. Totals from visits and from raw events must agree too."""

from datetime import UTC, datetime

import pytest

from netmark.analytics import sites
from netmark.analytics.replay import events_from_hits
from netmark.analytics.stores import get_store
from netmark.analytics.stores.base import Filter, Goal, Query
from netmark.analytics.synthetic import generate
from netmark.analytics.synthetic_truth import truth
from netmark.analytics.tests.helpers import make_site

pytestmark = pytest.mark.django_db
DOMAIN = "truth-tea.example"
GOALS = (("event", "Purchase"), ("page", "/checkout/success*"), ("event", "Signup"))
FUNNEL = (("page", "/products/*"), ("event", "Add to cart"), ("event", "Purchase"))
DAY_MS = 86_400_000


@pytest.fixture(scope="module")
def traffic():
    return generate(11, domain=DOMAIN, start=datetime(2026, 10, 5, tzinfo=UTC), days=3, visitors_per_day=120)


def ingest_all(traffic) -> int:
    events, dropped = events_from_hits(sites.lookup(DOMAIN), traffic.hits)
    store = get_store()
    for start in range(0, len(events), 500):
        store.append(events[start : start + 500])
    store.process_all()
    return dropped


def test_the_store_reports_the_true_figures(team_a, traffic):
    site = make_site(team_a.workspace, domain=DOMAIN)
    expected = truth(traffic, goals=GOALS, funnel=FUNNEL, funnel_window_ms=DAY_MS, tz=site.timezone)
    assert expected.visits > 300 and expected.bot_hits > 0  # the sample is not trivial
    dropped = ingest_all(traffic)
    assert dropped == expected.bot_hits

    store = get_store()
    query = Query(site.workspace_id, site.pk, traffic.start_ms, traffic.end_ms, site.timezone)
    assert store.totals(query) == expected.totals()
    for kind, match in GOALS:
        assert store.goal_conversions(query, Goal(kind, match)) == expected.goals[(kind, match)], (
            kind,
            match,
        )
    assert store.funnel(query, [Goal(kind, match) for kind, match in FUNNEL], DAY_MS) == expected.funnel

    for dimension, truth_rows in (
        ("utm_source", expected.by_utm_source),
        ("utm_campaign", expected.by_utm_campaign),
        ("entry_path", expected.by_entry_path),
    ):
        rows = {value: totals for value, totals in store.breakdown(query, dimension, limit=1000)}
        assert {
            value: (row.visits, row.visitors, row.pageviews, row.bounces) for value, row in rows.items()
        } == {
            value: (row.visits, row.visitors, row.pageviews, row.bounces) for value, row in truth_rows.items()
        }, dimension


def test_filtered_totals_agree_with_the_truth_of_that_slice(team_a, traffic):
    site = make_site(team_a.workspace, domain=DOMAIN)
    expected = truth(traffic, goals=GOALS, funnel=FUNNEL, tz=site.timezone)
    ingest_all(traffic)
    store = get_store()
    for campaign, row in expected.by_utm_campaign.items():
        query = Query(
            site.workspace_id, site.pk, traffic.start_ms, traffic.end_ms, site.timezone,
            (Filter("utm_campaign", campaign),),
        )  # fmt: skip
        totals = store.totals(query)
        assert (totals.visits, totals.visitors, totals.pageviews, totals.bounces) == (
            row.visits, row.visitors, row.pageviews, row.bounces,
        ), campaign  # fmt: skip


def test_daily_series_sum_to_the_totals(team_a, traffic):
    site = make_site(team_a.workspace, domain=DOMAIN)
    expected = truth(traffic, tz=site.timezone)
    ingest_all(traffic)
    query = Query(site.workspace_id, site.pk, traffic.start_ms, traffic.end_ms, site.timezone)
    series = get_store().timeseries(query, "day")
    assert {label: totals.visits for label, totals in series} == {
        day: row.visits for day, row in expected.by_day.items()
    }
    assert sum(totals.pageviews for _, totals in series) == expected.pageviews
