"""Shapley-value attribution, with v(S) = conversions (or value) of the paths whose channels all lie in S.

That game is a sum of unanimity games, one per distinct channel set T of the paths, weighted by
w(T), the conversions of the paths with that set: v(S) = sum of w(T) over the sets T within S. The
Shapley value of a unanimity game gives each member of T the share 1 / |T|, and the Shapley value is
linear, so the exact value is

    phi(c) = sum over the sets T holding c of w(T) / |T|

in one pass over the paths, for any number of channels: no 2^n coalitions to walk, so no channel
count past which the exact value must give way to sampling. It equals linear attribution over each
path's distinct channels (a channel touched twice on a path earns no more than once).

``sample_shapley_credit`` estimates the same value by permutation sampling, with standard errors:
in a random order of the channels, each set's weight is the marginal contribution of its member that
comes last. It is there to check the exact value and as the tool for games without a closed form.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from netmark.roi.attribution import Credit, Path, Shares, channels_of, credit_from_shares

DEFAULT_PERMUTATIONS = 2000
# Caps the (permutations x sets x set size) array of one sampling batch, about 32 MB of float64.
BATCH_CELLS = 4_000_000


@dataclass(frozen=True, slots=True)
class SampledShapley:
    """Monte Carlo Shapley credit with each channel's standard error, from ``permutations`` orders."""

    credit: dict[str, Credit]
    standard_error: dict[str, Credit]
    permutations: int
    seed: int


def shapley_credit(paths: Sequence[Path]) -> dict[str, Credit]:
    """Exact Shapley value: each path's conversions and value split evenly over its distinct channels."""
    return credit_from_shares(paths, _distinct_channel_shares)


def _distinct_channel_shares(path: Path) -> Shares:
    members = dict.fromkeys(path.touches)
    share = 1.0 / len(members)
    return [(channel, share) for channel in members]


def sample_shapley_credit(
    paths: Sequence[Path], *, permutations: int = DEFAULT_PERMUTATIONS, seed: int = 0
) -> SampledShapley:
    """Shapley value estimated from ``permutations`` random channel orders drawn with ``seed``.

    The standard error of a channel is the standard deviation of its marginal contributions over the
    orders divided by sqrt(permutations); the estimate is reproducible for a given seed.
    """
    if not isinstance(permutations, int) or permutations < 2:
        raise ValueError(f"permutations must be an integer >= 2; got {permutations!r}")
    channels = channels_of(paths)
    if not channels:
        return SampledShapley({}, {}, permutations, seed)
    members, weights = _distinct_sets(paths, {channel: i for i, channel in enumerate(channels)})
    if not len(members):
        nothing = dict.fromkeys(channels, Credit(0.0, 0.0))
        return SampledShapley(nothing, dict(nothing), permutations, seed)
    sums, squares = _sampled_moments(members, weights, len(channels), permutations, seed)
    mean = sums / permutations
    variance = np.maximum(squares - permutations * mean**2, 0.0) / (permutations - 1)
    error = np.sqrt(variance / permutations)
    return SampledShapley(
        credit={channel: Credit(*mean[:, i].tolist()) for i, channel in enumerate(channels)},
        standard_error={channel: Credit(*error[:, i].tolist()) for i, channel in enumerate(channels)},
        permutations=permutations,
        seed=seed,
    )


def _distinct_sets(paths: Sequence[Path], index_of: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Member indexes of each distinct converting channel set (rows padded with len(index_of)) and
    the weights (conversions, value) of each set, shape (2, sets)."""
    weight_of: dict[frozenset[int], list[float]] = {}
    for path in paths:
        if path.conversions > 0:
            weight = weight_of.setdefault(frozenset(index_of[touch] for touch in path.touches), [0.0, 0.0])
            weight[0] += path.conversions
            weight[1] += path.value
    padding = len(index_of)
    widest = max((len(members) for members in weight_of), default=1)
    members = np.full((len(weight_of), widest), padding, dtype=np.int64)
    for row, channel_set in enumerate(weight_of):
        members[row, : len(channel_set)] = sorted(channel_set)
    return members, np.asarray(list(weight_of.values()), dtype=float).reshape(-1, 2).T


def _sampled_moments(
    members: np.ndarray, weights: np.ndarray, channels: int, permutations: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sum and sum of squares, over the orders, of each channel's marginal contributions: (2, channels)."""
    rng = np.random.default_rng(seed)
    sums = np.zeros((2, channels))
    squares = np.zeros((2, channels))
    for size in _batch_sizes(permutations, max(1, BATCH_CELLS // members.size)):
        marginals = _marginal_contributions(members, weights, rng.random((size, channels)))
        sums += marginals.sum(axis=1)
        squares += (marginals**2).sum(axis=1)
    return sums, squares


def _batch_sizes(total: int, batch: int) -> Iterator[int]:
    for start in range(0, total, batch):
        yield min(batch, total - start)


def _marginal_contributions(members: np.ndarray, weights: np.ndarray, order_keys: np.ndarray) -> np.ndarray:
    """Marginal contributions (2, orders, channels) for orders given by random keys (orders, channels).

    A set's weight goes to its member with the largest key: the last of them to join the coalition.
    """
    orders, channels = order_keys.shape
    keys = np.concatenate([order_keys, np.full((orders, 1), -np.inf)], axis=1)  # padding never comes last
    last = members[np.arange(members.shape[0]), keys[:, members].argmax(axis=2)]  # (orders, sets)
    flat = (np.arange(orders)[:, None] * channels + last).ravel()
    return np.stack(
        [
            np.bincount(flat, weights=np.tile(weight, orders), minlength=orders * channels).reshape(
                orders, channels
            )
            for weight in weights
        ]
    )
