"""Cost import benchmark: a generated ad-spend file through preview, apply and an idempotent re-import.

``--rows`` lines of netmark's generic template (300 campaigns x ad groups x days, Chinese and Latin
names, two currencies) are imported into a throw-away SQLite database (or the PostgreSQL of
``NETMARK_DATABASE_URL``): a preview (dry run), the apply of that preview, then the same file again
(every line ``unchanged``). Each step is timed with ``time.perf_counter``; the totals are checked.

    python bench/cost_import_bench.py [--rows 100000] [--seed 20261026]
"""

import argparse
import datetime
import os
import platform
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def generate(rows: int, rng: random.Random) -> tuple[bytes, Decimal]:
    lines = ["date,account,campaign,ad_group,cost,impressions,clicks,conversions,currency"]
    total = Decimal(0)
    campaigns = [f"双11预售-{n}" if n % 2 else f"Search - Brand {n}" for n in range(300)]
    start = datetime.date(2026, 1, 1)
    count = 0
    day = 0
    while count < rows:
        for campaign in campaigns:
            for group in ("核心词", "long tail"):
                if count == rows:
                    break
                cost = Decimal(rng.randint(0, 500_000)) / 100
                currency = "USD" if campaign.startswith("Search") else "CNY"
                total += cost
                date = (start + datetime.timedelta(days=day)).isoformat()
                lines.append(f"{date},baidu:SEM01,{campaign},{group},{cost},{rng.randint(0, 9999)},"
                             f"{rng.randint(0, 300)},{rng.randint(0, 9)},{currency}")  # fmt: skip
                count += 1
        day += 1
    return ("\n".join(lines) + "\n").encode(), total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261026)
    args = parser.parse_args()
    os.environ.setdefault("NETMARK_DATA_DIR", tempfile.mkdtemp(prefix="netmark-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netmark.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Sum

    from netmark.core import services as core
    from netmark.roi import services
    from netmark.roi.models import Cost

    call_command("migrate", verbosity=0)
    user, _created = core.find_or_create_user(f"bench-{time.time_ns()}@example.com", password=None)
    workspace = core.create_workspace(user, "云岭茶业 bench", slug=f"bench-{time.time_ns()}")
    owner = core.member_for(user, workspace.slug)
    services.create_rate(owner, currency="USD", rate="7.2", effective_on=datetime.date(2025, 1, 1))
    data, total = generate(args.rows, random.Random(args.seed))

    timings = {}
    started = time.perf_counter()
    preview = services.preview_import(owner, data, filename="bench.csv")
    timings["preview (dry run)"] = time.perf_counter() - started
    started = time.perf_counter()
    services.apply_import(owner, preview.pk)
    timings["apply"] = time.perf_counter() - started
    started = time.perf_counter()
    again = services.import_costs(owner, data, filename="bench.csv")
    timings["re-import (all unchanged)"] = time.perf_counter() - started

    stored = Cost.unscoped.filter(workspace=workspace)
    assert stored.count() == args.rows, stored.count()
    assert again.summary["unchanged"] == args.rows
    assert Decimal(str(stored.aggregate(t=Sum("amount"))["t"])).quantize(Decimal("0.01")) == total
    machine = f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores"
    print(f"{args.rows} rows, {len(data) / 2**20:.1f} MiB, {connection.vendor}, {machine}")
    print("| step | seconds | rows/s |\n|---|---|---|")
    for step, seconds in timings.items():
        print(f"| {step} | {seconds:.2f} | {args.rows / seconds:,.0f} |")


if __name__ == "__main__":
    main()
