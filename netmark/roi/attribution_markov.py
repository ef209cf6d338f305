"""Markov-chain attribution: each channel's removal effect in a first-order absorbing chain, solved exactly.

States are ``start``, one per channel, ``conversion`` and ``null``. Each path adds its visitors
(conversions + nulls) to the transitions start > first touch > ... > last touch, then its
conversions to last touch > ``conversion`` and its nulls to last touch > ``null``; the counts leaving
a state, normalised, are its transition probabilities. A repeated touch (百度 > 百度) is a self-loop.

P, the probability of reaching ``conversion`` from ``start``, solves (I - Q) x = r over the transient
states (Q: transient to transient, r: transient to conversion); no simulation. Removing channel c
sends every transition into c to ``null``. Rather than one solve per channel, the fundamental matrix
N = (I - Q)^-1 (one ``numpy.linalg.solve``) gives them all: a visitor who never reaches c converts as
before, one who does would have converted with x(c), so

    P without c = P - h(c) x(c),  with h(c) = N[start, c] / N[c, c] the probability of reaching c,

and the removal effect 1 - P_without_c / P is h(c) x(c) / P. Credit is proportional to the removal
effects, scaled to the total conversions and to the total value.
"""

from collections.abc import Sequence

import numpy as np

from netmark.roi.attribution import Credit, Path, channels_of, totals_of

START = 0


def markov_credit(paths: Sequence[Path]) -> dict[str, Credit]:
    """Conversions and value shared in proportion to the channels' removal effects."""
    effects = removal_effects(paths)
    total_effect = sum(effects.values())
    if total_effect <= 0:
        return {channel: Credit(0.0, 0.0) for channel in effects}
    totals = totals_of(paths)
    return {
        channel: Credit(totals.conversions * effect / total_effect, totals.value * effect / total_effect)
        for channel, effect in effects.items()
    }


def removal_effects(paths: Sequence[Path]) -> dict[str, float]:
    """``{channel: 1 - P(conversion without the channel) / P(conversion)}``, each in [0, 1].

    All effects are 0 when nothing converts.
    """
    channels = channels_of(paths)
    if not channels:
        return {}
    transitions = _transition_counts(paths, {channel: START + 1 + i for i, channel in enumerate(channels)})
    to_transient, to_conversion = _probabilities(transitions)
    fundamental = np.linalg.solve(np.eye(len(to_transient)) - to_transient, np.eye(len(to_transient)))
    conversion_from = fundamental @ to_conversion
    if conversion_from[START] <= 0:
        return dict.fromkeys(channels, 0.0)
    reach = fundamental[START, 1:] / np.diag(fundamental)[1:]
    effects = np.clip(reach * conversion_from[1:] / conversion_from[START], 0.0, 1.0)
    return dict(zip(channels, effects.tolist(), strict=True))


def _transition_counts(paths: Sequence[Path], state_of: dict[str, int]) -> np.ndarray:
    """Visitors from each transient state (rows) to each state (columns: transient, conversion, null)."""
    transient = len(state_of) + 1
    conversion, null = transient, transient + 1
    sources: list[int] = []
    targets: list[int] = []
    weights: list[float] = []
    for path in paths:
        states = [START, *(state_of[touch] for touch in path.touches)]
        sources += [*states, states[-1]]
        targets += [*states[1:], conversion, null]
        weights += [path.conversions + path.nulls] * (len(states) - 1) + [path.conversions, path.nulls]
    width = transient + 2
    flat = np.asarray(sources, dtype=np.int64) * width + np.asarray(targets, dtype=np.int64)
    counts = np.bincount(flat, weights=np.asarray(weights, dtype=float), minlength=transient * width)
    return counts.reshape(transient, width)


def _probabilities(transitions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Q (transient to transient) and r (transient to conversion); a state nobody leaves has zero rows."""
    leaving = transitions.sum(axis=1, keepdims=True)
    probabilities = np.divide(transitions, leaving, out=np.zeros(transitions.shape), where=leaving > 0)
    transient = transitions.shape[0]
    return probabilities[:, :transient], probabilities[:, transient]
