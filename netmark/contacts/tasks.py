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


@db_task()
def recompute_scores(workspace_id: int) -> dict:
    """Lead scores of one workspace (after a rule or settings change)."""
    from netmark.contacts import scoring
    from netmark.core.models import Workspace

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    return scoring.recompute(workspace) if workspace is not None else {}


@db_periodic_task(crontab(minute="20", hour="3"))
def recompute_all_scores() -> int:
    """Daily: decay ages every score, and behaviour windows move on."""
    from netmark.contacts import scoring
    from netmark.contacts.models import ScoringRule
    from netmark.core.models import Workspace

    ids = ScoringRule.unscoped.filter(is_active=True).values_list("workspace_id", flat=True).distinct()
    for workspace in Workspace.objects.filter(pk__in=list(ids)):
        scoring.recompute(workspace)
    return len(ids)
