"""Segment live-count benchmark (issue 5: a live segment count over 1 million contacts <= 1 s on
SQLite).

Fills one workspace with ``--contacts`` contacts by bulk SQL (stages, cities, tags, custom values,
consent statements), plus pageviews of identified contacts in the event store; then times
``segments.count_filter`` (the count and the sample the builder shows) for typical trees: stage +
tag, custom field + consent, an OR of three, and one behaviour condition.

    python bench/segments_bench.py [--contacts 1000000] [--runs 5] [--data DIR]
"""

import argparse
import json
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

STAGES = ["subscriber", "lead", "lead", "qualified", "customer", "lost"]
CITIES = ["昆明", "上海", "北京", "深圳", "大理", "成都", "杭州", "广州"]
TIERS = ["普卡", "银卡", "金卡"]
TREES = {
    "stage + tag": {
        "op": "and",
        "rules": [
            {"field": "stage", "op": "eq", "value": "qualified"},
            {"field": "tag", "op": "has", "value": "vip"},
        ],
    },
    "custom field + consent": {
        "op": "and",
        "rules": [
            {"field": "custom.budget", "op": "gt", "value": 5000},
            {"field": "consent", "op": "granted", "purpose": "email_marketing"},
        ],
    },
    "OR of three": {
        "op": "or",
        "rules": [
            {"field": "city", "op": "eq", "value": "大理"},
            {"field": "tag", "op": "has", "value": "展会"},
            {"field": "custom.tier", "op": "eq", "value": "金卡"},
        ],
    },
    "behaviour (visited /pricing* >= 2 in 14 days) + stage": {
        "op": "and",
        "rules": [
            {"field": "visited_page", "op": "at_least", "value": 2, "path": "/pricing*", "days": 14},
            {"field": "stage", "op": "in", "value": ["lead", "qualified"]},
        ],
    },
}


def fill_contacts(workspace, count: int, rng: random.Random) -> tuple[int, int]:
    """Contacts, tag links and consents by executemany (the ORM would take minutes for 1 M)."""
    from django.db import connection, transaction

    from netmark.contacts import fields
    from netmark.contacts.models import Tag

    for key, kind, choices in (("budget", "number", None), ("tier", "choice", TIERS)):
        fields.CustomField.unscoped.create(
            workspace=workspace, key=key, label=key, kind=kind, choices=choices or []
        )
    tags = {
        name: Tag.unscoped.create(workspace=workspace, name=name).pk for name in ("vip", "展会", "老客户")
    }
    now = datetime.now(UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM contacts_contact")
        first = cursor.fetchone()[0] + 1
        rows, links, consents = [], [], []
        for index in range(count):
            created = (now - timedelta(minutes=rng.randint(0, 60 * 24 * 365))).isoformat()
            custom = {"budget": rng.randint(0, 10_000)}
            if rng.random() < 0.5:
                custom["tier"] = rng.choice(TIERS)
            rows.append(
                (workspace.pk, created, created, f"联系人 {index}", f"c{index}@bench.example", "", "", "", "",
                 rng.choice(CITIES), "", "", rng.choice(STAGES), json.dumps(custom), False, "", None)
            )  # fmt: skip
            pk = first + index
            for name, share in (("vip", 0.2), ("展会", 0.1), ("老客户", 0.3)):
                if rng.random() < share:
                    links.append((pk, tags[name]))
            if rng.random() < 0.4:
                consents.append((workspace.pk, created, created, pk, "granted", created))
                if rng.random() < 0.25:  # a later withdrawal
                    withdrawn = (now - timedelta(minutes=1)).isoformat()
                    consents.append((workspace.pk, created, created, pk, "withdrawn", withdrawn))
        cursor.executemany(
            "INSERT INTO contacts_contact (workspace_id, created_at, updated_at, name, email, phone,"
            " wechat_id, title, language, city, source, search_text, stage, custom, do_not_contact,"
            " company_id, last_activity_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, NULL, %s)",
            [row[:15] + row[16:] for row in rows],
        )
        cursor.executemany("INSERT INTO contacts_contact_tags (contact_id, tag_id) VALUES (%s, %s)", links)
        cursor.executemany(
            "INSERT INTO contacts_consent (workspace_id, created_at, updated_at, contact_id, purpose,"
            " status, lawful_basis, recorded_at, source, form_id, ip_hash, text)"
            " VALUES (%s, %s, %s, %s, 'email_marketing', %s, 'consent', %s, '', '', '', '')",
            consents,
        )
        cursor.execute(  # what consent.record_consent keeps: the latest statement per purpose
            "INSERT INTO contacts_consentstate (workspace_id, created_at, updated_at, contact_id, purpose,"
            " status, recorded_at) SELECT workspace_id, created_at, updated_at, contact_id, purpose, status,"
            " recorded_at FROM contacts_consent c WHERE workspace_id = %s AND NOT EXISTS (SELECT 1 FROM"
            " contacts_consent n WHERE n.contact_id = c.contact_id AND n.purpose = c.purpose"
            " AND n.recorded_at > c.recorded_at)",
            [workspace.pk],
        )
    return first, len(consents)


def fill_events(workspace, first: int, count: int, visitors: int, rng: random.Random) -> int:
    from netmark.analytics.models import Site
    from netmark.analytics.stores import get_store
    from netmark.analytics.stores.base import Event

    site = Site.unscoped.create(workspace=workspace, name="bench", domain="bench.example")
    now_ms = int(time.time() * 1000)
    events = []
    for uid in range(1, visitors * 3 + 1):
        contact = first + rng.randrange(count)
        path = rng.choice(["/pricing", "/pricing/team", "/", "/blog/普洱"])
        ts = now_ms - rng.randint(0, 30 * 86_400_000)
        events.append(
            Event(
                uid, workspace.pk, site.pk, ts, "pageview", "pageview", contact, contact_id=contact, path=path
            )
        )
    store = get_store()
    store.append(events)
    store.process_all(5000)
    return len(events)


def setup(data_dir: str):
    """Django on ``data_dir``; the bench workspace and whether it still has to be filled."""
    os.environ.update(NETMARK_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="netmark.settings")
    for name in ("NETMARK_EVENTS_URL", "NETMARK_REDIS_URL", "NETMARK_DATABASE_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command

    from netmark.core import services
    from netmark.core.models import Workspace

    call_command("migrate", interactive=False, verbosity=0)
    existing = Workspace.objects.filter(slug="segments-bench").first()
    if existing is not None:
        return existing, False
    return services.create_workspace(None, "基准 segments bench", slug="segments-bench"), True


def timed(function, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per run. CPU time is this process's (SQLite runs in it): on a
    machine shared with other work it shows the cost that wall time hides under the load."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--visitors", type=int, default=20_000, help="identified visitors with pageviews")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data", default="", metavar="DIR", help="keep (and reuse) the filled data here")
    args = parser.parse_args()
    workspace, filled_now = setup(args.data or tempfile.mkdtemp(prefix="netmark-segments-bench-"))
    from django.db import connection

    from netmark.contacts import segments
    from netmark.contacts.models import Consent, Contact

    if filled_now:
        rng = random.Random(5)
        started = time.perf_counter()
        first, _consents = fill_contacts(workspace, args.contacts, rng)
        print(f"filled {args.contacts} contacts in {time.perf_counter() - started:.0f} s")
        fill_events(workspace, first, args.contacts, args.visitors, rng)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    contacts = Contact.unscoped.filter(workspace=workspace).count()
    consents = Consent.unscoped.filter(workspace=workspace).count()
    print(
        f"{contacts} contacts, {consents} consent statements; database {connection.vendor};"
        f" median of {args.runs} runs after one warm-up"
    )
    for label, tree in TREES.items():
        answer = segments.count_filter(workspace, tree)
        wall, cpu = timed(lambda tree=tree: segments.count_filter(workspace, tree), args.runs)
        print(f"  {label:55s} count {answer['count']:>8,d}  wall median {statistics.median(wall):7.1f} ms"
              f"  (max {max(wall):7.1f})  CPU median {statistics.median(cpu):7.1f} ms")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
