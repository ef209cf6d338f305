"""The synthetic traffic generator and its truth (``analytics/synthetic.py``, ``synthetic_truth.py``)."""

import ipaddress
import itertools
import json
from collections import Counter, defaultdict
from datetime import UTC, date, datetime

import pytest

from netmark.analytics.synthetic import (
    Hit,
    Traffic,
    generate,
    iter_hits,
    seasonal,
    truth,
    visitors_for,
)
from netmark.analytics.synthetic_tables import BOT_AGENTS, DAY_MS, MINUTE_MS
from netmark.analytics.synthetic_truth import DEFAULT_FUNNEL, Row, url_path
from netmark.analytics.wire import parse_plausible

START = date(2026, 3, 2)
DOMAIN = "yunling-tea.example"
DOCUMENTATION = [ipaddress.ip_network(net) for net in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]


@pytest.fixture(scope="module")
def traffic() -> Traffic:
    return generate(7, domain=DOMAIN, start=START, days=4, visitors_per_day=600)


def humans(traffic):
    return [hit for hit in traffic.hits if not hit.is_bot]


def by_visit(hits):
    visits = defaultdict(list)
    for hit in hits:
        visits[hit.visit].append(hit)
    return visits


def test_same_seed_gives_the_same_hits_and_another_seed_other_hits(traffic):
    again = generate(7, domain=DOMAIN, start=START, days=4, visitors_per_day=600)
    other = generate(8, domain=DOMAIN, start=START, days=4, visitors_per_day=600)
    assert again.hits == traffic.hits
    assert other.hits != traffic.hits
    assert list(iter_hits(7, domain=DOMAIN, start=START, days=4, visitors_per_day=600)) == traffic.hits


def test_hits_come_in_time_order_within_the_days(traffic):
    times = [hit.ts_ms for hit in traffic.hits]
    assert times == sorted(times)
    assert traffic.start_ms == int(datetime(2026, 3, 2, tzinfo=UTC).timestamp() * 1000)
    assert traffic.end_ms == traffic.start_ms + 4 * DAY_MS
    assert traffic.start_ms <= times[0] and times[-1] < traffic.end_ms + 3 * 3_600_000


def test_shares_are_roughly_as_configured(traffic):
    bots = sum(hit.is_bot for hit in traffic.hits)
    assert 0.04 < bots / len(traffic.hits) < 0.06
    visits = by_visit(humans(traffic))
    purchases = sum(any(hit.body["name"] == "Purchase" for hit in hits) for hits in visits.values())
    assert 0.015 < purchases / len(visits) < 0.045
    bounces = sum(len(hits) == 1 for hits in visits.values())
    assert 0.33 < bounces / len(visits) < 0.47
    devices = Counter(hits[0].device for hits in visits.values())
    assert devices["mobile"] > devices["desktop"] > devices["tablet"] > 0
    languages = Counter(hit.language for hit in humans(traffic))
    assert languages["zh-CN"] > 4 * languages["en-US"] > 0
    days_of = defaultdict(set)
    for hit in humans(traffic):
        days_of[hit.person].add(hit.ts_ms // DAY_MS)
    assert sum(len(days) > 1 for days in days_of.values()) > 100  # returning persons
    pageviews = Counter(sum(hit.body["name"] == "pageview" for hit in hits) for hits in visits.values())
    assert set(pageviews) == set(range(1, 9))


def test_sources_cover_the_chinese_market(traffic):
    landings = [hits[0] for hits in by_visit(humans(traffic)).values()]
    hosts = {parse_plausible(json.dumps(hit.body).encode()).referrer.split("/")[2] for hit in landings
             if hit.body["referrer"] and "yunling" not in hit.body["referrer"]}  # fmt: skip
    for host in ("www.baidu.com", "www.sogou.com", "www.so.com", "cn.bing.com", "www.zhihu.com", "m.weibo.cn",
                 "tieba.baidu.com", "www.douban.com", "www.bilibili.com", "mail.qq.com"):  # fmt: skip
        assert host in hosts
    media = Counter(parse_plausible(json.dumps(hit.body).encode()).utm.get("utm_medium") for hit in landings)
    assert {"cpc", "email", "offline", "social", None} <= set(media)
    wechat = [hit for hit in landings if "MicroMessenger" in hit.user_agent]
    assert wechat and all(hit.device == "mobile" for hit in wechat)
    assert sum(hit.body["referrer"] is None for hit in wechat) == len(wechat)


def test_gaps_stay_inside_the_visit_timeout_and_visits_of_a_person_are_apart(traffic):
    visits = by_visit(humans(traffic))
    for hits in visits.values():
        assert hits[0].body["name"] == "pageview"
        gaps = [later.ts_ms - earlier.ts_ms for earlier, later in itertools.pairwise(hits)]
        assert all(1000 <= gap <= 10 * MINUTE_MS for gap in gaps)
    spans = defaultdict(list)
    for hits in visits.values():
        spans[hits[0].person].append((hits[0].ts_ms, hits[-1].ts_ms))
    for person_spans in spans.values():
        person_spans.sort()
        for (_, end), (start, _) in itertools.pairwise(person_spans):
            assert start - end >= 31 * MINUTE_MS


def test_address_and_agent_identify_a_person(traffic):
    persons = defaultdict(set)
    pairs = defaultdict(set)
    for hit in humans(traffic):
        persons[(hit.ip, hit.user_agent)].add(hit.person)
        pairs[hit.person].add((hit.ip, hit.user_agent))
    assert all(len(found) == 1 for found in persons.values())
    assert all(len(found) == 1 for found in pairs.values())
    assert all(any(ipaddress.ip_address(hit.ip) in net for net in DOCUMENTATION) for hit in traffic.hits)


def test_purchases_carry_revenue_after_the_success_page(traffic):
    for hits in by_visit(humans(traffic)).values():
        for index, hit in enumerate(hits):
            if hit.body["name"] == "Purchase":
                assert hit.body["revenue"]["currency"] == "CNY"
                assert float(hit.body["revenue"]["amount"]) > 0
                assert url_path(hits[index - 1].body["url"]) == "/checkout/success"
                assert hits[index - 1].body["name"] == "pageview"
            else:
                assert "revenue" not in hit.body


def test_bots_are_flagged_and_humans_look_human(traffic):
    marks = ("bot", "spider", "Headless", "curl/", "python-requests", "facebookexternalhit")
    for hit in traffic.hits:
        assert hit.is_bot == (hit.user_agent in BOT_AGENTS)
        if not hit.is_bot:
            assert not any(mark.lower() in hit.user_agent.lower() for mark in marks)


def test_bodies_parse_as_plausible_events(traffic):
    for hit in traffic.hits[:3000]:
        parsed = parse_plausible(json.dumps(hit.body).encode())
        assert parsed.site_keys == [DOMAIN]
        assert parsed.path == url_path(hit.body["url"])
        assert hit.headers()["X-Forwarded-For"] == hit.ip


def test_truth_is_self_consistent(traffic):
    result = truth(traffic)
    assert 0 < result.bounces <= result.visits <= result.pageviews
    assert result.visitors <= result.visits
    assert result.human_hits + result.bot_hits == len(traffic.hits)
    assert result.human_hits == result.pageviews + result.custom_events  # every visit starts in range
    assert all(earlier >= later > 0 for earlier, later in itertools.pairwise(result.funnel))
    purchase = result.goals[("event", "Purchase")]
    assert purchase[2] == result.revenue_micros > 0
    assert purchase[:2] == result.goals[("page", "/checkout/success*")][:2]
    for rows in (result.by_utm_source, result.by_utm_campaign, result.by_entry_path, result.by_device_hint,
                 result.by_day):  # fmt: skip
        assert sum(row.visits for row in rows.values()) == result.visits
        assert sum(row.pageviews for row in rows.values()) == result.pageviews
        assert sum(row.bounces for row in rows.values()) == result.bounces
        assert sum(row.visitors for row in rows.values()) >= result.visitors
    assert result.totals().visits == result.visits


def test_streamed_truth_equals_the_truth_of_the_list(traffic):
    streamed = truth(iter_hits(7, domain=DOMAIN, start=START, days=4, visitors_per_day=600),
                     start_ms=traffic.start_ms, end_ms=traffic.end_ms)  # fmt: skip
    assert streamed == truth(traffic)
    with pytest.raises(ValueError, match="time order"):
        truth(iter(traffic.hits[::-1]), start_ms=traffic.start_ms, end_ms=traffic.end_ms)


def brute_force(traffic, start_ms, end_ms, steps, window_ms):
    """The definitions, spelled out the slow way."""
    visits = by_visit(sorted(humans(traffic), key=lambda hit: hit.ts_ms))
    counted = [hits for hits in visits.values() if start_ms <= hits[0].ts_ms < end_ms]
    visitor_of = {number: (hits[0].person, hits[0].ts_ms // DAY_MS) for number, hits in visits.items()}
    events = defaultdict(list)
    for number, hits in visits.items():
        events[visitor_of[number]] += hits

    def matches(step, hit):
        kind, value = step
        if kind == "event":
            return hit.body["name"] == value
        return hit.body["name"] == "pageview" and url_path(hit.body["url"]).startswith(value.rstrip("*"))

    funnel = [0] * len(steps)
    for hits in events.values():
        firsts = [hit.ts_ms for hit in hits if start_ms <= hit.ts_ms < end_ms and matches(steps[0], hit)]
        if not firsts:
            continue
        first, best = min(firsts), 1
        candidates = [[hit.ts_ms for hit in hits if matches(step, hit)] for step in steps[1:]]
        for depth in range(2, len(steps) + 1):
            for chain in itertools.product(*candidates[: depth - 1]):
                times = [first, *chain]
                if all(a < b for a, b in itertools.pairwise(times)) and times[-1] <= first + window_ms:
                    best = depth
                    break
        for step in range(best):
            funnel[step] += 1
    return {
        "visits": len(counted),
        "visitors": len({visitor_of[hits[0].visit] for hits in counted}),
        "pageviews": sum(hit.body["name"] == "pageview" for hits in counted for hit in hits),
        "bounces": sum(len(hits) == 1 for hits in counted),
        "duration_ms": sum(hits[-1].ts_ms - hits[0].ts_ms for hits in counted),
        "funnel": funnel,
    }


@pytest.mark.parametrize("window_ms", [3_600_000, DAY_MS])
def test_truth_agrees_with_a_brute_force_count(window_ms):
    small = generate(3, domain=DOMAIN, start=START, days=3, visitors_per_day=60, purchase_share=0.3)
    start_ms, end_ms = small.start_ms + DAY_MS // 2, small.end_ms - DAY_MS
    result = truth(small, start_ms=start_ms, end_ms=end_ms, funnel_window_ms=window_ms)
    expected = brute_force(small, start_ms, end_ms, DEFAULT_FUNNEL, window_ms)
    assert expected["funnel"][2] > 0
    got = {
        name: getattr(result, name) for name in ("visits", "visitors", "pageviews", "bounces", "duration_ms")
    }
    assert {**got, "funnel": result.funnel} == expected


def test_seasonal_and_visitor_estimate():
    count = seasonal(1000)
    assert count(date(2026, 11, 11)) == 3000
    assert count(date(2026, 3, 7)) == 800  # a Saturday
    per_day = visitors_for(20_000, days=2)
    hits = sum(1 for _ in iter_hits(1, domain=DOMAIN, start=START, days=2, visitors_per_day=per_day))
    assert 17_000 < hits < 23_000


D0 = int(datetime(2026, 3, 1, tzinfo=UTC).timestamp() * 1000)


def hand(day, clock, person, visit, name="pageview", page="/", amount=None, device="mobile", bot=False):
    hours, minutes, *seconds = (int(part) for part in clock.split(":"))
    ts = D0 + day * DAY_MS + (hours * 60 + minutes) * MINUTE_MS + (seconds[0] if seconds else 0) * 1000
    body = {"name": name, "url": f"https://t.example{page}", "domain": "t.example", "referrer": None}
    if amount:
        body["revenue"] = {"currency": "CNY", "amount": amount}
    return Hit(ts, "192.0.2.1", f"agent {person}", body, person, visit, bot, device, "zh-CN")


HAND = Traffic(
    [
        hand(0, "10:00", 1, 1, page="/products/a?utm_source=baidu&utm_medium=cpc&utm_campaign=brand"),
        hand(0, "10:02", 1, 1, "Add to cart", "/products/a"),
        hand(0, "10:05", 1, 1, page="/cart"),
        hand(0, "10:07", 1, 1, page="/checkout/success?order=1"),
        hand(0, "10:07:30", 1, 1, "Purchase", "/checkout/success?order=1", amount="100.50"),
        hand(0, "23:50", 1, 2),  # runs past midnight UTC: still the visitor of day 0
        hand(1, "00:10", 1, 2, page="/blog/x"),
        hand(1, "01:00", 1, 3, page="/products/b"),  # the same person, a new visitor on day 1
        hand(0, "10:30", 2, 4, device="desktop"),
        hand(0, "12:00", 2, 5, page="/products/a", device="desktop"),
        hand(0, "12:01", 2, 5, "Outbound Link: Click", "/products/a", device="desktop"),
        hand(0, "09:00", 3, 6, page="/products/c", device="tablet"),
        hand(0, "09:01", 3, 6, "Add to cart", "/products/c", device="tablet"),
        hand(0, "20:00", 3, 7, page="/checkout/success", device="tablet"),
        hand(0, "20:01", 3, 7, "Purchase", "/checkout/success", amount="10", device="tablet"),
        hand(0, "10:00", 9, 8, bot=True, device=""),
    ][::-1],  # any order: truth sorts a list
    "t.example",
    D0,
    D0 + 2 * DAY_MS,
)


def test_truth_of_hand_written_traffic():
    result = truth(HAND)
    assert (result.visits, result.visitors, result.pageviews, result.bounces) == (7, 4, 10, 2)
    assert (result.custom_events, result.duration_ms, result.revenue_micros) == (5, 1_830_000, 110_500_000)
    assert (result.human_hits, result.bot_hits) == (15, 1)
    assert result.goals == {
        ("event", "Purchase"): (2, 2, 110_500_000),
        ("page", "/checkout/success*"): (2, 2, 0),
        ("event", "Add to cart"): (2, 2, 0),
        ("event", "Signup"): (0, 0, 0),
    }
    assert result.funnel == [4, 2, 2]
    assert result.by_utm_source == {"baidu": Row(1, 1, 3, 0), "": Row(6, 4, 7, 2)}
    assert result.by_utm_campaign == {"brand": Row(1, 1, 3, 0), "": Row(6, 4, 7, 2)}
    assert result.by_entry_path == {
        "/products/a": Row(2, 2, 4, 0),
        "/": Row(2, 2, 3, 1),
        "/products/b": Row(1, 1, 1, 1),
        "/products/c": Row(1, 1, 1, 0),
        "/checkout/success": Row(1, 1, 1, 0),
    }
    assert result.by_device_hint == {
        "mobile": Row(3, 2, 6, 1),
        "desktop": Row(2, 1, 2, 1),
        "tablet": Row(2, 1, 2, 0),
    }
    # Asia/Shanghai is UTC+8: 23:50 and 20:00 UTC fall on the next local day.
    assert result.by_day == {"2026-03-01": Row(4, 3, 6, 1), "2026-03-02": Row(3, 3, 4, 1)}


def test_truth_of_hand_written_traffic_by_range_and_window():
    assert truth(HAND, funnel_window_ms=3_600_000).funnel == [4, 2, 1]
    first = truth(HAND, start_ms=D0, end_ms=D0 + DAY_MS)
    assert (first.visits, first.visitors, first.funnel) == (6, 3, [3, 2, 2])
    second = truth(HAND, start_ms=D0 + DAY_MS, end_ms=D0 + 2 * DAY_MS)
    assert (second.visits, second.visitors, second.pageviews, second.funnel) == (1, 1, 1, [1, 0, 0])
    assert second.goals[("event", "Purchase")] == (0, 0, 0)
    custom = truth(
        HAND, goals=[("page", "/products/*")], funnel=[("event", "Add to cart"), ("page", "/cart")]
    )
    assert custom.goals == {("page", "/products/*"): (4, 4, 0)}
    assert custom.funnel == [2, 1]
