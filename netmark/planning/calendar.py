"""The plan calendar: occurrences in a date range, and each workspace's iCalendar feed.

Re-exported by ``netmark.planning.services``; import them from there.

The feed is public: its URL carries a token signed for the ``calendar-feed`` purpose holding the
workspace id and the workspace's ``feed_key``, so resetting the key (``reset_calendar_feed``)
revokes every URL handed out before. The feed lists each occurrence that ended at most
``FEED_PAST_DAYS`` ago or later (at most ``MAX_FEED_EVENTS``), as all-day events whose UID is
stable (plan id and occurrence sequence).
"""

import datetime
import secrets
from dataclasses import dataclass
from urllib.parse import urlparse

import icalendar
from django.conf import settings
from django.core.signing import TimestampSigner
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from netmark.core import audit, signing
from netmark.core.errors import NotFound, ValidationFailed
from netmark.core.models import Workspace
from netmark.core.roles import Capability, require
from netmark.core.scoping import scoped
from netmark.planning.models import Occurrence, Plan

FEED_PURPOSE = "calendar-feed"
MAX_CALENDAR_DAYS = 400
FEED_PAST_DAYS = 400
MAX_FEED_EVENTS = 5000


@dataclass(frozen=True)
class CalendarEntry:
    plan_id: int
    plan_name: str
    status: str
    starts_on: datetime.date
    ends_on: datetime.date
    sequence: int


def _occurrences(workspace):
    return scoped(Occurrence, workspace).select_related("plan").order_by("starts_on", "plan_id", "sequence")


def calendar_entries(workspace, start: datetime.date, end: datetime.date) -> list[CalendarEntry]:
    """One entry per occurrence overlapping the days [start, end] (both included)."""
    if end < start:
        raise ValidationFailed(fields={"end": _("The end is before the start.")})
    if (end - start).days > MAX_CALENDAR_DAYS:
        raise ValidationFailed(fields={"end": _("Ask for at most %d days at once.") % MAX_CALENDAR_DAYS})
    occurrences = _occurrences(workspace).filter(starts_on__lte=end, ends_on__gte=start)
    return [
        CalendarEntry(
            plan_id=occurrence.plan_id,
            plan_name=occurrence.plan.name,
            status=occurrence.plan.status,
            starts_on=occurrence.starts_on,
            ends_on=occurrence.ends_on,
            sequence=occurrence.sequence,
        )
        for occurrence in occurrences
    ]


def _feed_key(workspace: Workspace) -> str:
    if not workspace.feed_key:
        workspace.feed_key = secrets.token_urlsafe(16)
        Workspace.objects.filter(pk=workspace.pk, feed_key="").update(feed_key=workspace.feed_key)
        workspace.refresh_from_db(fields=["feed_key"])
    return workspace.feed_key


class _StableSigner(TimestampSigner):
    """``core.signing.sign`` with a fixed timestamp: a workspace's feed URL stays the same on every
    page and API call (calendar apps subscribe to it once). Feed tokens never expire; resetting the
    feed key revokes them. ``core.signing.unsign`` verifies these tokens like any other."""

    def timestamp(self) -> str:
        return "0"


def calendar_feed_url(workspace: Workspace) -> str:
    """The absolute URL of the workspace's iCalendar feed (anyone holding it can read the plans)."""
    signer = _StableSigner(salt=f"netmark.{FEED_PURPOSE}")
    token = signer.sign_object([workspace.pk, _feed_key(workspace)], compress=True)
    return settings.PUBLIC_URL + reverse("calendar-feed", args=[token])


@transaction.atomic
def reset_calendar_feed(member) -> str:
    """Revokes every feed URL of the member's workspace; returns the new one. Owners only."""
    require(member, Capability.ADMINISTER)
    workspace = member.workspace
    workspace.feed_key = secrets.token_urlsafe(16)
    workspace.save(update_fields=["feed_key"])
    audit.record(member, "calendar_feed.reset", workspace)
    return calendar_feed_url(workspace)


def workspace_for_feed(token: str) -> Workspace:
    """The workspace a feed token names; ``NotFound`` for forged, revoked or other-purpose tokens."""
    value = signing.unsign(FEED_PURPOSE, token)
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
        raise NotFound()
    workspace = Workspace.objects.filter(pk=value[0]).first()
    if (
        workspace is None
        or not workspace.feed_key
        or not constant_time_compare(workspace.feed_key, str(value[1]))
    ):
        raise NotFound()
    return workspace


def ical_feed(workspace: Workspace) -> bytes:
    """The workspace's plans as an iCalendar document, texts in the workspace's language."""
    feed = icalendar.Calendar()
    feed.add("prodid", "-//netmark//promotion plans//EN")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", workspace.name)
    feed.add("x-wr-timezone", workspace.time_zone)
    host = urlparse(settings.PUBLIC_URL).hostname
    since = timezone.localdate() - datetime.timedelta(days=FEED_PAST_DAYS)
    occurrences = _occurrences(workspace).filter(ends_on__gte=since)[:MAX_FEED_EVENTS]
    with translation.override(workspace.language):
        for occurrence in occurrences:
            feed.add_component(_event(occurrence, host))
    return feed.to_ical()


def _event(occurrence: Occurrence, host: str) -> icalendar.Event:
    plan = occurrence.plan
    event = icalendar.Event()
    event.add("uid", f"plan-{plan.pk}-{occurrence.sequence}@{host}")
    event.add("dtstamp", plan.updated_at)
    event.add("dtstart", occurrence.starts_on)
    event.add("dtend", occurrence.ends_on + datetime.timedelta(days=1))  # DTEND of a day is exclusive
    event.add("summary", plan.name)
    status = Plan.Status(plan.status).label
    event.add("description", _("Status: %(status)s") % {"status": status} + "\n\n" + plan.objective)
    event.add("status", "TENTATIVE" if plan.status == Plan.Status.DRAFT else "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    return event
