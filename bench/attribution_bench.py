"""Attribution benchmark: every model of ``netmark.roi`` timed on random aggregated conversion paths.

``--paths`` distinct paths (1 to 10 touches, channels drawn with skewed popularity from
``--channels`` names, Chinese and Latin) are generated with ``--seed``; each path carries visitors
split into conversions (with revenue) and nulls. Each model runs ``--runs`` times; the median and the
fastest run (``time.perf_counter``) are printed as a Markdown table for BENCHMARKS.md, and every
model's credit is checked to add up to the total conversions.

    python bench/attribution_bench.py [--paths 10000] [--channels 12] [--runs 5] [--seed 20260105]

Pure Python and numpy: no database, no Django set-up.
"""

import argparse
import math
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path as FilePath

ROOT = FilePath(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from netmark.roi import attribution, attribution_markov, attribution_shapley  # noqa: E402
from netmark.roi.attribution import Journey, Path  # noqa: E402

CHANNEL_NAMES = [
    "百度",
    "微信",
    "抖音",
    "小红书",
    "微博",
    "知乎",
    "bilibili",
    "email",
    "direct",
    "seo",
    "affiliate",
    "sms",
]


def channel_names(count: int) -> list[str]:
    extra = [f"渠道{number}" for number in range(count - len(CHANNEL_NAMES))]
    return (CHANNEL_NAMES + extra)[:count]


def random_paths(count: int, channels: list[str], rng: random.Random) -> list[Path]:
    """``count`` distinct paths; longer paths convert more often, as in real traffic."""
    popularity = [1 / (rank + 1) for rank in range(len(channels))]
    seen: set[tuple[str, ...]] = set()
    paths = []
    while len(paths) < count:
        length = min(10, 1 + int(rng.expovariate(1 / 2.5)))
        touches = tuple(rng.choices(channels, weights=popularity, k=length))
        if touches in seen:
            continue
        seen.add(touches)
        visitors = 1 + int(rng.expovariate(1 / 30))
        conversions = sum(rng.random() < 0.02 * (1 + length) for _ in range(visitors))
        value = sum(rng.uniform(50, 500) for _ in range(conversions))
        paths.append(Path(touches, conversions, round(value, 2), visitors - conversions))
    return paths


def journeys_of(paths: list[Path], rng: random.Random) -> list[Journey]:
    """The per-visitor journeys behind the paths (one per visitor), shuffled."""
    journeys = []
    for path in paths:
        journeys += [Journey(path.touches)] * int(path.nulls)
        if path.conversions:
            journeys += [Journey(path.touches, 1, path.value / path.conversions)] * int(path.conversions)
    rng.shuffle(journeys)
    return journeys


def median_seconds(run: Callable[[], object], runs: int) -> tuple[float, float, object]:
    timings, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = run()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), min(timings), result


def check_total(name: str, result: object, expected: float) -> None:
    credit = result.credit if isinstance(result, attribution_shapley.SampledShapley) else result
    if isinstance(credit, dict) and credit and isinstance(next(iter(credit.values())), attribution.Credit):
        handed_out = sum(entry.conversions for entry in credit.values())
        if not math.isclose(handed_out, expected, rel_tol=1e-9):
            raise SystemExit(f"{name} handed out {handed_out} conversions, expected {expected}")


def models(paths: list[Path], journeys: list[Journey]) -> dict[str, Callable[[], object]]:
    return {
        "first touch": lambda: attribution.first_touch_credit(paths),
        "last touch": lambda: attribution.last_touch_credit(paths),
        "last non-direct": lambda: attribution.last_non_direct_credit(paths),
        "linear": lambda: attribution.linear_credit(paths),
        "time decay": lambda: attribution.time_decay_credit(paths),
        "position-based": lambda: attribution.position_based_credit(paths),
        "Markov removal effect (exact)": lambda: attribution_markov.markov_credit(paths),
        "Shapley (exact)": lambda: attribution_shapley.shapley_credit(paths),
        "Shapley sampled (2,000 orders)": lambda: attribution_shapley.sample_shapley_credit(paths),
        "compare_models (all eight)": lambda: attribution.compare_models(paths),
        f"paths_from_journeys ({len(journeys):,} journeys)": lambda: attribution.paths_from_journeys(
            journeys
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20260105)
    options = parser.parse_args()

    rng = random.Random(options.seed)
    paths = random_paths(options.paths, channel_names(options.channels), rng)
    journeys = journeys_of(paths, rng)
    totals = attribution.totals_of(paths)
    touches = sum(len(path.touches) for path in paths)
    print(
        f"{len(paths):,} distinct paths, {options.channels} channels, {touches:,} touches, "
        f"{totals.conversions:,.0f} conversions, {sum(path.nulls for path in paths):,.0f} nulls; "
        f"seed {options.seed}; median of {options.runs} runs; Python {platform.python_version()}, "
        f"numpy {np.__version__}\n"
    )
    print("| model | median (ms) | fastest (ms) |")
    print("|---|---:|---:|")
    for name, run in models(paths, journeys).items():
        median, fastest, result = median_seconds(run, options.runs)
        check_total(name, result, totals.conversions)
        print(f"| {name} | {median * 1000:,.1f} | {fastest * 1000:,.1f} |")


if __name__ == "__main__":
    main()
