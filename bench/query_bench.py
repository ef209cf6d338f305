"""Dashboard query benchmark: synthetic events loaded into a fresh event store, then the dashboard
queries timed over the whole range, and every unfiltered answer checked against the known truth.

``--events`` hits of ``--days`` days (``netmark.analytics.synthetic``) go through what ingestion
does to a request (the Plausible body parsed by ``wire``, bots refused by the classifier,
``ingest.build_event`` with the salted visitor id of the hit's own day) and into the store through
``append`` (batches of 1,000) and ``process`` (every 20,000 events, as the processor would). The
truth is computed from the same stream by ``synthetic.truth``, independently of the store.

Then each dashboard query (totals, days, pages, entry pages, sources, channels, campaigns, devices,
a custom-event goal, a page goal, a 3-step funnel) runs ``--runs`` times (or until ``--budget``
seconds) unfiltered, with one filter (a visit dimension; a page), and with two and three filters;
p50 and p95 are printed, then a Markdown table for BENCHMARKS.md.

    python bench/query_bench.py [--events 1000000] [--days 90] [--runs 20] [--budget 20]

SQLite in a throw-away data folder; ``--events 10000000`` is the full run (tens of minutes).
"""

import argparse
import json
import math
import os
import pickle
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DOMAIN = "yunling-tea.example"
START = date(2026, 1, 5)
DAY_MS = 86_400_000


def setup(data_dir: str):
    os.environ.update(NETMARK_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="netmark.settings")
    for name in ("NETMARK_DATABASE_URL", "NETMARK_EVENTS_URL", "NETMARK_REDIS_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command

    from netmark.analytics import services as analytics
    from netmark.analytics import sites
    from netmark.core import services

    call_command("migrate", interactive=False, verbosity=0)
    workspace = services.create_workspace(None, "基准 query bench")
    site = analytics.create_site(services.operator_member(workspace), name="云岭茶业 bench", domain=DOMAIN)
    return sites.SiteInfo.of(site)


class Loader:
    """Turns hits into stored events the way ingestion would, timing each stage."""

    def __init__(self, store, site):
        from netmark.analytics import classify, ingest, wire

        self.store, self.site = store, site
        self.classify, self.ingest, self.wire = classify, ingest, wire
        self.batch: list = []
        self.seconds = {"build": 0.0, "append": 0.0, "process": 0.0}
        self.stored = self.refused = self.bots_passed = self.unprocessed = 0

    def feed(self, hits):
        """Yields every hit (for the truth) after taking it in."""
        for hit in hits:
            self.take(hit)
            yield hit
        self.flush()
        self.process()

    def take(self, hit) -> None:
        from netmark.analytics.synthetic_tables import ACCEPT_LANGUAGE

        started = time.perf_counter()
        body = json.dumps(hit.body, ensure_ascii=False).encode()
        parsed = self.wire.parse_plausible(body)
        if self.classify.parse_user_agent(hit.user_agent).is_bot:
            self.refused += 1
            self.seconds["build"] += time.perf_counter() - started
            return
        self.bots_passed += hit.is_bot
        environ = {"HTTP_ACCEPT_LANGUAGE": ACCEPT_LANGUAGE.get(hit.language, "")}
        event = self.ingest.build_event(self.site, parsed, hit.ip, hit.user_agent, environ, hit.ts_ms / 1000)
        event.ts = hit.ts_ms  # exact milliseconds (the float round trip can lose one)
        self.batch.append(event)
        self.seconds["build"] += time.perf_counter() - started
        if len(self.batch) >= 1000:
            self.flush()
            if self.stored % 20_000 == 0:
                self.process()

    def flush(self) -> None:
        started = time.perf_counter()
        self.store.append(self.batch)
        self.seconds["append"] += time.perf_counter() - started
        self.stored += len(self.batch)
        self.batch = []

    def process(self) -> None:
        started = time.perf_counter()
        self.store.process_all()
        self.seconds["process"] += time.perf_counter() - started


def load(store, site, args):
    from netmark.analytics.synthetic import iter_hits, truth, visitors_for

    per_day = visitors_for(args.events, args.days, args.seed)
    hits = iter_hits(args.seed, domain=DOMAIN, start=START, days=args.days, visitors_per_day=per_day)
    loader = Loader(store, site)
    start_ms = _utc_ms(START)
    started = time.perf_counter()
    result = truth(loader.feed(hits), start_ms=start_ms, end_ms=start_ms + args.days * DAY_MS)
    elapsed = time.perf_counter() - started
    seconds = loader.seconds
    hits_total = result.human_hits + result.bot_hits
    print(
        f"generated {hits_total:,} hits ({result.bot_hits:,} bots; {per_day:,} visitors a day) and loaded "
        f"{loader.stored:,} events in {elapsed:.0f} s: {loader.stored / elapsed:,.0f} events/s overall"
    )
    for stage, spent in seconds.items():
        print(f"  {stage:<8} {spent:7.1f} s  {loader.stored / spent:>10,.0f} events/s")
    print(
        f"  generation and truth {elapsed - sum(seconds.values()):.1f} s; refused as bots {loader.refused:,};"
        f" generator bots the classifier let through {loader.bots_passed}"
    )
    size = sum(path.stat().st_size for path in Path(os.environ["NETMARK_DATA_DIR"]).glob("*.db*"))
    print(f"  store files {size / 2**20:,.0f} MiB; inbox left {store.pending()}")
    return result, start_ms, elapsed, loader


def seal(store) -> None:
    """Copy the loaded rows into the columnar read side, as the processor does after its rounds."""
    started = time.perf_counter()
    sealed = store.seal()
    elapsed = time.perf_counter() - started
    if sealed:
        rows = sealed["visits"] + sealed["events"]
        print(
            f"sealed {sealed['visits']:,} visits and {sealed['events']:,} events into Parquet segments in"
            f" {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s; {sealed['merged']} merges;"
            f" {sealed.get('rollups', 0)} per-day rollups built)"
        )


def _reuse(data_dir: str, saved: Path):
    """A folder loaded by an earlier ``--data`` run: the store as it was, the truth from its load."""
    os.environ.update(NETMARK_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="netmark.settings")
    import django

    django.setup()
    site, result, start_ms, load_seconds, stored = pickle.loads(saved.read_bytes())  # noqa: S301 - our own file
    print(f"reusing {stored:,} events loaded into {data_dir}")
    return site, result, start_ms, load_seconds, stored


def _utc_ms(day: date) -> int:
    from datetime import UTC, datetime

    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def dashboard(store):
    from netmark.analytics.stores.base import Goal

    steps = (Goal("page", "/products/*"), Goal("event", "Add to cart"), Goal("event", "Purchase"))
    return [
        ("totals", lambda query: store.totals(query)),
        ("timeseries by day", lambda query: store.timeseries(query, "day")),
        ("top pages", lambda query: store.breakdown(query, "path", 10)),
        ("entry pages", lambda query: store.breakdown(query, "entry_path", 10)),
        ("sources", lambda query: store.breakdown(query, "source", 10)),
        ("channels", lambda query: store.breakdown(query, "channel", 10)),
        ("utm campaigns", lambda query: store.breakdown(query, "utm_campaign", 10)),
        ("devices", lambda query: store.breakdown(query, "device", 10)),
        ("goal Purchase", lambda query: store.goal_conversions(query, Goal("event", "Purchase"))),
        ("goal page", lambda query: store.goal_conversions(query, Goal("page", "/checkout/success*"))),
        ("funnel 3 steps", lambda query: store.funnel(query, steps, DAY_MS)),
    ]


def filter_sets():
    from netmark.analytics.stores.base import Filter

    mobile, wechat = Filter("device", "mobile"), Filter("utm_source", "wechat")
    return [
        ("none", ()),
        ("device", (mobile,)),
        ("page", (Filter("path", "/cart"),)),
        ("device+utm", (mobile, wechat)),
        ("device+utm+page~", (mobile, wechat, Filter("path", "/products/", "contains"))),
    ]


def measure(run, runs: int, budget: float) -> list[float]:
    times: list[float] = []
    deadline = time.perf_counter() + budget
    while len(times) < runs and (len(times) < 3 or time.perf_counter() < deadline):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def check(store, query, result) -> list[str]:
    """Every unfiltered answer of the store against the truth; returns the differences."""
    from netmark.analytics.stores.base import Goal
    from netmark.analytics.synthetic_truth import DEFAULT_FUNNEL, DEFAULT_GOALS, Row

    problems: list[str] = []

    def compare(label, got, want) -> None:
        if got == want:
            return
        if isinstance(want, dict):
            keys = sorted({*got, *want} - {key for key in want if got.get(key) == want[key]})
            examples = "; ".join(f"{key!r}: store {got.get(key)} truth {want.get(key)}" for key in keys[:3])
            problems.append(f"{label}: {len(keys)} of {len(want)} rows differ ({examples})")
        else:
            problems.append(f"{label}: store {got} truth {want}")

    def rows(answer) -> dict:
        return {value: Row(t.visits, t.visitors, t.pageviews, t.bounces) for value, t in answer}

    compare("totals", store.totals(query), result.totals())
    for kind, match in DEFAULT_GOALS:
        answer = store.goal_conversions(query, Goal(kind, match))
        compare(f"goal {kind} {match}", answer, result.goals[(kind, match)])
    steps = [Goal(kind, match) for kind, match in DEFAULT_FUNNEL]
    compare("funnel", store.funnel(query, steps, DAY_MS), result.funnel)
    breakdowns = {
        "utm_source": result.by_utm_source,
        "utm_campaign": result.by_utm_campaign,
        "entry_path": result.by_entry_path,
        "device": result.by_device_hint,
    }
    for dimension, want in breakdowns.items():
        compare(dimension, rows(store.breakdown(query, dimension, 10_000)), want)
    compare("days (Asia/Shanghai)", rows(store.timeseries(query, "day")), result.by_day)
    return problems


def bench_queries(store, query, args) -> dict:
    import dataclasses

    cells = {}
    for filters_label, filters in filter_sets():
        for label, run in dashboard(store):
            filtered = dataclasses.replace(query, filters=filters)
            times = measure(lambda run=run, filtered=filtered: run(filtered), args.runs, args.budget)
            cells[(label, filters_label)] = (statistics.median(times), percentile(times, 0.95), len(times))
            p50, p95, runs = cells[(label, filters_label)]
            line = f"{label:<18} {filters_label:<18} p50 {p50:9.1f} ms  p95 {p95:9.1f} ms  ({runs} runs)"
            print(line, flush=True)
    return cells


def markdown(cells, args, loaded: int, load_seconds: float) -> None:
    columns = [label for label, _ in filter_sets()]
    print(
        f"\n{loaded:,} events over {args.days} days, SQLite; cells: p50 / p95 in ms over {args.runs} runs"
        f" (fewer when a cell passed {args.budget:.0f} s); load {loaded / load_seconds:,.0f} events/s.\n"
    )
    print("| query | " + " | ".join(f"filters: {column}" for column in columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for label in dict.fromkeys(label for label, _ in cells):
        values = []
        for column in columns:
            p50, p95, runs = cells[(label, column)]
            values.append(f"{p50:,.0f} / {p95:,.0f}" + ("" if runs >= args.runs else f" ({runs})"))
        print(f"| {label} | " + " | ".join(values) + " |")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000, help="hits to generate (bots included)")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per query before fewer runs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--data", help="keep the loaded data folder here; a folder loaded before is reused (no reload)"
    )
    parser.add_argument("--load-only", action="store_true", help="load (into --data) and stop")
    args = parser.parse_args()
    data_dir = args.data or tempfile.mkdtemp(prefix="netmark-query-bench-")
    saved = Path(data_dir) / "bench-load.pickle"
    try:
        from netmark.analytics.stores.base import Query

        if saved.exists():
            site, result, start_ms, load_seconds, stored = _reuse(data_dir, saved)
        else:
            site = setup(data_dir)
            from netmark.analytics.stores import get_store

            result, start_ms, load_seconds, loader = load(get_store(), site, args)
            stored = loader.stored
            if args.data:
                saved.write_bytes(pickle.dumps((site, result, start_ms, load_seconds, stored)))
        if args.load_only:
            return 0
        from netmark.analytics.stores import get_store

        store = get_store()
        seal(store)
        query = Query(site.workspace_id, site.id, start_ms, start_ms + args.days * DAY_MS, site.timezone)
        problems = check(store, query, result)
        verdict = "every unfiltered answer equals the truth" if not problems else "DIFFERENCES"
        print("truth check: " + verdict)
        for problem in problems:
            print("  " + problem)
        cells = bench_queries(store, query, args)
        markdown(cells, args, stored, load_seconds)
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\npeak resident memory of this process (load, seal and queries): {peak:,.0f} MiB")
    finally:
        if not args.data:
            import shutil

            shutil.rmtree(data_dir, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
