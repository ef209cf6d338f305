"""Report runs: one row per report x period holds the state of the work (ARCHITECTURE.md, "Jobs
that cannot be lost").

The periodic ``schedule_due_reports`` creates the run of each due period once (the unique
constraint makes a second pass, or a second worker, a no-op) and enqueues it after commit.
``execute_run`` first claims the row with a conditional UPDATE (pending, or running with a stale
heartbeat), so two workers never render one run at once; a worker killed mid-run leaves a stale
heartbeat, and ``stale_runs`` re-enqueues it. The email goes out once ``emailed_at`` is unset;
a crash between the SMTP answer and saving ``emailed_at`` can send it twice (at most once more).
"""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from netmark.core.errors import NotFound
from netmark.core.models import Workspace
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped
from netmark.reports import delivery, pdf, rendering, schedule
from netmark.reports.models import Report, ReportRun
from netmark.reports.sections import ReportPeriod

log = logging.getLogger("netmark.reports")
STALE_AFTER = timedelta(minutes=15)
MAX_ATTEMPTS = 3


def list_runs(workspace, report=None):
    runs = scoped(ReportRun, workspace).select_related("report").defer("html", "pdf")
    return runs.filter(report=report) if report is not None else runs


def get_run(workspace, run_id, report=None) -> ReportRun:
    run = get_for(
        ReportRun, workspace, run_id, queryset=scoped(ReportRun, workspace).select_related("report")
    )
    if report is not None and run.report_id != report.pk:
        raise NotFound()
    return run


def ready_run(run: ReportRun) -> ReportRun:
    """``run`` when it has its HTML and PDF; ``NotFound`` before (pending, running, failed)."""
    if run.status != ReportRun.Status.DONE:
        raise NotFound(_("This report has not been rendered yet."))
    return run


def _enqueue(run_id: int) -> None:
    from netmark.reports.tasks import run_report_task

    run_report_task(run_id)


def _create_run(report: Report, period: ReportPeriod, *, deliver: bool) -> tuple[ReportRun, bool]:
    try:
        with transaction.atomic():
            run = ReportRun.unscoped.create(
                workspace_id=report.workspace_id,
                report=report,
                period_start=period.start,
                period_end=period.end,
                deliver=deliver,
            )
            return run, True
    except IntegrityError:
        run = ReportRun.unscoped.get(report=report, period_start=period.start, period_end=period.end)
        return run, False


def request_run(member, report_id, *, send: bool = False, inline: bool = False) -> ReportRun:
    """ "Run now": the last complete period, rendered again if it exists; emailed only when ``send``.

    As a job after commit, or here and now with ``inline`` (the CLI)."""
    require(member, Capability.EVALUATE)
    report = get_for(Report, member.workspace, report_id)
    period = schedule.current_period(report, timezone.now())
    run, created = _create_run(report, period, deliver=send)
    if not created:
        ReportRun.unscoped.filter(pk=run.pk).exclude(status=ReportRun.Status.RUNNING).update(
            status=ReportRun.Status.PENDING, attempts=0, error="", deliver=send, emailed_at=None
        )
    if inline:
        execute_run(run.pk)
    else:
        transaction.on_commit(lambda: _enqueue(run.pk))
    run.refresh_from_db()
    return run


def schedule_due_reports(now: datetime | None = None) -> list[int]:
    """Creates the run of every active report whose period is due; returns the new runs' ids.

    A period due before the report existed is not sent (the first report comes at the next due
    time; "run now" covers the past).
    """
    now = now or timezone.now()
    created_ids = []
    for workspace in Workspace.objects.order_by("pk"):
        reports = scoped(Report, workspace).filter(is_active=True).select_related("plan", "workspace")
        for report in reports:
            period = schedule.latest_due(report, now)
            if period is None or _due_before_creation(report, period):
                continue
            run, created = _create_run(report, period, deliver=True)
            if created:
                created_ids.append(run.pk)
                transaction.on_commit(lambda run_id=run.pk: _enqueue(run_id))
    return created_ids


def _due_before_creation(report: Report, period: ReportPeriod) -> bool:
    if report.kind == Report.Kind.PROMOTION:
        day = report.plan.ends_on + schedule.ONE_DAY
    elif report.kind == Report.Kind.WEEKLY:
        day = period.end + timedelta(days=1 + report.weekday)
    else:
        day = (period.end + schedule.ONE_DAY).replace(day=report.month_day)
    return schedule.due_instant(report, day) < report.created_at


def stale_runs(now: datetime | None = None) -> list[int]:
    """Re-enqueues runs left pending or running without a heartbeat for ``STALE_AFTER``."""
    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    lost = Q(status=ReportRun.Status.PENDING, created_at__lt=cutoff) | Q(
        status=ReportRun.Status.RUNNING, heartbeat_at__lt=cutoff
    )
    ids = list(ReportRun.unscoped.filter(lost, attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True))
    for run_id in ids:
        transaction.on_commit(lambda run_id=run_id: _enqueue(run_id))
    return ids


def claim_run(run_id: int, now: datetime | None = None) -> bool:
    """Takes the run for this worker: True once for a pending or stale run, False otherwise."""
    now = now or timezone.now()
    free = Q(status=ReportRun.Status.PENDING) | Q(
        status=ReportRun.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    )
    claimed = ReportRun.unscoped.filter(free, pk=run_id, attempts__lt=MAX_ATTEMPTS).update(
        status=ReportRun.Status.RUNNING, heartbeat_at=now, attempts=F("attempts") + 1
    )
    return claimed == 1


def run_report(run: ReportRun) -> ReportRun:
    """Renders ``run`` (HTML and PDF) and stores both; no claim, no email (``execute_run`` does)."""
    report = Report.unscoped.select_related("workspace", "plan").get(pk=run.report_id)
    period = ReportPeriod(run.period_start, run.period_end, plan_id=report.plan_id)
    document = rendering.build_document(report, period)
    rendered = pdf.render_pdf(rendering.pdf_source(report, document))
    run.html, run.pdf, run.pages = document.body, rendered.data, rendered.pages
    run.status, run.finished_at, run.error = ReportRun.Status.DONE, timezone.now(), ""
    run.save(update_fields=["html", "pdf", "pages", "status", "finished_at", "error", "updated_at"])
    return run


def execute_run(run_id: int) -> str:
    """The job: claim, render, store, email. Returns the run's status afterwards ("skipped" when
    another worker holds it or it is finished)."""
    if not claim_run(run_id):
        return "skipped"
    run = ReportRun.unscoped.get(pk=run_id)
    try:
        run_report(run)
    except Exception as exc:  # noqa: BLE001 - any failure is stored on the run and logged
        log.exception("report run %s failed", run_id)
        run.status, run.error = ReportRun.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        run.save(update_fields=["status", "error", "updated_at"])
        return run.status
    if run.deliver and run.emailed_at is None and run.report.recipients:
        _deliver(run)
    return run.status


def _deliver(run: ReportRun) -> None:
    try:
        delivery.send_run(run)
    except Exception as exc:  # noqa: BLE001 - SMTP trouble is stored on the run, shown in the UI
        log.exception("report run %s not emailed", run.pk)
        run.email_error = f"{type(exc).__name__}: {exc}"[:2000]
        run.save(update_fields=["email_error", "updated_at"])
        return
    run.emailed_at, run.email_error = timezone.now(), ""
    run.save(update_fields=["emailed_at", "email_error", "updated_at"])


def status_text(run: ReportRun) -> str:
    if run.status == ReportRun.Status.DONE and run.email_error:
        return _("done, not emailed")
    return str(run.get_status_display())
