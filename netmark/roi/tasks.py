"""roi jobs: the evaluation records of promotions (and occurrences) that ended."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from netmark.roi import services


@db_periodic_task(crontab(minute="7"))
def create_due_evaluations() -> int:
    """Hourly: one evaluation per ended occurrence, for the plan's owner (idempotent)."""
    return services.create_due_evaluations()
