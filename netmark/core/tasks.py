"""Jobs of core: webhook deliveries, and the periodic retry that also recovers lost ones."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from netmark.core import webhooks


@db_task()
def deliver_webhook(delivery_id: str, lease: str | None = None) -> None:
    webhooks.deliver(delivery_id, lease)


@db_periodic_task(crontab(minute="*"))
def retry_webhook_deliveries() -> None:
    webhooks.retry_due_deliveries()
