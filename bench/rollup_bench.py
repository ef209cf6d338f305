"""Rolled-up against raw answers of the same dashboard queries, alternating in one process.

On a data folder that ``query_bench.py --data DIR`` loaded and sealed (its rollups built), each
query runs ``--runs`` times through the store (which takes the per-day rollups when they can answer)
and as many times as the raw report SQL over the columnar segments, one after the other, so that a
busy machine slows both alike; the medians and their ratio are printed, and every store answer is
checked to be the same on two runs.

    python bench/query_bench.py --events 1000000 --data /var/tmp/qb1m --runs 1   # load, seal, rollups
    python bench/rollup_bench.py --data /var/tmp/qb1m [--runs 11] [query ...]
"""

import argparse
import dataclasses
import os
import pickle
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DAY_MS = 86_400_000


def cases(store, query):
    from netmark.analytics.stores import queries
    from netmark.analytics.stores.base import Filter, Goal

    mobile = dataclasses.replace(query, filters=(Filter("device", "mobile"),))
    cart = dataclasses.replace(query, filters=(Filter("path", "/cart"),))
    purchase = Goal("event", "Purchase")
    checkout = Goal("page", "/checkout/success*")

    def raw(on, built):
        return lambda: store._read(on, *built)

    return {
        "top pages, unfiltered": (
            lambda: store.breakdown(query, "path", 10),
            raw(query, queries.event_breakdown(query, "path", 10)),
        ),
        "top pages, device": (
            lambda: store.breakdown(mobile, "path", 10),
            raw(mobile, queries.event_breakdown(mobile, "path", 10)),
        ),
        "totals, page": (lambda: store.totals(cart), raw(cart, queries.totals(cart))),
        "series, page": (
            lambda: store.timeseries(cart, "day"),
            raw(cart, queries.timeseries(cart, "v.day")),
        ),
        "sources, page": (
            lambda: store.breakdown(cart, "source", 10),
            raw(cart, queries.visit_breakdown(cart, "source", 10)),
        ),
        "goal, unfiltered": (
            lambda: store.goal_conversions(query, purchase),
            raw(query, queries.goal_conversions(query, purchase)),
        ),
        "goal, device": (
            lambda: store.goal_conversions(mobile, purchase),
            raw(mobile, queries.goal_conversions(mobile, purchase)),
        ),
        "top pages, page": (
            lambda: store.breakdown(cart, "path", 10),
            raw(cart, queries.event_breakdown(cart, "path", 10)),
        ),
        "goal, page": (
            lambda: store.goal_conversions(cart, purchase),
            raw(cart, queries.goal_conversions(cart, purchase)),
        ),
        "page goal, unfiltered": (
            lambda: store.goal_conversions(query, checkout),
            raw(query, queries.goal_conversions(query, checkout)),
        ),
        "page goal, device": (
            lambda: store.goal_conversions(mobile, checkout),
            raw(mobile, queries.goal_conversions(mobile, checkout)),
        ),
        "page goal, page": (
            lambda: store.goal_conversions(cart, checkout),
            raw(cart, queries.goal_conversions(cart, checkout)),
        ),
        "sources, device": (
            lambda: store.breakdown(mobile, "source", 10),
            raw(mobile, queries.visit_breakdown(mobile, "source", 10)),
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="a folder loaded by query_bench.py --data")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("only", nargs="*", help="query names (default: all)")
    args = parser.parse_args()
    os.environ.update(NETMARK_DATA_DIR=args.data, DJANGO_SETTINGS_MODULE="netmark.settings")
    import django

    django.setup()
    from netmark.analytics.stores import get_store
    from netmark.analytics.stores.base import Query

    site, _result, start_ms, *_rest = pickle.loads((Path(args.data) / "bench-load.pickle").read_bytes())  # noqa: S301 - our own file
    store = get_store()
    query = Query(site.workspace_id, site.id, start_ms, start_ms + args.days * DAY_MS, site.timezone)
    table = cases(store, query)
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    print("| query | store p50 ms | raw p50 ms | raw / store |\n|---|---:|---:|---:|")
    for name in args.only or list(table):
        rolled, raw = table[name]
        if rolled() != rolled():
            print(f"{name}: two runs disagree")
            return 1
        stored, rows = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            rolled()
            stored.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            raw()
            rows.append((time.perf_counter() - started) * 1000)
        a, b = statistics.median(stored), statistics.median(rows)
        print(f"| {name} | {a:,.1f} | {b:,.1f} | {b / a:,.1f}x |", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
