"""Analytics jobs: the salt rotation and a fallback for the event processor.

``netmark serve`` runs ``netmark analytics process --follow`` beside the web server; the periodic
job below keeps events moving where only ``netmark worker`` processes run. Processing is idempotent
(event uids), so the two may overlap.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from netmark.analytics import identity, services


@db_periodic_task(crontab(minute="*"))
def process_events() -> int:
    return services.process_pending()


@db_periodic_task(crontab(minute="1", hour="0"))
def rotate_salts() -> int:
    """Daily at 00:01 UTC: make each period's new salt, delete those older than the previous one."""
    return identity.rotate_salts()
