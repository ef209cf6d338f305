"""Planning jobs: the periodic move of plan statuses by their dates.

Occurrences need no job: a series is bounded by its plan's end date, so services materialise all
of it whenever a plan's schedule changes.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from netmark.planning import services


@db_periodic_task(crontab(minute="*/15"))
def advance_plan_statuses() -> int:
    """Every 15 minutes: planned -> running -> evaluating by date (idempotent, safe to overlap)."""
    return services.advance_statuses()
