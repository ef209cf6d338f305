"""Attribution models on known cases, their invariants over random paths, and the input they refuse."""

import itertools
import math
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netmark.roi.attribution import (
    MODEL_NAMES,
    Credit,
    Journey,
    Path,
    compare_models,
    first_touch_credit,
    last_non_direct_credit,
    last_touch_credit,
    linear_credit,
    paths_from_journeys,
    position_based_credit,
    time_decay_credit,
)
from netmark.roi.attribution_markov import markov_credit, removal_effects
from netmark.roi.attribution_shapley import sample_shapley_credit, shapley_credit

TOY_PATHS = [
    Path(("C1", "C2", "C3"), conversions=1, value=90),
    Path(("C1",), nulls=1),
    Path(("C2", "C3"), nulls=1),
]
CHANNELS = ["百度", "微信", "抖音", "direct", "email"]


def conversions_of(credit: dict[str, Credit]) -> dict[str, float]:
    return {channel: entry.conversions for channel, entry in credit.items()}


@st.composite
def random_paths(draw, channels=CHANNELS, max_paths=8):
    paths = []
    for _ in range(draw(st.integers(0, max_paths))):
        touches = draw(st.lists(st.sampled_from(channels), min_size=1, max_size=6))
        conversions = draw(st.integers(0, 5))
        value = conversions * draw(st.integers(0, 300))
        paths.append(Path(tuple(touches), conversions, value, draw(st.integers(0, 5))))
    return paths


def test_markov_credit_on_the_toy_case_is_one_fifth_two_fifths_two_fifths():
    assert conversions_of(markov_credit(TOY_PATHS)) == pytest.approx({"C1": 0.2, "C2": 0.4, "C3": 0.4})
    assert markov_credit(TOY_PATHS)["C1"].value == pytest.approx(18)


def test_markov_removal_effects_on_the_toy_case():
    assert removal_effects(TOY_PATHS) == pytest.approx({"C1": 0.5, "C2": 1.0, "C3": 1.0})


def test_rule_based_models_on_the_toy_case():
    assert conversions_of(first_touch_credit(TOY_PATHS)) == {"C1": 1, "C2": 0, "C3": 0}
    assert conversions_of(last_touch_credit(TOY_PATHS)) == {"C1": 0, "C2": 0, "C3": 1}
    assert conversions_of(linear_credit(TOY_PATHS)) == pytest.approx(dict.fromkeys(["C1", "C2", "C3"], 1 / 3))


def test_shapley_on_the_toy_case_is_one_third_each():
    assert conversions_of(shapley_credit(TOY_PATHS)) == pytest.approx(
        dict.fromkeys(["C1", "C2", "C3"], 1 / 3)
    )


@settings(max_examples=150, deadline=None)
@given(random_paths())
def test_every_model_hands_out_exactly_the_total_conversions_and_value(paths):
    total_conversions = sum(path.conversions for path in paths)
    total_value = sum(path.value for path in paths)
    by_channel = compare_models(paths)
    for model in MODEL_NAMES:
        credits = [by_model[model] for by_model in by_channel.values()]
        assert all(credit.conversions >= 0 and credit.value >= 0 for credit in credits)
        assert sum(credit.conversions for credit in credits) == pytest.approx(total_conversions)
        assert sum(credit.value for credit in credits) == pytest.approx(total_value)
    sampled = sample_shapley_credit(paths, permutations=20).credit.values()
    assert sum(credit.conversions for credit in sampled) == pytest.approx(total_conversions)
    assert sum(credit.value for credit in sampled) == pytest.approx(total_value)


def conversion_probability_by_solving(paths: list[Path], removed: str | None = None) -> float:
    """P(conversion from start), with ``removed`` sending its incoming transitions to null: one solve."""
    counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for path in paths:
        states = ["(start)", *path.touches]
        for source, target in itertools.pairwise(states):
            counts[source][target] += path.conversions + path.nulls
        counts[states[-1]]["(conversion)"] += path.conversions
        counts[states[-1]]["(null)"] += path.nulls
    transient = ["(start)", *sorted({touch for path in paths for touch in path.touches} - {removed})]
    to_transient = np.zeros((len(transient), len(transient)))
    to_conversion = np.zeros(len(transient))
    for row, source in enumerate(transient):
        leaving = sum(counts[source].values()) or 1.0
        to_conversion[row] = counts[source]["(conversion)"] / leaving
        for column, target in enumerate(transient):
            to_transient[row, column] = counts[source][target] / leaving
    return float(np.linalg.solve(np.eye(len(transient)) - to_transient, to_conversion)[0])


@settings(max_examples=100, deadline=None)
@given(random_paths())
def test_markov_removal_effects_match_solving_the_chain_without_each_channel(paths):
    probability = conversion_probability_by_solving(paths)
    expected = {
        channel: 1 - conversion_probability_by_solving(paths, removed=channel) / probability
        if probability
        else 0.0
        for channel in {touch for path in paths for touch in path.touches}
    }
    assert removal_effects(paths) == pytest.approx(expected, abs=1e-9)


def shapley_by_subsets(paths: list[Path]) -> dict[str, float]:
    """The textbook Shapley value: weighted marginal contributions over every coalition."""
    channels = sorted({touch for path in paths for touch in path.touches})
    count = len(channels)

    def worth(coalition: set[str]) -> float:
        return sum(path.conversions for path in paths if set(path.touches) <= coalition)

    value = dict.fromkeys(channels, 0.0)
    for channel in channels:
        others = [other for other in channels if other != channel]
        for size in range(count):
            weight = math.factorial(size) * math.factorial(count - size - 1) / math.factorial(count)
            for coalition in itertools.combinations(others, size):
                value[channel] += weight * (worth({*coalition, channel}) - worth(set(coalition)))
    return value


@settings(max_examples=60, deadline=None)
@given(random_paths())
def test_exact_shapley_matches_the_sum_over_every_coalition(paths):
    assert conversions_of(shapley_credit(paths)) == pytest.approx(shapley_by_subsets(paths))


def test_a_repeated_touch_earns_no_more_shapley_credit_than_one():
    paths = [Path(("百度", "百度", "微信"), conversions=2)]
    assert conversions_of(shapley_credit(paths)) == {"微信": 1.0, "百度": 1.0}
    assert conversions_of(linear_credit(paths)) == pytest.approx({"微信": 2 / 3, "百度": 4 / 3})


def test_sampled_shapley_agrees_with_exact_within_its_standard_error_on_ten_channels():
    channels = [f"渠道{number}" for number in range(10)]
    rng = np.random.default_rng(7)
    paths = [
        Path(tuple(rng.choice(channels, size=int(rng.integers(1, 6)))), float(rng.integers(0, 9)), nulls=3)
        for _ in range(300)
    ]
    exact = shapley_credit(paths)
    sampled = sample_shapley_credit(paths, permutations=4000, seed=11)
    assert sampled.permutations == 4000
    for channel in channels:
        error = sampled.standard_error[channel].conversions
        assert 0 < error < 0.05 * exact[channel].conversions
        assert abs(sampled.credit[channel].conversions - exact[channel].conversions) <= 4 * error


def test_sampled_shapley_is_reproducible_for_a_seed():
    first = sample_shapley_credit(TOY_PATHS, permutations=50, seed=3)
    assert sample_shapley_credit(TOY_PATHS, permutations=50, seed=3) == first
    assert sum(credit.conversions for credit in first.credit.values()) == pytest.approx(1.0)


def test_a_single_channel_world_gives_that_channel_everything():
    paths = [Path(("微信",), 3, 300, 5), Path(("微信", "微信"), 1, 50, 2)]
    for model, credit in compare_models(paths)["微信"].items():
        assert credit == pytest.approx(Credit(4, 350)), model


def test_position_based_gives_one_touch_everything_and_splits_two_touches_evenly():
    assert conversions_of(position_based_credit([Path(("百度",), 1)])) == {"百度": 1.0}
    assert conversions_of(position_based_credit([Path(("百度", "微信"), 1)])) == {"百度": 0.5, "微信": 0.5}


def test_position_based_gives_forty_percent_to_each_end_and_spreads_twenty_between():
    credit = conversions_of(position_based_credit([Path(("A", "B", "C", "D", "E"), 3)]))
    assert credit == pytest.approx({"A": 1.2, "B": 0.2, "C": 0.2, "D": 0.2, "E": 1.2})


def test_last_non_direct_skips_direct_unless_nothing_else_was_touched():
    paths = [
        Path(("email", "direct"), 2),
        Path(("direct", "百度", "direct", "direct"), 1),
        Path(("direct",), 4),
    ]
    assert conversions_of(last_non_direct_credit(paths)) == {"direct": 4, "email": 2, "百度": 1}
    assert conversions_of(last_touch_credit(paths)) == {"direct": 7, "email": 0, "百度": 0}


def test_time_decay_without_ages_halves_a_touch_per_half_life_in_steps_from_the_end():
    credit = conversions_of(time_decay_credit([Path(("A", "B", "C"), 7)], half_life=1))
    assert credit == pytest.approx({"A": 1, "B": 2, "C": 4})


def test_time_decay_with_ages_halves_a_touch_per_half_life_in_days():
    path = Path(("百度", "微信"), 3, touch_ages_days=(10.0, 3.0))
    assert conversions_of(time_decay_credit([path], half_life=7)) == pytest.approx({"百度": 1, "微信": 2})


def test_time_decay_of_very_old_touches_still_hands_everything_out():
    path = Path(("百度", "微信"), 1, touch_ages_days=(5000.0, 4000.0))
    assert conversions_of(time_decay_credit([path], half_life=1)) == pytest.approx({"百度": 0, "微信": 1})


def test_chinese_channel_names_work_in_every_model():
    paths = [
        Path(("百度", "微信", "小红书"), 1, 99.5),
        Path(("百度",), nulls=1),
        Path(("微信", "小红书"), nulls=1),
    ]
    by_channel = compare_models(paths)
    assert list(by_channel) == sorted(["百度", "微信", "小红书"])
    assert by_channel["百度"]["markov"].conversions == pytest.approx(0.2)
    assert by_channel["小红书"]["last_touch"] == Credit(1.0, 99.5)


def test_compare_models_sets_every_model_side_by_side_per_channel():
    by_channel = compare_models(TOY_PATHS)
    assert list(by_channel) == ["C1", "C2", "C3"]
    assert all(list(by_model) == list(MODEL_NAMES) for by_model in by_channel.values())
    assert by_channel["C3"]["last_touch"] == Credit(1.0, 90.0)


def test_no_paths_give_empty_results():
    assert compare_models([]) == {}
    assert markov_credit([]) == {}
    assert removal_effects([]) == {}
    assert shapley_credit([]) == {}
    assert sample_shapley_credit([]).credit == {}
    assert paths_from_journeys([]) == []


def test_paths_without_conversions_give_every_channel_zero():
    credit = compare_models([Path(("百度", "微信"), nulls=5)])
    assert {entry for by_model in credit.values() for entry in by_model.values()} == {Credit(0.0, 0.0)}


def test_sampled_shapley_without_conversions_gives_zero_credit_and_zero_error():
    sampled = sample_shapley_credit([Path(("百度", "微信"), nulls=5)], permutations=10)
    assert sampled.credit == sampled.standard_error == dict.fromkeys(["微信", "百度"], Credit(0.0, 0.0))


def test_a_path_without_touches_is_refused():
    with pytest.raises(ValueError, match="at least one touch"):
        Path((), conversions=1)


@pytest.mark.parametrize("field", ["conversions", "value", "nulls"])
@pytest.mark.parametrize("number", [-1, math.nan, math.inf])
def test_negative_or_non_finite_counts_are_refused(field, number):
    with pytest.raises(ValueError, match=f"{field} must be a finite number >= 0"):
        Path(("百度",), **{"conversions": 1, field: number})


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"touches": ("百度", "")}, "non-empty channel name"),
        ({"touches": ("百度",), "value": 10}, "no conversions"),
        (
            {"touches": ("百度", "微信"), "conversions": 1, "touch_ages_days": (1.0,)},
            "2 touches but 1 touch ages",
        ),
        ({"touches": ("百度",), "conversions": 1, "touch_ages_days": (-1.0,)}, "touch age must be"),
    ],
)
def test_malformed_paths_are_refused_with_a_clear_message(arguments, message):
    with pytest.raises(ValueError, match=message):
        Path(**arguments)


@pytest.mark.parametrize("half_life", [0, -1, math.inf])
def test_time_decay_refuses_a_half_life_that_is_not_positive(half_life):
    with pytest.raises(ValueError, match="half_life must be"):
        time_decay_credit(TOY_PATHS, half_life=half_life)


def test_paths_from_journeys_aggregates_visitors_per_touch_sequence():
    journeys = [
        Journey(["百度", "微信"], conversions=1, value=100),
        Journey(["百度", "微信"]),
        Journey(["百度", "微信"], conversions=2, value=30),
        Journey(["direct"]),
    ]
    assert paths_from_journeys(journeys) == [
        Path(("百度", "微信"), conversions=3, value=130, nulls=1),
        Path(("direct",), nulls=1),
    ]


def test_paths_from_journeys_can_collapse_repeated_touches():
    journeys = [Journey(["百度", "百度", "微信", "百度"], 1), Journey(["百度", "微信", "微信", "百度"])]
    assert paths_from_journeys(journeys, collapse_repeats=True) == [
        Path(("百度", "微信", "百度"), 1, nulls=1)
    ]


def test_paths_from_journeys_refuses_a_journey_without_touches():
    with pytest.raises(ValueError, match="at least one touch"):
        paths_from_journeys([Journey([], conversions=1)])


@pytest.mark.parametrize(
    ("journey", "message"),
    [
        (Journey(["百度"], conversions=-1), "conversions must be a finite number >= 0"),
        (Journey(["百度"], value=50), "has a value of 50 but no conversions"),
    ],
)
def test_paths_from_journeys_refuses_bad_counts(journey, message):
    with pytest.raises(ValueError, match=message):
        paths_from_journeys([journey])
