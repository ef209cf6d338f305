"""Drip sequence step throughput: how many enrollment steps one worker runs per second.

Creates ``--contacts`` contacts enrolled in a sequence of three non-email steps (tag, stage change,
timeline note), then times ``drips.tick`` passes until every enrollment is done (claim, run each
step in its own transaction with the conditional advance, release). Email steps are bounded by
SMTP and measured by mail_send_bench.py.

    python bench/drips_bench.py [--contacts 2000] [--runs 3]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(data_dir: str):
    os.environ.update(NETMARK_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="netmark.settings")
    for name in ("NETMARK_EVENTS_URL", "NETMARK_REDIS_URL", "NETMARK_DATABASE_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def run_once(count: int, index: int) -> float:
    from django.utils import timezone

    from netmark.contacts.models import Contact
    from netmark.core import services
    from netmark.mailing import drip_triggers, drips
    from netmark.mailing.drip_models import Sequence, SequenceStep

    workspace = services.create_workspace(None, f"基准 drips {index}", slug=f"drips-bench-{index}")
    sequence = Sequence.unscoped.create(
        workspace=workspace, name="基准", trigger="tag", trigger_value="x", status="active"
    )
    for position, (kind, config) in enumerate(
        [("tag", {"tag": "已培育"}), ("stage", {"stage": "qualified"}), ("notify", {"text": "完成"})]
    ):
        SequenceStep.unscoped.create(
            workspace=workspace, sequence=sequence, position=position, kind=kind, config=config
        )
    contacts = Contact.unscoped.bulk_create(
        [
            Contact(workspace=workspace, email=f"b{index}-{i}@example.com", name=f"读者{i}")
            for i in range(count)
        ]
    )
    for contact in contacts:
        drip_triggers.enroll(sequence, contact)
    started = time.perf_counter()
    now = timezone.now()
    while sequence.enrollments.filter(state="active").exists():
        drips.tick(now, limit=200)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        setup(data_dir)
        seconds = [run_once(args.contacts, i) for i in range(args.runs)]
    steps = args.contacts * 3
    median = statistics.median(seconds)
    print(f"{args.contacts} enrollments x 3 steps: median {median:.2f} s ({steps / median:.0f} steps/s)")
    print("runs:", ", ".join(f"{s:.2f}" for s in seconds))


if __name__ == "__main__":
    main()
