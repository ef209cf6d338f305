"""Import jobs: a CSV import runs as a Huey job whose state lives in its ``ImportJob`` row.

``start_import`` validates the file and mapping up front (a file that cannot be read is a 422 at
once), stores it in the row and enqueues ``run_import`` on commit. The task works only from the
row, updates progress after each chunk (``heartbeat_at``), and is safe to run again: a job whose
heartbeat went stale (the worker died) is re-enqueued by ``recover_stale_imports`` and starts over,
which the import's idempotence makes harmless (rows already in count as unchanged).
"""

import hashlib
import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netmark.contacts import fields as custom_fields
from netmark.contacts import importing
from netmark.contacts.models import ImportJob
from netmark.core import audit, csvio
from netmark.core.errors import NetmarkError, TooLarge
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped

log = logging.getLogger("netmark.contacts")
STALE_AFTER = timedelta(minutes=5)


def list_imports(workspace):
    return scoped(ImportJob, workspace).defer("data")


def get_import(workspace, job_id) -> ImportJob:
    return get_for(ImportJob, workspace, job_id, queryset=list_imports(workspace))


def preview_import(member, data: bytes, *, mapping: dict | None = None, overwrite: bool = False) -> dict:
    require(member, Capability.EXECUTE)
    _check_size(data)
    return importing.preview(member.workspace, data, mapping=mapping, overwrite=overwrite)


def _check_size(data: bytes) -> None:
    if len(data) > csvio.MAX_BYTES:
        raise TooLarge(
            _("The file is larger than %(limit)d MB.") % {"limit": csvio.MAX_BYTES // (1024 * 1024)}
        )


@transaction.atomic
def start_import(
    member,
    data: bytes,
    *,
    filename: str = "",
    mapping: dict | None = None,
    overwrite: bool = False,
    enqueue: bool = True,
) -> ImportJob:
    """A queued import job, after checking that the file and the mapping can be read.

    ``enqueue=False`` leaves it to the caller to run ``run_import_job`` (the CLI runs it in-process).
    """
    require(member, Capability.EXECUTE)
    _check_size(data)
    table = csvio.read_table(data)
    definitions = {d.key: d for d in custom_fields.list_fields(member.workspace)}
    used = importing.clean_mapping(table.headers, mapping, definitions)
    job = ImportJob.unscoped.create(
        workspace=member.workspace,
        member=member if member.pk else None,  # the CLI's operator is no saved member
        filename=str(filename)[:200],
        data=data,
        digest=hashlib.sha256(data).hexdigest(),
        mapping=used,
        overwrite=bool(overwrite),
        total_rows=len(table.rows),
    )
    audit.record(member, "contactimport.started", job, {"rows": job.total_rows, "filename": job.filename})
    if enqueue:
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from netmark.contacts.tasks import run_import

    run_import(job_id)


def run_import_job(job_id: int, on_progress=None) -> None:
    """Runs (or runs again) the import of ``job_id``; a finished job is left alone."""
    job = ImportJob.unscoped.filter(pk=job_id).select_related("workspace").first()
    if job is None or job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return
    now = timezone.now()
    ImportJob.unscoped.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, heartbeat_at=now, processed_rows=0
    )

    def progress(outcome: importing.Outcome) -> None:
        ImportJob.unscoped.filter(pk=job.pk).update(
            processed_rows=outcome.processed, heartbeat_at=timezone.now()
        )
        if on_progress is not None:
            on_progress(outcome.processed, outcome.total)

    try:
        outcome = importing.run(
            job.workspace,
            bytes(job.data),
            mapping=job.mapping,
            source="import",
            digest=job.digest,
            overwrite=job.overwrite,
            progress=progress,
        )
    except NetmarkError as exc:
        _finish(
            job,
            ImportJob.Status.FAILED,
            message=exc.message,
            errors=[{"row": 0, "column": key, "message": value} for key, value in exc.fields.items()],
        )
        return
    except Exception:
        log.exception("contact import %s failed", job.pk)
        _finish(job, ImportJob.Status.FAILED, message=_("The import stopped on an internal error."))
        raise
    _finish(job, ImportJob.Status.DONE, outcome=outcome)


def _finish(job, status, *, outcome=None, message: str = "", errors=None) -> None:
    # The file holds personal data: it is dropped once the job has finished (erasure leaves no copy).
    values = {
        "data": b"",
        "status": status,
        "finished_at": timezone.now(),
        "message": message[:500],
        "heartbeat_at": timezone.now(),
    }
    if outcome is not None:
        values.update(
            processed_rows=outcome.total,
            created_count=outcome.created,
            updated_count=outcome.updated,
            unchanged_count=outcome.unchanged,
            error_count=outcome.error_count,
            errors=outcome.errors,
        )
    elif errors is not None:
        values.update(errors=errors, error_count=len(errors))
    ImportJob.unscoped.filter(pk=job.pk).update(**values)


def recover_stale_imports() -> list[int]:
    """Re-enqueues jobs that are queued or running with a heartbeat older than ``STALE_AFTER``."""
    cutoff = timezone.now() - STALE_AFTER
    stale = ImportJob.unscoped.filter(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
    stale = stale.exclude(heartbeat_at__gte=cutoff).filter(created_at__lt=cutoff)
    ids = list(stale.values_list("pk", flat=True))
    for job_id in ids:
        ImportJob.unscoped.filter(pk=job_id).update(heartbeat_at=timezone.now())
        _enqueue(job_id)
    return ids
