"""The EventStore contract, with hand-made traffic whose truth is known. The suite runs once on
SQLite and once on PostgreSQL (``make check``), so every backend answers these same tests; on SQLite
each test runs twice, with the rows only in SQLite (the columnar read side's hot tail) and with
everything sealed into Parquet segments after each processing round."""

import os
from datetime import UTC, datetime

import pytest

from netmark.analytics.stores import get_store
from netmark.analytics.stores.base import CLICK, CONVERSION, CUSTOM, Filter, Goal, Query
from netmark.analytics.stores.sessions import VISIT_TIMEOUT_MS
from netmark.analytics.tests.helpers import event, make_site, query_for

pytestmark = pytest.mark.django_db
T0 = 1_790_000_000_000  # 2026-09-21 14:13:20 UTC
MIN = 60_000


# PostgreSQL answers reports itself: there is no read side to seal into.
_ON_POSTGRES = bool(os.environ.get("NETMARK_DATABASE_URL") or os.environ.get("NETMARK_EVENTS_URL"))


@pytest.fixture(autouse=True, params=["database"] if _ON_POSTGRES else ["hot", "sealed"])
def read_side(request, monkeypatch):
    """``sealed``: every processing round is followed by a seal as if the visits had long ended."""
    if request.param == "sealed":
        store = get_store()
        assert store.columnar is not None
        process_all = store.process_all

        def process_and_seal(*args, **kwargs):
            moved = process_all(*args, **kwargs)
            store.seal(now_ms=2**62)
            return moved

        monkeypatch.setattr(store, "process_all", process_and_seal)
    return request.param


@pytest.fixture
def site(team_a):
    return make_site(team_a.workspace)


def load(*events):
    store = get_store()
    store.append(list(events))
    store.process_all()
    return store


def test_append_is_idempotent_by_uid(site):
    first = event(site, T0, 1, path="/")
    store = get_store()
    store.append([first])
    store.append([first])
    assert store.pending() == 2
    store.process_all()
    store.append([first])  # a spool replay after processing
    store.process_all()
    assert store.pending() == 0
    assert store.totals(query_for(site)).pageviews == 1


def test_a_visit_ends_after_thirty_minutes_without_events(site):
    store = load(
        event(site, T0, 1, path="/a"),
        event(site, T0 + 29 * MIN, 1, path="/b"),
        event(site, T0 + 29 * MIN + VISIT_TIMEOUT_MS + 1, 1, path="/c"),
    )
    totals = store.totals(query_for(site))
    assert (totals.visitors, totals.visits, totals.pageviews, totals.bounces) == (1, 2, 3, 1)
    assert totals.duration_ms == 29 * MIN
    entries = {value: row.visits for value, row in store.breakdown(query_for(site), "entry_path")}
    exits = {value: row.visits for value, row in store.breakdown(query_for(site), "exit_path")}
    assert entries == {"/a": 1, "/c": 1}
    assert exits == {"/b": 1, "/c": 1}


def test_events_processed_in_separate_batches_continue_the_open_visit(site):
    store = get_store()
    store.append([event(site, T0, 7, path="/a")])
    store.process_all()
    store.append(
        [event(site, T0 + 10 * MIN, 7, path="/b"), event(site, T0 + 11 * MIN, 7, kind=CUSTOM, name="Signup")]
    )
    store.process_all()
    totals = store.totals(query_for(site))
    assert (totals.visits, totals.pageviews, totals.events, totals.bounces) == (1, 2, 1, 0)


def test_bounce_is_one_pageview_and_no_custom_event(site):
    store = load(
        event(site, T0, 1, path="/only"),
        event(site, T0, 2, path="/landing"),
        event(site, T0 + MIN, 2, kind=CUSTOM, name="Outbound Link: Click"),
    )
    assert store.totals(query_for(site)).bounces == 1


def test_a_visit_spanning_a_salt_rotation_continues_under_the_previous_id(site):
    store = load(
        event(site, T0, 111, path="/a"),
        event(site, T0 + 5 * MIN, 222, previous_visitor=111, path="/b"),
    )
    totals = store.totals(query_for(site))
    assert (totals.visitors, totals.visits, totals.pageviews) == (1, 1, 2)


def test_conversions_join_the_open_visit_or_stand_alone(site):
    store = load(
        event(site, T0, 5, path="/checkout"),
        event(site, T0 + MIN, 5, kind=CONVERSION, name="Purchase", revenue_micros=99_000_000, currency="CNY"),
        event(
            site, T0 + 2 * MIN, 6, kind=CONVERSION, name="Purchase", revenue_micros=1_000_000, currency="CNY"
        ),
    )
    totals = store.totals(query_for(site))
    assert totals.visits == 1
    assert totals.revenue_micros == 100_000_000
    assert store.goal_conversions(query_for(site), Goal("event", "Purchase")) == (2, 2, 100_000_000)
    filtered = store.totals(query_for(site, [Filter("entry_path", "/checkout")]))
    assert filtered.revenue_micros == 99_000_000


def test_filters_on_visit_and_page_dimensions_combine(site):
    store = load(
        event(site, T0, 1, path="/a", utm_source="baidu", device="mobile"),
        event(site, T0 + MIN, 1, path="/b"),
        event(site, T0, 2, path="/a", utm_source="baidu", device="desktop"),
        event(site, T0, 3, path="/b", utm_source="weibo", device="mobile"),
    )
    assert store.totals(query_for(site, [Filter("utm_source", "baidu")])).visits == 2
    assert (
        store.totals(query_for(site, [Filter("utm_source", "baidu"), Filter("device", "mobile")])).visits == 1
    )
    assert store.totals(query_for(site, [Filter("path", "/b")])).visits == 2
    assert store.totals(query_for(site, [Filter("path", "/b", "is_not")])).visits == 1
    assert store.totals(query_for(site, [Filter("utm_source", "bai", "contains")])).visits == 2
    assert store.totals(query_for(site, [Filter("utm_source", "%", "contains")])).visits == 0
    pages = {
        value: row.pageviews
        for value, row in store.breakdown(query_for(site, [Filter("device", "mobile")]), "path")
    }
    assert pages == {"/a": 1, "/b": 2}


def test_goal_by_path_pattern_and_by_event(site):
    store = load(
        event(site, T0, 1, path="/checkout/success", revenue_micros=None),
        event(site, T0, 2, path="/checkout/success_page"),
        event(site, T0, 3, path="/checkout"),
        event(site, T0 + MIN, 3, kind=CUSTOM, name="Signup"),
    )
    assert store.goal_conversions(query_for(site), Goal("page", "/checkout/success*"))[:2] == (2, 2)
    assert store.goal_conversions(query_for(site), Goal("page", "/checkout/success"))[:2] == (1, 1)
    assert store.goal_conversions(query_for(site), Goal("event", "Signup"))[:2] == (1, 1)


def test_funnel_counts_ordered_steps_within_the_window(site):
    hour = 60 * MIN
    store = load(
        # 1: all three steps in order
        event(site, T0, 1, path="/p"),
        event(site, T0 + MIN, 1, kind=CUSTOM, name="Add to cart"),
        event(site, T0 + 2 * MIN, 1, kind=CUSTOM, name="Purchase"),
        # 2: steps out of order (purchase before the cart)
        event(site, T0, 2, path="/p"),
        event(site, T0 + MIN, 2, kind=CUSTOM, name="Purchase"),
        event(site, T0 + 2 * MIN, 2, kind=CUSTOM, name="Add to cart"),
        # 3: the cart comes after the window closes
        event(site, T0, 3, path="/p"),
        event(site, T0 + 3 * hour, 3, kind=CUSTOM, name="Add to cart"),
        # 4: only the first step
        event(site, T0, 4, path="/p"),
    )
    steps = [Goal("page", "/p"), Goal("event", "Add to cart"), Goal("event", "Purchase")]
    assert store.funnel(query_for(site), steps, 2 * hour) == [4, 2, 1]


def test_a_filtered_funnel_counts_the_steps_of_the_visits_the_filters_keep(site):
    hour = 60 * MIN
    store = load(
        # 1, on mobile: the three steps, the cart and the purchase in a second visit within the window
        event(site, T0, 1, path="/p", device="mobile"),
        event(site, T0 + 2 * hour, 1, kind=CUSTOM, name="Add to cart", path="/cart", device="mobile"),
        event(site, T0 + 2 * hour + MIN, 1, kind=CUSTOM, name="Purchase", device="mobile"),
        # 2, on desktop: the three steps
        event(site, T0, 2, path="/p", device="desktop"),
        event(site, T0 + MIN, 2, kind=CUSTOM, name="Add to cart", path="/cart", device="desktop"),
        event(site, T0 + 2 * MIN, 2, kind=CUSTOM, name="Purchase", device="desktop"),
        # 3, on mobile: the first step only, and a step 2 before it that does not count
        event(site, T0, 3, kind=CUSTOM, name="Add to cart", path="/cart", device="mobile"),
        event(site, T0 + MIN, 3, path="/p", device="mobile"),
    )
    steps = [Goal("page", "/p"), Goal("event", "Add to cart"), Goal("event", "Purchase")]
    assert store.funnel(query_for(site), steps, 3 * hour) == [3, 2, 2]
    assert store.funnel(query_for(site, [Filter("device", "mobile")]), steps, 3 * hour) == [2, 1, 1]
    assert store.funnel(query_for(site, [Filter("device", "desktop")]), steps, 3 * hour) == [1, 1, 1]
    # visits with an event on /cart: visitor 1's second visit (no /p in it), 2's and 3's visits
    assert store.funnel(query_for(site, [Filter("path", "/cart")]), steps, 3 * hour) == [2, 1, 1]
    late = query_for(site, start_ms=T0 + MIN)  # the window opens in the range only: 3's /p
    assert store.funnel(late, steps, 3 * hour) == [1, 0, 0]


def test_time_series_groups_visits_by_local_day(site):
    # 2026-09-21 23:30 and 2026-09-22 00:30 in Asia/Shanghai (15:30 and 16:30 UTC)
    evening = int(datetime(2026, 9, 21, 15, 30, tzinfo=UTC).timestamp() * 1000)
    store = load(event(site, evening, 1, path="/"), event(site, evening + 60 * MIN, 2, path="/"))
    series = store.timeseries(query_for(site), "day")
    assert [(label, totals.visits) for label, totals in series] == [("2026-09-21", 1), ("2026-09-22", 1)]


def test_ranges_count_visits_by_their_start(site):
    store = load(event(site, T0, 1, path="/"), event(site, T0 + 10 * MIN, 1, path="/x"))
    inside = Query(site.workspace_id, site.pk, T0, T0 + 1, site.timezone)
    after = Query(site.workspace_id, site.pk, T0 + 1, T0 + 3600_000, site.timezone)
    assert store.totals(inside).visits == 1
    assert store.totals(after).visits == 0


def test_link_clicks_count_raw_unique_and_bots(site):
    clicks = [
        event(site, T0, 1, kind=CLICK, name="click", link_id=9, site_id=0),
        event(site, T0 + 1, 1, kind=CLICK, name="click", link_id=9, site_id=0),
        event(site, T0 + 2, 2, kind=CLICK, name="click", link_id=9, site_id=0, is_bot=True),
        event(site, T0 + 3, 3, kind=CLICK, name="click", link_id=10, site_id=0),
    ]
    store = load(*clicks)
    counts = store.link_clicks(site.workspace_id, [9, 10, 11], 0, T0 + 10)
    assert counts == {9: {"raw": 3, "unique": 1, "bots": 1}, 10: {"raw": 1, "unique": 1, "bots": 0}}
    assert store.link_clicks(site.workspace_id + 1, [9], 0, T0 + 10) == {}


def test_another_workspace_never_sees_the_events(site, team_b):
    other = make_site(team_b.workspace, domain="other.example.com")
    store = load(event(site, T0, 1, path="/"))
    assert store.totals(query_for(other)).visits == 0
    foreign = Query(team_b.workspace.pk, site.pk, 0, 2**62, "UTC")
    assert store.totals(foreign).visits == 0


def test_realtime_counts_visitors_of_the_last_five_minutes(site):
    store = load(event(site, T0, 1, path="/"), event(site, T0 - 10 * MIN, 2, path="/"))
    assert store.realtime_visitors(site.workspace_id, site.pk, T0 + MIN) == 1


def test_delete_site_erases_its_events(site):
    store = load(event(site, T0, 1, path="/"))
    assert store.delete_site(site.workspace_id, site.pk) == 1
    assert store.totals(query_for(site)).visits == 0


def test_touches_are_the_visits_in_start_order_with_their_label(site):
    store = load(
        event(site, T0 + 40 * MIN, 2, path="/", channel="search", contact_id=77),
        event(site, T0, 1, path="/", channel="social", utm_campaign="spring"),
        event(site, T0 + 5 * MIN, 1, path="/b", channel="search"),  # same visit: still social
        event(site, T0 + 2 * VISIT_TIMEOUT_MS, 1, path="/", channel="email"),
    )
    assert store.touches(query_for(site)) == [
        (1, None, T0, "social"),
        (2, 77, T0 + 40 * MIN, "search"),
        (1, None, T0 + 2 * VISIT_TIMEOUT_MS, "email"),
    ]
    campaigns = [row[3] for row in store.touches(query_for(site), "utm_campaign")]
    assert campaigns == ["spring", "", ""]
    later = query_for(site, start_ms=T0 + MIN)
    assert [row[2] for row in store.touches(later)] == [T0 + 40 * MIN, T0 + 2 * VISIT_TIMEOUT_MS]


def test_conversion_events_are_the_goal_events_oldest_first(site):
    store = load(
        event(site, T0, 1, path="/checkout/done"),
        event(site, T0 + MIN, 1, kind=CUSTOM, name="Signup"),
        event(site, T0 + 2 * MIN, 3, kind=CONVERSION, name="Purchase", revenue_micros=5_000_000,
              currency="CNY", contact_id=9),
        event(site, T0 + 3 * MIN, 1, kind=CUSTOM, name="Other"),
    )  # fmt: skip
    goals = [Goal("event", "Purchase"), Goal("page", "/checkout/*")]
    assert store.conversion_events(query_for(site), goals) == [
        (1, None, T0, 0),
        (3, 9, T0 + 2 * MIN, 5_000_000),
    ]
    assert store.conversion_events(query_for(site), [Goal("event", "Signup")]) == [(1, None, T0 + MIN, 0)]
    assert store.conversion_events(query_for(site), []) == []
    every_sale = [Goal("revenue", "")]  # server-side conversions and events with revenue
    assert store.conversion_events(query_for(site), every_sale) == [(3, 9, T0 + 2 * MIN, 5_000_000)]


def test_contacts_with_counts_events_of_contacts_and_identified_visitors(site):
    from netmark.analytics.stores.base import Behaviour

    load(
        event(site, T0, 1, path="/pricing", contact_id=7),
        event(site, T0 + MIN, 1, path="/pricing/team", contact_id=7),
        event(site, T0 + 2 * MIN, 2, path="/pricing"),  # anonymous, identified below as contact 8
        event(site, T0 + 3 * MIN, 2, path="/pricing"),
        event(site, T0 + 4 * MIN, 3, path="/pricing", contact_id=9, is_bot=True),  # bots never count
        event(site, T0 + 5 * MIN, 4, path="/about", contact_id=10),
        event(site, T0 - 10 * MIN, 5, path="/pricing", contact_id=11),  # before the window
        event(site, T0, 6, kind=CUSTOM, name="form_submitted", props={"form_id": "f-12"}, contact_id=12),
        event(site, T0, 7, kind=CUSTOM, name="form_submitted", props={"form_id": "f-1"}, contact_id=13),
        event(site, T0, 8, kind=CUSTOM, name="Signup", contact_id=14),
        event(site, T0, 9, kind=CONVERSION, name="Signup", contact_id=15),
    )
    store = get_store()
    workspace_id = site.workspace_id
    at_least_two = Behaviour("page", "/pricing*", 2)
    assert store.contacts_with(workspace_id, at_least_two, T0 - MIN) == {7}
    assert store.contacts_with(workspace_id, at_least_two, T0 - MIN, {(site.pk, 2): 8}) == {7, 8}
    assert store.contacts_with(workspace_id, Behaviour("page", "/pricing*", 1), T0 - 20 * MIN) == {7, 11}
    assert store.contacts_with(workspace_id, Behaviour("form", "f-1"), 0) == {13}
    assert store.contacts_with(workspace_id, Behaviour("event", "Signup"), 0) == {14, 15}
    assert store.contacts_with(workspace_id + 1, Behaviour("event", "Signup"), 0) == set()


def test_forget_contact_takes_the_contact_id_off_its_events(site):
    from netmark.analytics.stores.base import Behaviour

    load(event(site, T0, 1, path="/", contact_id=7), event(site, T0, 2, path="/", contact_id=8))
    store = get_store()
    assert store.forget_contact(site.workspace_id, 7) == 1
    assert store.contacts_with(site.workspace_id, Behaviour("page", "/"), 0) == {8}
