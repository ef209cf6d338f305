"""Mailing jobs: confirmation emails, campaign sending, and the periodic step that starts scheduled
campaigns, releases A/B winners and recovers sending whose worker died (ARCHITECTURE.md, "Jobs that
cannot be lost": the state lives in ``Recipient`` rows, every task is idempotent)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup

from netmark.mailing import campaigns, delivery, drip_notify, drip_triggers, drips, lists, polling
from netmark.mailing.campaign_models import Campaign

WORK_SECONDS = 300  # one job sends for at most this long, then hands over to a fresh one


@db_task()
def send_confirmation(subscription_id: int) -> str:
    return lists.send_confirmation(subscription_id)


@db_task()
def notify_owner(enrollment_id: int, step_id: int) -> str:
    """A drip "notify owner" step's email; comes back after ``smtp.backoff`` while it cannot go yet."""
    result = drip_notify.send_notice(enrollment_id, step_id)
    if result == "retry":
        delay = drip_notify.retry_delay(enrollment_id, step_id).total_seconds()
        notify_owner.schedule(args=(enrollment_id, step_id), delay=delay)
    return result


@db_task()
def run_campaign(campaign_id: int) -> dict:
    """Sends until nothing is due; then finishes the campaign, or comes back when a retry is due
    or another worker's lease runs out (that worker may have died: its rows get recovered)."""
    done = delivery.work(campaign_id, max_seconds=WORK_SECONDS)
    wake = delivery.next_wake(campaign_id)
    if wake is None:
        campaigns.finish_if_complete(campaign_id)
    elif Campaign.unscoped.filter(pk=campaign_id, status=Campaign.Status.SENDING).exists():
        run_campaign.schedule(args=(campaign_id,), delay=max(1.0, wake))
    return done


@db_periodic_task(crontab(minute="*"))
def advance_campaigns() -> dict:
    return campaigns.advance()


@on_startup("mailing.resume_campaigns")
def resume_campaigns() -> None:
    """A restarted consumer picks up every campaign that was sending (the job in flight at a
    crash is lost with the process; the rows are not). Huey calls this once per worker thread,
    so each thread queues one job per campaign: as many connections as threads."""
    from django.db import close_old_connections  # noqa: PLC0415

    for pk in Campaign.unscoped.filter(status=Campaign.Status.SENDING).values_list("pk", flat=True):
        run_campaign(pk)
    close_old_connections()


@db_periodic_task(crontab(minute="*"))
def advance_sequences() -> dict:
    """Every minute: runs due enrollments (idempotent: a step's completion commits with its
    effect, see ``drips``)."""
    return drips.tick()


@db_periodic_task(crontab(minute="5"))
def scan_date_sequences() -> int:
    """Hourly: enrols contacts whose date field fires today (a rescan the same day is a no-op)."""
    return drip_triggers.scan_dates()


@db_periodic_task(crontab(minute="*"))
def poll_bounce_mailboxes() -> list:
    """Every minute: polls each active bounce mailbox whose own interval (``poll_minutes``) has
    passed (nothing to configure; idempotent, see ``polling``)."""
    return polling.poll_due()
