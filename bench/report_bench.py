"""Report benchmark: seconds to build a report's HTML (all sections, demo data) and to render its PDF.

Sets up a throw-away data folder with the demo workspace (60 days of synthetic traffic, plans,
links) plus ``--plans`` extra promotion plans with KPI targets and lessons, so the report runs to
several pages. Builds the HTML ``--runs`` times and the PDF ``--runs`` times and prints the median
and the fastest run, the pages and pages per second, as a Markdown table for BENCHMARKS.md.

    python bench/report_bench.py [--plans 40] [--runs 5] [--language zh-hans]

The event store is processed and sealed first (its steady state under ``netmark serve``).
Everything stays on this machine: SQLite in a temporary folder, no network.
"""

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(data_dir: str) -> None:
    os.environ["NETMARK_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netmark.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_report(extra_plans: int, language: str):
    import datetime

    from django.utils import timezone

    from netmark.core.models import Member
    from netmark.core.roles import Role
    from netmark.core.scoping import scoped
    from netmark.demo import create_demo
    from netmark.planning import services as planning
    from netmark.reports import services
    from netmark.reports.sections import ReportPeriod, section_keys

    workspace, _passwords = create_demo()
    member = scoped(Member, workspace).filter(role=Role.OWNER).exclude(user=None).first()
    today = timezone.localdate()
    for index in range(extra_plans):
        plan = planning.create_plan(
            member,
            name=f"基准推广 {index} bench",
            objective="压测 benchmark",
            status="running",
            starts_on=today - datetime.timedelta(days=25),
            ends_on=today - datetime.timedelta(days=2),
            targets=[{"kpi": "visits", "target": "100"}, {"kpi": "unique_visitors", "target": "80"}],
        )
        planning.record_lessons(member, plan.pk, "小红书笔记带来最多的访问；下次提前两周预热。" * 3)
    from netmark.analytics.stores import get_store

    store = get_store()
    store.process_all()
    sealed = store.seal()  # the steady state: the processor seals after each round
    print(f"events sealed into the columnar read side: {sealed}")
    report = services.create_report(
        member, name="基准月报 Bench report", sections=section_keys(), language=language
    )
    period = ReportPeriod(today - datetime.timedelta(days=29), today - datetime.timedelta(days=1))
    return report, period


def timed(function, runs: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return times, result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--plans", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--language", default="zh-hans", choices=["en", "zh-hans"])
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="netmark-report-bench-")
    try:
        setup(folder)
        from netmark.reports import pdf, rendering

        report, period = make_report(args.plans, args.language)
        pdf.render_pdf("<p>warm-up 预热</p>")  # loads pango and the fonts once, as a worker would
        html_times, document = timed(lambda: rendering.build_document(report, period), args.runs)
        source = rendering.pdf_source(report, document)
        pdf_times, rendered = timed(lambda: pdf.render_pdf(source), args.runs)
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        print(
            f"report: {len(report.sections)} sections, {args.plans} extra plans, "
            f"{len(source):,} bytes of HTML"
        )
        print()
        print("| step | median s | fastest s | pages | pages/s (median) |")
        print("|---|---|---|---|---|")
        print(f"| build HTML | {statistics.median(html_times):.3f} | {min(html_times):.3f} | | |")
        median = statistics.median(pdf_times)
        print(
            f"| render PDF | {median:.3f} | {min(pdf_times):.3f} | {rendered.pages} "
            f"| {rendered.pages / median:.1f} |"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
