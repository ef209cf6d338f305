"""Conversion paths cut from journeys: hand-computed cases, then a reference over random journeys."""

from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from netmark.roi.attribution import Path
from netmark.roi.paths import MICROS, build_paths

DAY = 86_400_000
START = 100 * DAY


def by_touches(report):
    return {path.touches: (path.conversions, path.value, path.nulls) for path in report.paths}


def test_a_journey_is_cut_at_each_conversion_and_what_follows_is_a_null():
    touches = [
        (1, None, START + 1, "search"),
        (1, None, START + 2, "social"),
        (1, None, START + 10, "email"),
        (1, None, START + 20, "direct"),
    ]
    conversions = [(1, None, START + 5, 30 * MICROS), (1, None, START + 12, 0)]
    report = build_paths(touches, conversions, start_ms=START)
    assert by_touches(report) == {
        ("search", "social"): (1, 30.0, 0),
        ("email",): (1, 0.0, 0),
        ("direct",): (0, 0.0, 1),
    }
    assert (report.journeys, report.conversions, report.value) == (1, 2, 30.0)


def test_the_issue_example_aggregates_into_its_three_paths():
    touches = [
        (1, None, START, "C1"), (1, None, START + 1, "C2"), (1, None, START + 2, "C3"),
        (2, None, START, "C1"),
        (3, None, START, "C2"), (3, None, START + 1, "C3"),
    ]  # fmt: skip
    report = build_paths(touches, [(1, None, START + 3, 0)], start_ms=START)
    assert report.paths == [
        Path(("C1",), nulls=1),
        Path(("C1", "C2", "C3"), conversions=1),
        Path(("C2", "C3"), nulls=1),
    ]
    assert report.journeys == 3


def test_a_second_conversion_in_the_same_visit_is_credited_to_that_visit():
    touches = [(1, None, START, "search"), (1, None, START + 50, "email")]
    conversions = [(1, None, START + 60, 10 * MICROS), (1, None, START + 61, 5 * MICROS)]
    assert by_touches(build_paths(touches, conversions, start_ms=START)) == {
        ("search", "email"): (1, 10.0, 0),
        ("email",): (1, 5.0, 0),
    }


def test_a_conversion_without_any_touch_is_unattributed_not_invented():
    report = build_paths([], [(9, 4, START + 1, 7 * MICROS)], start_ms=START)
    assert report.paths == []
    assert (report.conversions, report.unattributed_conversions, report.unattributed_value) == (1, 1, 7.0)


def test_an_identified_visitor_joins_the_contacts_journey_across_salt_periods():
    # Visitor 11 (day 1, anonymous until they filled in a form) and visitor 22 (day 3, another salt)
    # are the same contact 5: one journey, one path.
    touches = [
        (11, None, START, "social"),
        (11, 5, START + DAY // 2, "direct"),
        (22, None, START + 3 * DAY, "email"),
    ]
    conversions = [(22, None, START + 3 * DAY + 1, 99 * MICROS)]
    report = build_paths(touches, conversions, start_ms=START, identified={22: 5})
    assert by_touches(report) == {("social", "direct", "email"): (1, 99.0, 0)}
    assert report.journeys == 1
    # Without the link learnt elsewhere, visitor 22 is a journey of its own.
    alone = build_paths(touches, conversions, start_ms=START)
    assert by_touches(alone) == {("social", "direct"): (0, 0.0, 1), ("email",): (1, 99.0, 0)}


def test_lookback_touches_shape_paths_but_old_conversions_are_not_reported():
    touches = [
        (1, None, START - 3 * DAY, "search"),  # before the range: closed by the old conversion
        (1, None, START - 2 * DAY, "social"),  # before the range, still open
        (1, None, START + 1, "email"),
        (2, None, START - DAY, "direct"),  # before the range and never converted: not a null
    ]
    conversions = [(1, None, START - 3 * DAY + 5, 1 * MICROS), (1, None, START + 2, 2 * MICROS)]
    report = build_paths(touches, conversions, start_ms=START)
    assert by_touches(report) == {("social", "email"): (1, 2.0, 0)}
    assert (report.journeys, report.conversions, report.value) == (1, 1, 2.0)


def test_labels_are_renamed_and_repeats_collapsed_on_request():
    touches = [(1, None, START, "spring"), (1, None, START + 1, "spring"), (1, None, START + 2, "")]
    renamed = {"spring": "Spring sale"}
    report = build_paths(
        touches,
        [],
        start_ms=START,
        label=lambda raw: renamed.get(raw, raw or "direct"),
        collapse_repeats=True,
    )
    assert by_touches(report) == {("Spring sale", "direct"): (0, 0.0, 1)}
    plain = build_paths(touches, [], start_ms=START)
    assert by_touches(plain) == {("spring", "spring", "(none)"): (0, 0.0, 1)}


def reference(touches, conversions, start_ms):
    """The same rule told differently: one merged stream per person, touches before conversions
    at the same millisecond, a running path emptied by each conversion."""
    owner = {visitor: contact for visitor, contact, _ts, _label in touches if contact}
    streams = defaultdict(list)
    for order, (visitor, contact, ts, label) in enumerate(touches):
        person = contact or owner.get(visitor) or ("v", visitor)
        streams[person].append((ts, 0, order, label))
    for order, (visitor, contact, ts, revenue) in enumerate(conversions):
        person = contact or owner.get(visitor) or ("v", visitor)
        streams[person].append((ts, 1, order, revenue))
    paths = defaultdict(lambda: [0, 0, 0])
    unattributed = 0
    for stream in streams.values():
        current, last = [], None
        for ts, is_conversion, _order, item in sorted(stream):
            if not is_conversion:
                current.append((ts, item))
                last = (ts, item)
                continue
            path = current or ([last] if last else [])
            current = []
            if ts < start_ms:
                continue
            if not path:
                unattributed += 1
                continue
            paths[tuple(label for _ts, label in path)][0] += 1
            paths[tuple(label for _ts, label in path)][1] += item
        if current and current[-1][0] >= start_ms:
            paths[tuple(label for _ts, label in current)][2] += 1
    return {touches: tuple(cell) for touches, cell in paths.items()}, unattributed


journey_touch = st.tuples(
    st.integers(1, 6), st.sampled_from([None, None, None, 1, 2]), st.integers(0, 40), st.sampled_from("abcd")
)
journey_conversion = st.tuples(
    st.integers(1, 6), st.sampled_from([None, None, 1, 2]), st.integers(0, 40), st.integers(0, 3)
)


@settings(max_examples=300, deadline=None)
@given(st.lists(journey_touch, max_size=30), st.lists(journey_conversion, max_size=12), st.integers(0, 40))
def test_paths_agree_with_the_reference_on_random_journeys(touches, conversions, start_ms):
    # A contact's visitor must not also belong to another contact (one visitor, one person).
    contact_of = {}
    touches = [
        (visitor, contact_of.setdefault(visitor, contact) if contact else None, ts, label)
        for visitor, contact, ts, label in touches
    ]
    touches.sort(key=lambda row: row[2])
    conversions.sort(key=lambda row: row[2])
    conversions = [
        (visitor, contact_of.get(visitor) if contact else None, ts, revenue * MICROS)
        for visitor, contact, ts, revenue in conversions
    ]
    report = build_paths(touches, conversions, start_ms=start_ms)
    expected, unattributed = reference(touches, conversions, start_ms)
    got = {path.touches: (path.conversions, path.value * MICROS, path.nulls) for path in report.paths}
    assert got == expected
    assert report.unattributed_conversions == unattributed
    assert report.conversions == sum(1 for row in conversions if row[2] >= start_ms)
