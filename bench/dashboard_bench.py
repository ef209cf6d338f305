"""The whole dashboard page, as a marketer opens it: server time of one GET of the site's
dashboard (summary cards with the previous period, the daily series, the first tab of every
breakdown card and two goals; the 3-step funnel, which the page loads after it is shown, is timed
on its own URL) over the data folder of ``query_bench.py --data``, unfiltered and with one or two
filters, through Django's test client (no network, no browser; the page's other tabs load when
opened and are timed by ``query_bench.py``). The process's first page is timed apart.

    python bench/dashboard_bench.py --data DIR [--runs 11]
"""

import argparse
import os
import pickle
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
DAY_MS = 86_400_000
FILTERS = [
    ("none", []),
    ("device", ["device:mobile"]),
    ("page", ["path:/cart"]),
    ("utm campaign", ["utm_campaign:double11-warmup"]),
    ("device + utm", ["device:mobile", "utm_source:wechat"]),
]


def signed_in_client(workspace_id: int):
    from django.test import Client

    from netmark.core import services
    from netmark.core.models import Member, Workspace

    workspace = Workspace.objects.get(pk=workspace_id)
    email = "dashboard-bench@example.com"
    member = Member.unscoped.filter(workspace=workspace, user__email=email).first()
    if member is None:
        member = services.add_member(services.operator_member(workspace), email, "owner", password=None)
    client = Client()
    client.force_login(member.user)
    return client, workspace.slug


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="a folder loaded by query_bench.py --data")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--days", type=int, default=90)
    args = parser.parse_args()
    os.environ.update(NETMARK_DATA_DIR=args.data, DJANGO_SETTINGS_MODULE="netmark.settings")
    os.environ.setdefault("NETMARK_ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from query_bench import percentile  # the same p95 as the query table

    site, _result, start_ms, *_rest = pickle.loads((Path(args.data) / "bench-load.pickle").read_bytes())  # noqa: S301 - our own file
    client, slug = signed_in_client(site.workspace_id)
    first = datetime.fromtimestamp(start_ms / 1000, UTC).date()
    last = first + timedelta(days=args.days - 1)
    url = f"/w/{slug}/analytics/sites/{site.id}/dashboard/"
    base = [
        ("start", first.isoformat()),
        ("end", last.isoformat()),
        ("goal", "event:Purchase"),
        ("goal", "page:/checkout/success*"),
        ("step", "page:/products/*"),
        ("step", "event:Add to cart"),
        ("step", "event:Purchase"),
    ]
    started = time.perf_counter()
    client.get(f"{url}?{urlencode(base)}")  # the process's first page: DuckDB, templates, caches
    print(f"first page of the process (not in the table): {(time.perf_counter() - started) * 1000:,.0f} ms")
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    print("| filters | page p50 ms | page p95 ms | funnel p50 ms | funnel p95 ms | runs |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, filters in FILTERS:
        state = urlencode(base + [("filter", text) for text in filters])
        cells = []
        for target in (f"{url}?{state}", f"{url}funnel/?{state}"):  # the page, then its funnel
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                response = client.get(target)
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    print(f"{label}: HTTP {response.status_code} from {target}")
                    return 1
            cells += [f"{statistics.median(times):,.0f}", f"{percentile(times, 0.95):,.0f}"]
        print(f"| {label} | {' | '.join(cells)} | {args.runs} |", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
