"""Report jobs: the periodic scheduler (due periods and stale runs) and one run's rendering."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from netmark.reports import services


@db_task()
def run_report_task(run_id: int) -> str:
    return services.execute_run(run_id)


@db_periodic_task(crontab(minute="*/5"))
def schedule_reports() -> dict:
    """Every 5 minutes: create the runs that fell due, re-enqueue the stale ones (idempotent)."""
    return {"created": services.schedule_due_reports(), "stale": services.stale_runs()}
