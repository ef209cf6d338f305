"""The goal event a submission fires into the ``EventStore``: kind ``event``, name ``form_submitted``.

Appended after the records commit (``transaction.on_commit``): the event store is another database,
and an event must never claim a submission that rolled back. The uid derives from the submission,
so a retried append stores the event once.
"""

import logging
import time

from netmark.analytics import identity, ingest
from netmark.analytics.stores.base import CUSTOM, Event

log = logging.getLogger("netmark.capture")

GOAL_NAME = "form_submitted"


def goal_event(
    *,
    workspace_id: int,
    site,
    submission_id: int,
    form_public_id: str,
    contact_id: int,
    visitor: int,
    page_url: str = "",
) -> Event:
    if not visitor:
        visitor = identity.contact_visitor(workspace_id, str(contact_id))
    return Event(
        uid=identity.uid_for(workspace_id, f"form-submission|{submission_id}"),
        workspace_id=workspace_id,
        site_id=site.pk if site is not None else 0,
        ts=int(time.time() * 1000),
        kind=CUSTOM,
        name=GOAL_NAME,
        visitor=visitor,
        contact_id=contact_id,
        path=_path(page_url),
        props={"form_id": form_public_id},
        tz=site.timezone if site is not None else "UTC",
    )


def _path(page_url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return urlsplit(page_url).path[:500] if page_url else ""
    except ValueError:
        return ""


def append(event: Event) -> bool:
    """Stores the event (or spools it when the store is down); False when neither could take it."""
    answer = ingest.store_events([event])
    if answer.status >= 300:
        log.error("goal event of a form submission could not be stored (status %s)", answer.status)
        return False
    return True
