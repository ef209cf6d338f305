"""Conversion-path benchmark: paths built from the event store for about a million visitors, then
every attribution model over them.

Synthetic traffic (``netmark.analytics.synthetic``, as ``query_bench.py`` loads it: through what
ingestion does to a request, into a fresh SQLite event store, sealed into the columnar read side)
covers ``--days`` days; ``--events`` hits give about a million visitors at the default. Then, timed
``--runs`` times: reading the touches and the goal events (``analytics.services.attribution_rows``),
cutting and aggregating them into paths (``roi.paths.build_paths``), and each model over the paths.

    python bench/paths_bench.py [--events 3500000] [--days 90] [--runs 5] [--data DIR]

``--data DIR`` keeps the loaded folder (and reuses one loaded before, also by ``query_bench.py``).
"""

import argparse
import pickle
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import query_bench  # noqa: E402

GOALS = ["event:Purchase", "event:Signup"]


def timed(run, runs: int):
    times, answer = [], None
    for _ in range(runs):
        started = time.perf_counter()
        answer = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times), answer


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=3_500_000, help="hits to generate (bots included)")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", help="keep the loaded data folder here; reuse one loaded before")
    args = parser.parse_args()
    data_dir = args.data or tempfile.mkdtemp(prefix="netmark-paths-bench-")
    saved = Path(data_dir) / "bench-load.pickle"
    try:
        if saved.exists():
            site_info, *_rest = query_bench._reuse(data_dir, saved)
        else:
            site_info = query_bench.setup(data_dir)
            from netmark.analytics.stores import get_store

            result, start_ms, load_seconds, loader = query_bench.load(get_store(), site_info, args)
            saved.write_bytes(pickle.dumps((site_info, result, start_ms, load_seconds, loader.stored)))
        from netmark.analytics import services as analytics
        from netmark.analytics.models import Site
        from netmark.analytics.reports import Period
        from netmark.analytics.stores import get_store
        from netmark.roi import attribution, paths

        query_bench.seal(get_store())
        site = Site.unscoped.get(pk=site_info.id)
        period = Period(query_bench.START, query_bench.START + timedelta(days=args.days - 1))
        read_median, read_best, rows = timed(
            lambda: analytics.attribution_rows(site, period, GOALS, lookback_days=0), args.runs
        )
        visitors = len({row[0] for row in rows.touches})
        print(
            f"{len(rows.touches):,} touches (visits) of {visitors:,} visitors, {len(rows.conversions):,}"
            f" conversions"
        )
        cut_median, cut_best, report = timed(
            lambda: paths.build_paths(rows.touches, rows.conversions, start_ms=rows.start_ms), args.runs
        )
        print(
            f"{len(report.paths):,} distinct paths over {report.journeys:,} journeys;"
            f" {report.conversions:,} conversions, {report.unattributed_conversions:,} unattributed"
        )
        lines = [
            "| step | median | best |",
            "|---|---:|---:|",
            f"| read touches and conversions | {read_median:.2f} s | {read_best:.2f} s |",
            f"| cut and aggregate into paths | {cut_median:.2f} s | {cut_best:.2f} s |",
            f"| **paths for {visitors:,} visitors** | **{read_median + cut_median:.2f} s** | |",
        ]
        median, best, compared = timed(lambda: attribution.compare_models(report.paths), args.runs)
        lines.append(
            f"| all {len(attribution.MODEL_NAMES)} models side by side | {median:.2f} s | {best:.2f} s |"
        )
        total = read_median + cut_median + median
        lines.append(f"| **from the store to the comparison** | **{total:.2f} s** | |")
        print(f"channels credited: {', '.join(compared)}")
        print("\n".join(lines))
    finally:
        if not args.data:
            import shutil

            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
