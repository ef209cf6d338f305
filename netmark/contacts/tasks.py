"""Contacts jobs: CSV imports, and the periodic recovery of imports whose worker died."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from netmark.contacts import imports


@db_task()
def run_import(job_id: int) -> None:
    imports.run_import_job(job_id)


@db_periodic_task(crontab(minute="*/5"))
def recover_stale_imports() -> int:
    return len(imports.recover_stale_imports())
