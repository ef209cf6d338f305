"""Contact timeline benchmark (issue 5: a contact's timeline page <= 100 ms with 10 k interactions).

One contact gets ``--interactions`` entries of mixed types over a year (bulk insert), plus 200
other contacts with 50 entries each; then ``timeline.page`` (50 entries, keyset) is timed for the
first page, a page deep in the feed (through its cursor) and a page filtered by type.

    python bench/contacts_timeline_bench.py [--interactions 10000] [--runs 50]
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

KINDS = ["note", "call", "link_click", "website_event", "form_submission", "meeting"]


def fill(workspace, count: int):
    from netmark.contacts.models import Contact, Interaction

    start = datetime(2026, 1, 1, tzinfo=UTC)
    contacts = Contact.unscoped.bulk_create(
        [Contact(workspace=workspace, name=f"联系人 {i}", email=f"c{i}@bench.example") for i in range(201)]
    )
    target = contacts[0]
    rows = [
        Interaction(
            workspace=workspace,
            contact=target,
            kind=KINDS[i % len(KINDS)],
            occurred_at=start + timedelta(minutes=53 * i),
            payload={"text": f"第 {i} 条"},
        )
        for i in range(count)
    ]
    for other in contacts[1:]:
        rows += [
            Interaction(
                workspace=workspace,
                contact=other,
                kind="note",
                occurred_at=start + timedelta(hours=i),
                payload={"text": "x"},
            )
            for i in range(50)
        ]
    Interaction.unscoped.bulk_create(rows, batch_size=2000)
    return target


def timed(function, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interactions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    from contacts_import_bench import setup

    workspace = setup(tempfile.mkdtemp(prefix="netmark-timeline-bench-"))
    from django.db import connection

    from netmark.contacts import timeline

    contact = fill(workspace, args.interactions)
    deep = ""
    for _ in range(args.interactions // 100):  # half-way down the feed
        _entries, deep = timeline.page(contact, before=deep, limit=50)
    cases = {
        "first page": lambda: timeline.page(contact, limit=50),
        "page half-way down": lambda: timeline.page(contact, before=deep, limit=50),
        "filtered (calls)": lambda: timeline.page(contact, kinds=["call"], limit=50),
    }
    print(f"{args.interactions} interactions on one contact, database {connection.vendor}")
    for label, case in cases.items():
        p50, p95 = timed(case, args.runs)
        print(f"{label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
