"""Shared pieces of the feedback tests: a sent message, the analytics inbox, a contact."""

import json
from datetime import timedelta

from django.utils import timezone

from netmark.analytics.stores import get_store
from netmark.contacts.models import Contact
from netmark.mailing import events, verp

SAMPLES = "/work/shared/samples/email"


def sample(name: str) -> bytes:
    with open(f"{SAMPLES}/{name}", "rb") as handle:
        return handle.read()


def contact(workspace, email: str = "zhangwei@qq.example", name: str = "张伟") -> Contact:
    return Contact.unscoped.create(workspace=workspace, email=email, name=name)


def sent_message(workspace, recipient: str, *, campaign_id=7, variant="A", contact_id=None, seconds_ago=3600):
    """A message the campaign sender handed to the relay ``seconds_ago``: (message key, tag)."""
    key = f"{campaign_id}:{recipient}"
    tag = verp.message_tag(workspace.pk, key)
    events.record_sent(
        workspace.pk,
        campaign_id=campaign_id,
        variant=variant,
        contact_id=contact_id,
        recipient=recipient,
        message_tag=tag,
        at=timezone.now() - timedelta(seconds=seconds_ago),
    )
    return key, tag


def store_events(workspace_id: int) -> list[dict]:
    """The email events waiting in the analytics inbox for this workspace."""
    rows = get_store()._fetch("inbox", "SELECT body FROM nm_inbox ORDER BY id")
    found = [json.loads(row[0]) for row in rows]
    return [
        event
        for event in found
        if event["workspace_id"] == workspace_id and event["name"].startswith("email_")
    ]
