"""Multi-touch attribution over aggregated conversion paths: pure functions, no database, no HTTP.

A ``Path`` is one touch sequence with how many visitors who took it converted (``conversions``,
bringing revenue ``value``) and how many did not (``nulls``). Every model answers
``{channel: Credit}`` for all channels seen on the paths, sorted by name, and hands out exactly the
total conversions and the total value of the paths, so models can be set side by side
(``compare_models``). No paths give an empty answer.

The rule-based models live here; the data-driven ones in ``attribution_markov`` (removal effect in
an absorbing Markov chain, solved exactly) and ``attribution_shapley`` (Shapley value).
"""

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

DIRECT_CHANNEL = "direct"
DEFAULT_HALF_LIFE = 7.0
POSITION_FIRST_SHARE = 0.4
POSITION_LAST_SHARE = 0.4

MODEL_NAMES = (
    "first_touch",
    "last_touch",
    "last_non_direct",
    "linear",
    "time_decay",
    "position_based",
    "markov",
    "shapley",
)

Shares = list[tuple[str, float]]


@dataclass(frozen=True, slots=True)
class Path:
    """One touch sequence (channel names, oldest first) and its outcomes over the visitors who took it.

    Counts are finite and >= 0; revenue (``value``) needs conversions. ``touch_ages_days`` optionally
    gives each touch's age in days at the end of the path (conversion or last visit); only the
    time-decay model reads it. Aggregated paths rarely have ages: visitors who share a sequence
    touched it at different times.
    """

    touches: tuple[str, ...]
    conversions: float = 0.0
    value: float = 0.0
    nulls: float = 0.0
    touch_ages_days: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "touches", tuple(self.touches))
        _check_touches(self.touches)
        for field in ("conversions", "value", "nulls"):
            _check_count(field, getattr(self, field), self.touches)
        if self.value > 0 and self.conversions == 0:
            raise ValueError(f"path {self.touches!r} has a value of {self.value} but no conversions")
        if self.touch_ages_days is not None:
            object.__setattr__(self, "touch_ages_days", tuple(self.touch_ages_days))
            _check_ages(self.touch_ages_days, self.touches)


@dataclass(frozen=True, slots=True)
class Journey:
    """One visitor's touches in order and what the visitor brought; no conversion counts as a null."""

    touches: Sequence[str]
    conversions: float = 0.0
    value: float = 0.0


@dataclass(frozen=True, slots=True)
class Credit:
    """The share of the conversions and of the value that a model gives one channel."""

    conversions: float
    value: float


def _check_touches(touches: tuple[str, ...]) -> None:
    if not touches:
        raise ValueError("a path needs at least one touch; got an empty touch sequence")
    for touch in touches:
        if not isinstance(touch, str) or not touch:
            raise ValueError(f"a touch must be a non-empty channel name; got {touch!r} in {touches!r}")


def _check_count(field: str, number: float, touches: tuple[str, ...]) -> None:
    if not isinstance(number, numbers.Real) or not math.isfinite(number) or number < 0:
        raise ValueError(f"{field} must be a finite number >= 0; got {number!r} on path {touches!r}")


def _check_ages(ages: tuple[float, ...], touches: tuple[str, ...]) -> None:
    if len(ages) != len(touches):
        raise ValueError(f"path {touches!r} has {len(touches)} touches but {len(ages)} touch ages")
    for age in ages:
        _check_count("a touch age", age, touches)


def paths_from_journeys(journeys: Iterable[Journey], *, collapse_repeats: bool = False) -> list[Path]:
    """Aggregate per-visitor journeys into distinct paths, in the order each sequence first appears.

    A journey without conversions adds one null; a converting one adds its conversions and value.
    ``collapse_repeats`` merges consecutive touches of one channel (百度 > 百度 > 微信 becomes
    百度 > 微信), as Markov set-ups often do. Touch ages are not kept: they differ between visitors.
    """
    totals: dict[tuple[str, ...], list[float]] = {}
    for journey in journeys:
        touches = tuple(journey.touches)
        _check_journey(journey, touches)
        if collapse_repeats:
            touches = _without_repeats(touches)
        total = totals.setdefault(touches, [0.0, 0.0, 0.0])
        total[0] += journey.conversions
        total[1] += journey.value
        total[2] += 0.0 if journey.conversions else 1.0
    return [Path(touches, *total) for touches, total in totals.items()]


def _check_journey(journey: Journey, touches: tuple[str, ...]) -> None:
    _check_touches(touches)
    _check_count("conversions", journey.conversions, touches)
    _check_count("value", journey.value, touches)
    if journey.value > 0 and journey.conversions == 0:
        raise ValueError(f"a journey over {touches!r} has a value of {journey.value} but no conversions")


def _without_repeats(touches: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(
        touch for position, touch in enumerate(touches) if position == 0 or touches[position - 1] != touch
    )


def channels_of(paths: Iterable[Path]) -> list[str]:
    """Every channel touched on the paths, sorted by name."""
    return sorted({touch for path in paths for touch in path.touches})


def totals_of(paths: Iterable[Path]) -> Credit:
    """The conversions and the value of all the paths together: what every model hands out."""
    conversions = value = 0.0
    for path in paths:
        conversions += path.conversions
        value += path.value
    return Credit(conversions, value)


def credit_from_shares(paths: Sequence[Path], shares_of: Callable[[Path], Shares]) -> dict[str, Credit]:
    """Give each path's conversions and value to its channels by the shares (summing to 1) it is given."""
    conversions = dict.fromkeys(channels_of(paths), 0.0)
    value = dict.fromkeys(conversions, 0.0)
    for path in paths:
        if path.conversions == 0:
            continue
        for channel, share in shares_of(path):
            conversions[channel] += share * path.conversions
            value[channel] += share * path.value
    return {channel: Credit(conversions[channel], value[channel]) for channel in conversions}


def first_touch_credit(paths: Sequence[Path]) -> dict[str, Credit]:
    return credit_from_shares(paths, lambda path: [(path.touches[0], 1.0)])


def last_touch_credit(paths: Sequence[Path]) -> dict[str, Credit]:
    return credit_from_shares(paths, lambda path: [(path.touches[-1], 1.0)])


def last_non_direct_credit(
    paths: Sequence[Path], *, direct_channel: str = DIRECT_CHANNEL
) -> dict[str, Credit]:
    """Last touch, skipping ``direct_channel`` (exact name) unless the path has no other channel."""

    def shares_of(path: Path) -> Shares:
        others = [touch for touch in path.touches if touch != direct_channel]
        return [(others[-1] if others else direct_channel, 1.0)]

    return credit_from_shares(paths, shares_of)


def linear_credit(paths: Sequence[Path]) -> dict[str, Credit]:
    """Every touch gets an equal share; a channel touched twice on a path gets two shares."""
    return credit_from_shares(paths, _equal_shares)


def _equal_shares(path: Path) -> Shares:
    share = 1.0 / len(path.touches)
    return [(touch, share) for touch in path.touches]


def time_decay_credit(paths: Sequence[Path], *, half_life: float = DEFAULT_HALF_LIFE) -> dict[str, Credit]:
    """Each touch weighs 2^(-age / half_life), normalised per path.

    A path with ``touch_ages_days`` uses them, and ``half_life`` is in days. A path without ages
    (the usual aggregated path) takes each touch's position from the end as its age in steps: the
    last touch is 0 steps old, the one before 1 step, and ``half_life`` is then in steps.
    """
    if not (isinstance(half_life, numbers.Real) and math.isfinite(half_life) and half_life > 0):
        raise ValueError(f"half_life must be a finite number > 0; got {half_life!r}")
    return credit_from_shares(paths, lambda path: _decayed_shares(path, half_life))


def _decayed_shares(path: Path, half_life: float) -> Shares:
    ages = path.touch_ages_days or tuple(range(len(path.touches) - 1, -1, -1))
    youngest = min(ages)  # shares are relative: measuring from the youngest touch avoids underflow
    weights = [0.5 ** ((age - youngest) / half_life) for age in ages]
    total = sum(weights)
    return [(touch, weight / total) for touch, weight in zip(path.touches, weights, strict=True)]


def position_based_credit(paths: Sequence[Path]) -> dict[str, Credit]:
    """40 % to the first touch, 40 % to the last, 20 % spread over the touches between.

    One touch takes everything; two touches split 50/50.
    """
    return credit_from_shares(paths, _position_shares)


def _position_shares(path: Path) -> Shares:
    touches = path.touches
    if len(touches) == 1:
        return [(touches[0], 1.0)]
    if len(touches) == 2:
        return [(touches[0], 0.5), (touches[1], 0.5)]
    middle_share = (1.0 - POSITION_FIRST_SHARE - POSITION_LAST_SHARE) / (len(touches) - 2)
    return [
        (touches[0], POSITION_FIRST_SHARE),
        *((touch, middle_share) for touch in touches[1:-1]),
        (touches[-1], POSITION_LAST_SHARE),
    ]


def compare_models(
    paths: Sequence[Path],
    *,
    half_life: float = DEFAULT_HALF_LIFE,
    direct_channel: str = DIRECT_CHANNEL,
) -> dict[str, dict[str, Credit]]:
    """Every model's credit side by side: ``{channel: {model name: Credit}}``, models as in MODEL_NAMES."""
    # Imported here: the Markov and Shapley modules build on the types of this one.
    from netmark.roi.attribution_markov import markov_credit
    from netmark.roi.attribution_shapley import shapley_credit

    by_model = {
        "first_touch": first_touch_credit(paths),
        "last_touch": last_touch_credit(paths),
        "last_non_direct": last_non_direct_credit(paths, direct_channel=direct_channel),
        "linear": linear_credit(paths),
        "time_decay": time_decay_credit(paths, half_life=half_life),
        "position_based": position_based_credit(paths),
        "markov": markov_credit(paths),
        "shapley": shapley_credit(paths),
    }
    return {
        channel: {name: by_model[name][channel] for name in MODEL_NAMES} for channel in channels_of(paths)
    }
