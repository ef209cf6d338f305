"""Lead scoring benchmark (issue 5): a full recompute of one workspace with 100 k contacts and about
1 M interactions on SQLite.

Fills the workspace by bulk SQL (contacts in eight cities, interactions of five kinds over the last
180 days), sets six rules (four interaction rules with caps, a positive and a negative field rule),
a 30-day half-life and thresholds, then times ``scoring.recompute``: the first run (every score and
many stages change: score updates, history rows, audit and timeline rows) and the steady runs that
follow (nothing changes: the read side only), plus ``score_contact`` of one contact.

    python bench/scoring_bench.py [--contacts 100000] [--interactions 1000000] [--runs 3] [--data DIR]
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CITIES = ["昆明", "上海", "北京", "深圳", "大理", "成都", "杭州", "广州"]
STAGES = ["subscriber", "subscriber", "lead", "lead", "qualified", "customer", "lost"]
SQL_TIME = "%Y-%m-%d %H:%M:%S"  # as Django stores UTC datetimes in SQLite (so comparisons hold)
KINDS = ["form_submission", "link_click", "link_click", "website_event", "website_event", "note", "call"]


def setup(data_dir: str):
    os.environ.update(NETMARK_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="netmark.settings")
    for name in ("NETMARK_EVENTS_URL", "NETMARK_REDIS_URL", "NETMARK_DATABASE_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command

    from netmark.core import services
    from netmark.core.models import Workspace

    call_command("migrate", interactive=False, verbosity=0)
    existing = Workspace.objects.filter(slug="scoring-bench").first()
    if existing is not None:
        return existing, False
    return services.create_workspace(None, "基准 scoring bench", slug="scoring-bench"), True


def fill(workspace, contacts: int, interactions: int, now: datetime, rng: random.Random) -> None:
    from django.db import connection, transaction

    stamp = now.strftime(SQL_TIME)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM contacts_contact")
        first = cursor.fetchone()[0] + 1
        cursor.executemany(
            "INSERT INTO contacts_contact (workspace_id, created_at, updated_at, name, email, phone,"
            " wechat_id, title, language, city, source, search_text, stage, custom, do_not_contact,"
            " company_id, last_activity_at, score)"
            " VALUES (%s, %s, %s, %s, %s, '', '', '', '', %s, '', '', %s, '{}', 0, NULL, NULL, 0)",
            [
                (
                    workspace.pk,
                    stamp,
                    stamp,
                    f"联系人 {index}",
                    f"c{index}@{'rival' if index % 50 == 0 else 'bench'}.example",
                    rng.choice(CITIES),
                    rng.choice(STAGES),
                )
                for index in range(contacts)
            ],
        )
        batch = []
        for _ in range(interactions):
            at = now - timedelta(seconds=rng.randint(0, 180 * 86_400))
            batch.append(
                (
                    workspace.pk,
                    stamp,
                    stamp,
                    first + rng.randrange(contacts),
                    rng.choice(KINDS),
                    at.strftime(SQL_TIME),
                )
            )
            if len(batch) == 100_000:
                _insert(cursor, batch)
                batch = []
        _insert(cursor, batch)
        cursor.execute("ANALYZE")


def _insert(cursor, rows) -> None:
    cursor.executemany(
        "INSERT INTO contacts_interaction (workspace_id, created_at, updated_at, contact_id, kind,"
        " occurred_at, payload, source_ref, author_id) VALUES (%s, %s, %s, %s, %s, %s, '{}', '', NULL)",
        rows,
    )


def rules(workspace) -> None:
    from netmark.contacts.models import ScoringRule, ScoringSettings

    ScoringSettings.unscoped.create(workspace=workspace, half_life_days=30, lead_at=20, qualified_at=60)
    for name, points, kind, extra in (
        ("表单", 10, "interaction", {"interaction_kind": "form_submission", "max_times": 5}),
        ("点击", 3, "interaction", {"interaction_kind": "link_click", "max_times": 10}),
        ("网站", 1, "interaction", {"interaction_kind": "website_event"}),
        ("电话", 5, "interaction", {"interaction_kind": "call", "max_times": 3}),
        (
            "大理",
            15,
            "field",
            {"condition": {"op": "and", "rules": [{"field": "city", "op": "eq", "value": "大理"}]}},
        ),
        (
            "对手",
            -20,
            "field",
            {"condition": {"op": "and", "rules": [{"field": "email", "op": "contains", "value": "rival"}]}},
        ),
    ):
        ScoringRule.unscoped.create(workspace=workspace, name=name, points=points, kind=kind, **extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", default="", metavar="DIR")
    args = parser.parse_args()
    workspace, fresh = setup(args.data or tempfile.mkdtemp(prefix="netmark-scoring-bench-"))
    from netmark.contacts import scoring
    from netmark.contacts.models import Contact

    now = datetime.now(UTC).replace(microsecond=0)
    if fresh:
        started = time.perf_counter()
        fill(workspace, args.contacts, args.interactions, now, random.Random(5))
        rules(workspace)
        print(
            f"filled {args.contacts} contacts, {args.interactions} interactions"
            f" in {time.perf_counter() - started:.0f} s"
        )
    started = time.perf_counter()
    first = scoring.recompute(workspace, now=now)
    print(f"first recompute: {time.perf_counter() - started:.2f} s {first}")
    steady, cpu = [], []
    for _ in range(args.runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = scoring.recompute(workspace, now=now)
        steady.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)  # SQLite runs in this process: its work counts
    print(
        f"steady recompute: median {statistics.median(steady):.2f} s wall,"
        f" {statistics.median(cpu):.2f} s CPU of {args.runs} {result}"
    )
    contact = Contact.unscoped.filter(workspace=workspace).order_by("-score").first()
    timings = []
    for _ in range(max(args.runs, 5)):
        started = time.perf_counter()
        found = scoring.score_contact(contact, now)
        timings.append((time.perf_counter() - started) * 1000)
    print(
        f"score_contact: median {statistics.median(timings):.1f} ms"
        f" (score {found.total}, {len(found.lines)} lines)"
    )


if __name__ == "__main__":
    main()
