"""Per-day rollups answer exactly what the raw rows do: random event streams (visitors crossing
midnight, previous-salt continuity, time zones, late events, hot and re-sealed rows, ranges that cut
days), every dashboard answer of a rolled-up store compared with the same store without a read
side (SQLite answering from its tables)."""

import dataclasses
import itertools
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netmark.analytics.stores.base import CONVERSION, CUSTOM, Filter, Goal
from netmark.analytics.stores.sql import SqlEventStore
from netmark.analytics.tests.helpers import event, make_site, query_for

pytestmark = pytest.mark.django_db
T0 = 1_790_000_000_000  # 2026-09-21 13:33 UTC
MIN = 60_000
HOUR = 60 * MIN
LATER = 2**62
PATHS = ("/", "/a", "/b/x", "/cart")
DEVICES = ("mobile", "desktop")
SOURCES = ("", "wechat", "baidu")
_sites = itertools.count(1)

hits = st.lists(
    st.tuples(
        st.integers(0, 4 * 24 * 60),  # minute of the stream (four days)
        st.integers(1, 6),  # visitor
        st.sampled_from(PATHS),
        st.sampled_from(DEVICES),
        st.sampled_from(SOURCES),
        st.sampled_from(("pageview", "event", "conversion")),  # a conversion may join no visit
        st.integers(0, 6),  # previous visitor (0: none)
    ),
    min_size=1,
    max_size=60,
)


def events_of(site, rows):
    built = []
    for minute, visitor, path, device, source, kind_name, previous in rows:
        kind = {}
        if kind_name == "event":
            kind = {"kind": CUSTOM, "name": "Signup"}
        elif kind_name == "conversion":
            kind = {"kind": CONVERSION, "name": "Purchase", "revenue_micros": 5_000_000, "currency": "CNY"}
        built.append(
            event(
                site,
                T0 + minute * MIN,
                visitor,
                path=path,
                device=device,
                source=source,
                previous_visitor=previous,
                **kind,
            )
        )
    return built


def answers(store, query):
    steps = (Goal("page", "/a*"), Goal("event", "Signup"))
    return {
        "totals": store.totals(query),
        "days": store.timeseries(query, "day"),
        "pages": store.breakdown(query, "path", 100),
        "custom events": store.breakdown(query, "name", 100),
        "entry": store.breakdown(query, "entry_path", 100),
        "devices": store.breakdown(query, "device", 100),
        "sources": store.breakdown(query, "source", 2),
        "goal": store.goal_conversions(query, Goal("event", "Signup")),
        "page goal": store.goal_conversions(query, Goal("page", "/b*")),  # one path: rolled up
        "pages goal": store.goal_conversions(query, Goal("page", "/*")),  # several: raw
        "funnel": store.funnel(query, steps, 24 * HOUR),
    }


def queries_for(site, start_minute, length_minutes):
    start = T0 + start_minute * MIN
    ranges = [(0, 2**62), (start, start + length_minutes * MIN)]
    filters = [
        (),
        (Filter("device", "mobile"),),
        (Filter("path", "/cart"),),
        (Filter("source", "wechat", "contains"),),
    ]
    return [query_for(site, flt, first, last) for first, last in ranges for flt in filters]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=hits,
    late=hits,
    timezone=st.sampled_from(["UTC", "Asia/Shanghai", "America/New_York"]),
    start_minute=st.integers(0, 3 * 24 * 60),
    length_minutes=st.integers(1, 3 * 24 * 60),
    seal_late=st.sampled_from(["hot", "sealed", "rebuilt"]),
)
def test_rollups_answer_exactly_what_the_raw_rows_do(
    team_a, monkeypatch, rows, late, timezone, start_minute, length_minutes, seal_late
):
    monkeypatch.setattr("netmark.analytics.stores.rollups.PAIRS_MIN_VISITS", 0)  # pairs, however small
    site = make_site(team_a.workspace, domain=f"s{next(_sites)}.example.com", timezone=timezone)
    with tempfile.TemporaryDirectory() as folder:
        raw = SqlEventStore(directory=Path(folder) / "raw", columnar=False)
        rolled = SqlEventStore(directory=Path(folder) / "rolled")
        try:
            first, second = events_of(site, rows), events_of(site, late)
            for store in (raw, rolled):
                store.append(first)
                store.process_all()
            rolled.seal(now_ms=LATER, rebuild=True)
            for store in (raw, rolled):
                store.append(second)  # late ones too: they may extend visits already sealed
                store.process_all()
            if seal_late != "hot":
                rolled.seal(now_ms=LATER, rebuild=seal_late == "rebuilt")
            for query in queries_for(site, start_minute, length_minutes):
                assert answers(rolled, query) == answers(raw, query), query
        finally:
            raw.close()
            rolled.close()


def record_plans(store) -> list:
    """The rollup plans the store's reports use from now on (a report read raw adds none)."""
    plans = []
    original = store.columnar.fetch_rolled

    def spy(query, statement_for):
        return original(query, lambda plan: plans.append(plan) or statement_for(plan))

    store.columnar.fetch_rolled = spy
    return plans


@pytest.fixture
def store(tmp_path):
    store = SqlEventStore(directory=tmp_path / "events")
    yield store
    store.close()


def test_whole_days_come_from_the_rollup_and_a_visitor_on_two_days_counts_once(team_a, store):
    site = make_site(team_a.workspace, timezone="Asia/Shanghai")
    day = 24 * HOUR
    stream = [event(site, T0 + n * day, 7, path="/a", device="desktop") for n in range(3)]  # identified
    stream += [event(site, T0 + n * day + HOUR, 8 + n, path="/b", device="mobile") for n in range(3)]
    store.append(stream)
    store.process_all()
    sealed = store.seal(now_ms=LATER)
    assert sealed["rollups"] == 1
    query = query_for(site)
    plans = record_plans(store)
    totals = store.totals(query)
    assert (totals.visitors, totals.visits, totals.pageviews) == (4, 6, 6)
    assert len(plans[-1].visits.full) == 3 and not plans[-1].visits.branches
    pages = dict(store.breakdown(query, "path"))
    assert (pages["/a"].visitors, pages["/a"].pageviews, pages["/b"].visitors) == (1, 3, 3)
    assert store.totals(query_for(site, (Filter("device", "mobile"),))).visitors == 3
    plans.clear()
    on_mobile = dict(store.breakdown(query_for(site, (Filter("device", "mobile"),)), "path"))
    assert len(plans) == 1 and len(plans[0].events.full) == 3  # top pages of a filter, rolled up
    assert set(on_mobile) == {"/b"} and (on_mobile["/b"].visitors, on_mobile["/b"].pageviews) == (3, 3)
    plans.clear()
    viewed_b = query_for(site, (Filter("path", "/b"),))
    assert (
        store.totals(viewed_b).visitors == 3
        and store.totals(query_for(site, (Filter("path", "/a"),))).visits == 3
    )
    assert dict(store.breakdown(viewed_b, "device"))["mobile"].visits == 3  # visits that saw /b, by device
    assert len(plans) == 3 and all(len(plan.visits.full) == 3 for plan in plans)  # a page filter, rolled up
    on_desktop = dict(store.breakdown(query_for(site, (Filter("device", "desktop"),)), "path"))
    assert (on_desktop["/a"].visitors, on_desktop["/a"].pageviews) == (1, 3)  # one visitor on 3 days
    assert [row.visitors for _, row in store.timeseries(query, "day")] == [2, 2, 2]
    # A range that cuts the first day: that day is read raw, the others still rolled up.
    cut = store.totals(query_for(site, start_ms=T0 + 30 * MIN))
    assert (cut.visitors, cut.visits) == (4, 5)
    assert len(plans[-1].visits.full) == 2 and len(plans[-1].visits.branches) == 1


def test_rows_sealed_after_the_build_are_read_raw_until_the_next_build(team_a, store):
    site = make_site(team_a.workspace)
    store.append([event(site, T0, 1, path="/a"), event(site, T0 + 24 * HOUR, 1, path="/a")])
    store.process_all()
    store.seal(now_ms=LATER)
    store.append([event(site, T0 + 48 * HOUR, 1, path="/a"), event(site, T0 + 5 * MIN, 1, path="/b")])
    store.process_all()
    sealed = store.seal(now_ms=LATER)
    assert sealed["rollups"] == 0  # not due yet: the changed day is read raw
    totals = store.totals(query_for(site))
    assert (totals.visitors, totals.visits, totals.pageviews, totals.bounces) == (1, 4, 4, 4)
    assert store.seal(now_ms=LATER, rebuild=True)["rollups"] == 1
    assert store.totals(query_for(site)) == totals


def test_another_workspace_never_reads_a_rollup_and_deleting_the_site_removes_it(team_a, team_b, store):
    site = make_site(team_a.workspace)
    store.append([event(site, T0 + n * 24 * HOUR, n, path="/a") for n in range(3)])
    store.process_all()
    assert store.seal(now_ms=LATER)["rollups"] == 1
    assert store.totals(query_for(site)).visitors == 3
    other = dataclasses.replace(query_for(site), workspace_id=team_b.workspace.pk)
    assert store.totals(other).visitors == 0
    assert store.breakdown(other, "path") == []
    folder = store.columnar.directory
    assert list(folder.glob("site-*/rollup-*.parquet"))
    store.delete_site(site.workspace_id, site.pk)
    assert not list(folder.glob("site-*/rollup-*.parquet"))
    assert store.totals(query_for(site)).visits == 0


def test_a_rollup_file_that_is_gone_is_answered_from_the_raw_rows(team_a, store, caplog):
    site = make_site(team_a.workspace, timezone="Asia/Shanghai")
    store.append([event(site, T0 + n * 24 * HOUR, 20 + n, path="/a") for n in range(3)])
    store.process_all()
    assert store.seal(now_ms=LATER)["rollups"] == 1
    before = store.totals(query_for(site))
    for path in store.columnar.directory.rglob("rollup-*.parquet"):
        path.unlink()
    after = store.totals(query_for(site))
    assert (after.visitors, after.visits, after.pageviews) == (
        before.visitors,
        before.visits,
        before.pageviews,
    )
    assert "rollup unreadable" in caplog.text


def test_an_unreadable_rollup_is_rebuilt_at_the_next_seal_without_waiting_for_its_interval(
    team_a, store, caplog
):
    site = make_site(team_a.workspace)
    store.append([event(site, T0 + n * 24 * HOUR, 40 + n, path="/a") for n in range(3)])
    store.process_all()
    assert store.seal(now_ms=LATER)["rollups"] == 1
    for path in store.columnar.directory.rglob("rollup-*.parquet"):
        path.unlink()
    assert store.totals(query_for(site)).visitors == 3  # raw, and the rollup is marked for a rebuild
    caplog.clear()
    assert store.totals(query_for(site)).visitors == 3
    assert "rollup unreadable" not in caplog.text  # readers no longer try the broken files
    assert store.seal(now_ms=LATER + 1)["rollups"] == 1  # well inside REBUILD_INTERVAL_MS
    assert list(store.columnar.directory.rglob("rollup-*.parquet"))
    assert store.totals(query_for(site)).visitors == 3
    assert "rollup unreadable" not in caplog.text


def test_a_rollup_without_a_file_this_version_reads_is_rebuilt_at_the_next_seal(team_a, store):
    site = make_site(team_a.workspace)
    store.append([event(site, T0 + n * 24 * HOUR, 60 + n, path="/a") for n in range(3)])
    store.process_all()
    assert store.seal(now_ms=LATER)["rollups"] == 1
    assert store.seal(now_ms=LATER + 1)["rollups"] == 0  # nothing changed: not due
    next(store.columnar.directory.rglob("rollup-*-m_pages_by_page.parquet")).unlink()  # as an older build
    assert store.seal(now_ms=LATER + 2)["rollups"] == 1  # at once, before any reader trips on it
    assert store.totals(query_for(site)).visitors == 3


def test_a_day_whose_pageviews_visit_is_still_open_is_read_raw_until_the_next_build(team_a, store):
    site = make_site(team_a.workspace)
    store.append([event(site, T0 + n * MIN, 3, path=f"/p{n}", device="mobile") for n in range(3)])
    store.process_all()
    assert store.seal(now_ms=T0 + 5 * MIN)["rollups"] == 1  # the events are sealed, their visit is not
    query = query_for(site, (Filter("device", "mobile"),))
    pages = dict(store.breakdown(query, "path"))
    assert {path: row.pageviews for path, row in pages.items()} == {"/p0": 1, "/p1": 1, "/p2": 1}
    connection = store.columnar.connect()
    assert connection.execute("SELECT COUNT(*) FROM nm_rollup_changed").fetchone()[0] == 1
    assert store.seal(now_ms=LATER, rebuild=True)["rollups"] == 1
    assert connection.execute("SELECT COUNT(*) FROM nm_rollup_changed").fetchone()[0] == 0
    assert dict(store.breakdown(query, "path")) == pages


def test_custom_event_goals_come_from_the_rollup_unfiltered_and_with_a_visit_filter(team_a, store):
    site = make_site(team_a.workspace)
    day = 24 * HOUR
    stream = [event(site, T0 + n * day, 7, path="/a", device="desktop") for n in range(3)]
    stream += [
        event(site, T0 + n * day + 10 * MIN, 7, kind=CUSTOM, name="Signup", device="desktop")
        for n in range(2)
    ]
    stream += [
        event(site, T0 + HOUR, 9, kind=CONVERSION, name="Signup", revenue_micros=2_000_000, currency="CNY")
    ]
    store.append(stream)
    store.process_all()
    assert store.seal(now_ms=LATER)["rollups"] == 1
    plans = record_plans(store)
    signup = Goal("event", "Signup")
    assert store.goal_conversions(query_for(site), signup) == (2, 3, 2_000_000)
    assert store.goal_conversions(query_for(site, (Filter("device", "desktop"),)), signup) == (1, 2, 0)
    assert store.goal_conversions(query_for(site, (Filter("device", "mobile"),)), signup) == (0, 0, 0)
    assert len(plans) == 3 and all(plan.events.full for plan in plans)  # custom-event goals, rolled up
    named = {
        name: (row.visitors, row.events, row.revenue_micros)
        for name, row in store.breakdown(query_for(site), "name")
    }
    assert (
        named == {"Signup": (2, 3, 2_000_000)} and len(plans) == 4 and plans[-1].events.full
    )  # the events table


def test_top_pages_and_goals_of_the_visits_that_saw_a_page_come_from_the_rollup(team_a, store):
    site = make_site(team_a.workspace)
    day = 24 * HOUR
    stream = []
    for n in range(3):  # one visitor, a visit a day: /a, then /c, then a signup
        stream += [
            event(site, T0 + n * day, 7, path="/a"),
            event(site, T0 + n * day + MIN, 7, path="/c"),
            event(site, T0 + n * day + 2 * MIN, 7, path="/c", kind=CUSTOM, name="Signup"),
        ]
    stream += [
        event(site, T0 + HOUR, 8, path="/b"),
        event(site, T0 + HOUR + MIN, 8, kind=CUSTOM, name="Signup"),
    ]
    store.append(stream)
    store.process_all()
    assert store.seal(now_ms=LATER)["rollups"] == 1
    plans = record_plans(store)
    saw_a, saw_b = query_for(site, (Filter("path", "/a"),)), query_for(site, (Filter("path", "/b"),))
    pages = {path: (row.visitors, row.pageviews) for path, row in store.breakdown(saw_a, "path")}
    assert pages == {"/a": (1, 3), "/c": (1, 3)}  # one visitor over three days, counted once
    assert {path for path, _ in store.breakdown(saw_b, "path")} == {"/b"}
    signup = Goal("event", "Signup")
    assert store.goal_conversions(saw_a, signup) == (1, 3, 0)
    assert store.goal_conversions(saw_b, signup) == (1, 1, 0)
    assert len(plans) == 4 and all(len(plan.events.full) == 3 for plan in plans)  # all four rolled up


def test_a_visit_breakdown_filtered_by_another_visit_dimension_comes_from_the_pairs(
    team_a, store, monkeypatch
):
    monkeypatch.setattr("netmark.analytics.stores.rollups.PAIRS_MIN_VISITS", 0)
    site = make_site(team_a.workspace)
    day = 24 * HOUR
    stream = [event(site, T0 + n * day, 7, path="/a", device="desktop", source="wechat") for n in range(3)]
    stream += [
        event(site, T0 + n * day + HOUR, 8 + n, path="/b", device="mobile", source="baidu") for n in range(3)
    ]
    stream += [event(site, T0 + 2 * HOUR, 20, path="/c", device="mobile", source="wechat")]
    store.append(stream)
    store.process_all()
    assert store.seal(now_ms=LATER)["rollups"] == 1
    plans = record_plans(store)

    def sources(filters):
        rows = store.breakdown(query_for(site, filters), "source")
        return {value: (row.visitors, row.visits) for value, row in rows}

    assert sources((Filter("device", "mobile"),)) == {"baidu": (3, 3), "wechat": (1, 1)}
    assert sources((Filter("device", "desktop"),)) == {"wechat": (1, 3)}  # one visitor on three days
    assert {
        v: r.visits for v, r in store.breakdown(query_for(site, (Filter("source", "wechat"),)), "device")
    } == {
        "desktop": 3,
        "mobile": 1,
    }
    # by the filter's own dimension: that value's row
    assert [v for v, _ in store.breakdown(query_for(site, (Filter("device", "mobile"),)), "device")] == [
        "mobile"
    ]
    assert (
        len(plans) == 4
        and all(len(plan.visits.full) == 3 for plan in plans)
        and "device" in plans[0].pair_dims
    )
    # a filter dimension with more values than a rollup pairs is read raw, with the same answer
    monkeypatch.setattr("netmark.analytics.stores.rollups.PAIR_VALUES_MAX", 1)
    store.append([event(site, T0 + 3 * day, 30, path="/d", device="tablet")])
    store.process_all()
    assert store.seal(now_ms=LATER + 1, rebuild=True)["rollups"] == 1
    plans.clear()
    assert sources((Filter("device", "mobile"),)) == {"baidu": (3, 3), "wechat": (1, 1)}
    assert plans and plans[-1].pair_dims and "device" not in plans[-1].pair_dims  # asked, then raw
    monkeypatch.setattr("netmark.analytics.stores.rollups.PAIRS_MIN_VISITS", 1000)  # a small site: none
    store.append([event(site, T0 + 3 * day + HOUR, 31, path="/d", device="tablet")])
    store.process_all()
    assert store.seal(now_ms=LATER + 2, rebuild=True)["rollups"] == 1
    assert sources((Filter("device", "mobile"),)) == {"baidu": (3, 3), "wechat": (1, 1)}
    assert not plans[-1].pair_dims


def test_a_page_goal_matching_one_path_comes_from_the_rollup_and_one_matching_several_from_the_rows(
    team_a, store
):
    site = make_site(team_a.workspace)
    day = 24 * HOUR
    stream = [event(site, T0 + n * day, 7, path="/thanks", device="mobile") for n in range(3)]
    stream += [event(site, T0 + HOUR, 8, path="/thanks_page", revenue_micros=1_000_000, currency="CNY")]
    store.append(stream)
    store.process_all()
    assert store.seal(now_ms=LATER)["rollups"] == 1
    plans, answered = [], []
    original = store.columnar.fetch_rolled

    def spy(query, statement_for):
        def record(plan):
            built = statement_for(plan)
            plans.append(plan)
            answered.append(built is not None)
            return built

        return original(query, record)

    store.columnar.fetch_rolled = spy
    assert store.goal_conversions(query_for(site), Goal("page", "/thanks")) == (
        1,
        3,
        0,
    )  # one visitor, 3 days
    mobile = query_for(site, (Filter("device", "mobile"),))
    assert store.goal_conversions(mobile, Goal("page", "/thanks")) == (1, 3, 0)
    assert store.goal_conversions(query_for(site), Goal("page", "/thanks_*")) == (
        1,
        1,
        1_000_000,
    )  # "_" literal
    assert answered == [True, True, True] and all(plan.events.full for plan in plans)
    assert store.goal_conversions(query_for(site), Goal("page", "/thanks*")) == (2, 4, 1_000_000)
    assert answered[-1] is False  # two paths match: the rows answer
