"""Campaigns: drafts, variants, starting (now or scheduled), pause, resume, cancel, progress, reports.

Starting takes a snapshot of the audience (``audience_contacts``) into one ``Recipient`` row per
address and renders the template for every one of them first (``validate_all``): a template that
fails for anyone refuses the start, nothing is sent. With variants and a test share, the share is
spread over the variants and the rest is ``held``; after the wait ``advance`` decides the winner
(``abtest.decide``) and releases the held rows with it. Sending itself is ``delivery``'s, in Huey
jobs (``tasks``); every state change here is a conditional UPDATE so it cannot race a worker.
"""

import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netmark.contacts import segments
from netmark.contacts.models import Contact
from netmark.core import audit, records
from netmark.core.errors import Conflict, ValidationFailed
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped
from netmark.mailing import abtest, composing, delivery
from netmark.mailing.campaign_models import Campaign, MailingList, Recipient, Subscription, Variant
from netmark.mailing.models import SmtpServer
from netmark.mailing.templating import RenderFailed, validate_all
from netmark.planning.models import Plan

Status, State = Campaign.Status, Recipient.State
FIELDS = {
    "name", "mailing_list_id", "segment_id", "plan_id", "server_id", "from_name", "from_email", "subject",
    "html", "text", "test_percent", "test_wait_minutes", "test_metric", "test_alpha", "fallback_variant",
}  # fmt: skip
MAX_VARIANTS = 5


def connections() -> int:
    return max(1, int(getattr(settings, "CAMPAIGN_CONNECTIONS", 2)))


def list_campaigns(workspace):
    return scoped(Campaign, workspace).select_related("mailing_list", "plan")


def get_campaign(workspace, campaign_id) -> Campaign:
    return get_for(Campaign, workspace, campaign_id)


def _clean(workspace, fields: dict) -> dict:
    unknown = sorted(set(fields) - FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: _("Unknown field.") for name in unknown})
    data = dict(fields)
    for name, model in (("mailing_list_id", MailingList), ("plan_id", Plan), ("server_id", SmtpServer)):
        if data.get(name) is not None:
            data[name] = get_for(model, workspace, data[name]).pk
    if data.get("segment_id") is not None:
        data["segment_id"] = segments.get_segment(workspace, data["segment_id"]).pk
    if "test_percent" in data and not 0 <= int(data["test_percent"] or 0) <= 50:
        raise ValidationFailed(fields={"test_percent": _("Between 0 and 50 per cent.")})
    if "test_alpha" in data and not 0.001 <= float(data["test_alpha"]) <= 0.2:
        raise ValidationFailed(fields={"test_alpha": _("Between 0.001 and 0.2, such as 0.05.")})
    if data.get("test_metric", "opens") not in Campaign.Metric.values:
        raise ValidationFailed(fields={"test_metric": _("Choose opens or clicks.")})
    return data


def _editable(member, campaign_id) -> Campaign:
    require(member, Capability.EXECUTE)
    campaign = get_for(Campaign, member.workspace, campaign_id, queryset=scoped(Campaign, member.workspace))
    if campaign.status != Status.DRAFT:
        raise Conflict(
            _("Only a draft can be changed; this campaign is %(status)s.") % {"status": campaign.status}
        )
    return campaign


@transaction.atomic
def create_campaign(member, **fields) -> Campaign:
    require(member, Capability.EXECUTE)
    campaign = Campaign(workspace=member.workspace)
    for name, value in _clean(member.workspace, fields).items():
        setattr(campaign, name, value)
    records.validate_and_save(campaign)
    audit.record(member, "campaign.created", campaign, {"name": campaign.name})
    return campaign


@transaction.atomic
def update_campaign(member, campaign_id, **fields) -> Campaign:
    campaign = _editable(member, campaign_id)
    data = _clean(member.workspace, fields)
    return records.update_record(
        member, Campaign, campaign.pk, data, capability=Capability.EXECUTE, instance=campaign
    )


def delete_campaign(member, campaign_id) -> None:
    _editable(member, campaign_id)
    records.delete_record(member, Campaign, campaign_id, capability=Capability.EXECUTE)


@transaction.atomic
def set_variants(member, campaign_id, variants: list[dict]) -> list[Variant]:
    """Replaces the draft's A/B variants: ``[{"key": "A", "subject": ..., "html": ""}, ...]``."""
    campaign = _editable(member, campaign_id)
    keys = [str(v.get("key", "")).strip() for v in variants]
    distinct = len({k.lower() for k in keys}) == len(keys)  # utm_content is lower-case
    if len(variants) > MAX_VARIANTS or not distinct or not all(k.isalnum() for k in keys):
        raise ValidationFailed(fields={"variants": _("Up to 5 variants with distinct keys such as A and B.")})
    campaign.variants.all().delete()
    made = [
        Variant.unscoped.create(
            workspace=campaign.workspace,
            campaign=campaign,
            key=key[:20],
            subject=str(v.get("subject") or campaign.subject)[:500],
            html=str(v.get("html") or ""),
        )  # fmt: skip
        for key, v in zip(keys, variants, strict=True)
    ]
    audit.record(member, "campaign.variants", campaign, {"variants": keys})
    return made


# The audience


def segment_name(campaign: Campaign) -> str:
    if not campaign.segment_id:
        return ""
    found = segments.list_segments(campaign.workspace).filter(pk=campaign.segment_id).first()
    return found.name if found else ""


def audience_contacts(campaign: Campaign):
    """The contacts a campaign goes to, with an address: the list's confirmed subscribers, the
    segment's contacts as they are when the campaign starts, or, with both, the subscribers in the
    segment. Consent and suppression are asked again right before each send (``delivery``)."""
    contacts = scoped(Contact, campaign.workspace).exclude(email="")
    if campaign.segment_id:
        segment = segments.get_segment(campaign.workspace, campaign.segment_id)
        contacts = contacts.filter(pk__in=segments.segment_contacts(segment).values("pk"))
    if campaign.mailing_list_id:
        confirmed = Subscription.unscoped.filter(
            workspace_id=campaign.workspace_id,
            mailing_list_id=campaign.mailing_list_id,
            status=Subscription.Status.CONFIRMED,
        ).values("contact_id")
        contacts = contacts.filter(pk__in=confirmed)
    return contacts.order_by("id")


def _templates(campaign: Campaign) -> dict[str, object]:
    keys = [v.key for v in campaign.variants.all()] or [""]
    try:
        return {key: delivery.template_for(campaign, key) for key in keys}
    except RenderFailed as exc:
        raise ValidationFailed(fields=exc.fields) from None


def check_templates(campaign: Campaign, contacts: list) -> None:
    """Renders every template for every recipient before anything is sent (``validate_all``)."""
    for key, template in _templates(campaign).items():
        context = composing.personalisation
        contexts = (
            (c.email, context(c, c.email, "https://x.invalid/u/", "https://x.invalid/p/")) for c in contacts
        )
        failures = validate_all(template, contexts, limit=10)
        if failures:
            first = failures[0]
            detail = "; ".join(f"{field}: {text}" for field, text in first.fields.items())
            message = _("The template fails for %(email)s%(variant)s: %(detail)s") % {
                "email": first.key, "variant": f" ({key})" if key else "", "detail": detail
            }  # fmt: skip
            raise ValidationFailed(message, fields={"template": message})


# Starting, pausing, resuming, cancelling


def _ready(campaign: Campaign) -> None:
    errors = {}
    if campaign.server_id is None:
        errors["server_id"] = _("Choose the SMTP server to send through.")
    if campaign.mailing_list_id is None and campaign.segment_id is None:
        errors["mailing_list_id"] = _("Choose a list or a segment.")
    if errors:
        raise ValidationFailed(fields=errors)


@transaction.atomic
def start_campaign(member, campaign_id, *, at=None) -> Campaign:
    """Sends now, or at ``at`` (scheduled). Refused while any recipient's message fails to render."""
    campaign = _editable(member, campaign_id)
    _ready(campaign)
    if at is not None and at > timezone.now():
        check_templates(campaign, list(audience_contacts(campaign)))
        campaign.status, campaign.scheduled_at = Status.SCHEDULED, at
        campaign.save(update_fields=["status", "scheduled_at", "updated_at"])
        audit.record(member, "campaign.scheduled", campaign, {"at": at.isoformat()})
        return campaign
    begin(campaign)
    audit.record(member, "campaign.started", campaign, {"recipients": campaign.recipients.count()})
    return campaign


def begin(campaign: Campaign) -> Campaign:
    """Snapshots the audience into rows (validated first) and queues the sending jobs."""
    contacts = list(audience_contacts(campaign))
    check_templates(campaign, contacts)
    variants = [v.key for v in campaign.variants.all()]
    random.Random(campaign.pk).shuffle(contacts)
    plan = abtest.split(len(contacts), campaign.test_percent if len(variants) > 1 else 0, variants)
    Recipient.unscoped.bulk_create(
        [
            Recipient(
                workspace_id=campaign.workspace_id,
                campaign=campaign,
                contact=c,
                email=c.email,
                variant=key,
                state=State.PENDING if key or not variants else State.HELD,
            )  # fmt: skip
            for c, key in zip(contacts, plan, strict=True)
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    campaign.status, campaign.started_at, campaign.problem = Status.SENDING, timezone.now(), ""
    campaign.save(update_fields=["status", "started_at", "problem", "updated_at"])
    queue_sending(campaign.pk)
    return campaign


def queue_sending(campaign_id: int) -> None:
    from netmark.mailing import tasks  # noqa: PLC0415 - tasks import this module

    def enqueue():
        for _n in range(connections()):
            tasks.run_campaign(campaign_id)

    transaction.on_commit(enqueue)


def _move(member, campaign_id, allowed: tuple, to: str, action: str) -> Campaign:
    require(member, Capability.EXECUTE)
    campaign = get_campaign(member.workspace, campaign_id)
    moved = Campaign.unscoped.filter(pk=campaign.pk, status__in=allowed).update(
        status=to, updated_at=timezone.now()
    )
    if not moved:
        raise Conflict(_("This campaign is %(status)s; it cannot be %(action)s.") % {
            "status": campaign.get_status_display(), "action": action})  # fmt: skip
    campaign.refresh_from_db()
    audit.record(member, f"campaign.{action}", campaign, {"status": to})
    return campaign


@transaction.atomic
def pause_campaign(member, campaign_id) -> Campaign:
    """Workers stop after the message in hand; nothing in flight is lost."""
    return _move(
        member, campaign_id, (Status.SENDING, Status.SCHEDULED, Status.WAITING), Status.PAUSED, "paused"
    )


@transaction.atomic
def resume_campaign(member, campaign_id) -> Campaign:
    campaign = _move(member, campaign_id, (Status.PAUSED,), Status.SENDING, "resumed")
    if campaign.started_at is None:
        return begin(campaign)
    if (
        campaign.test_ends_at
        and campaign.recipients.filter(state=State.HELD).exists()
        and not campaign.winner
    ):
        Campaign.unscoped.filter(pk=campaign.pk).update(status=Status.WAITING)
    else:
        queue_sending(campaign.pk)
    return campaign


@transaction.atomic
def cancel_campaign(member, campaign_id) -> Campaign:
    """Stops for good: rows not yet handed to SMTP become ``skipped``."""
    campaign = _move(
        member, campaign_id, (Status.DRAFT, Status.SCHEDULED, Status.SENDING, Status.WAITING, Status.PAUSED),
        Status.CANCELLED, "cancelled",
    )  # fmt: skip
    open_rows = (State.PENDING, State.HELD, State.UNCERTAIN, State.CLAIMED)  # claimed: not begun yet
    campaign.recipients.filter(state__in=open_rows).update(
        state=State.SKIPPED, last_detail="cancelled", worker="", lease_until=None
    )
    return campaign


def change_status(member, campaign_id, status: str, *, at=None) -> Campaign:
    """The API's one door for state changes: ``sending`` (start or resume), ``paused``, ``cancelled``."""
    if status == Status.PAUSED:
        return pause_campaign(member, campaign_id)
    if status == Status.CANCELLED:
        return cancel_campaign(member, campaign_id)
    if status != Status.SENDING:
        raise ValidationFailed(fields={"status": _("Choose sending, paused or cancelled.")})
    if get_campaign(member.workspace, campaign_id).status == Status.PAUSED:
        return resume_campaign(member, campaign_id)
    return start_campaign(member, campaign_id, at=at)


def finish_if_complete(campaign_id: int) -> str:
    """``sending`` -> ``waiting`` (A/B test share done) or ``done`` once no row is open."""
    open_rows = Recipient.unscoped.filter(campaign_id=campaign_id, state__in=delivery.OPEN_STATES)
    if open_rows.exists():
        return ""
    now = timezone.now()
    campaign = Campaign.unscoped.get(pk=campaign_id)
    if campaign.recipients.filter(state=State.HELD).exists():
        ends = now + timedelta(minutes=campaign.test_wait_minutes)
        moved = Campaign.unscoped.filter(pk=campaign_id, status=Status.SENDING).update(
            status=Status.WAITING, test_ends_at=ends
        )
        return Status.WAITING if moved else ""
    moved = Campaign.unscoped.filter(pk=campaign_id, status=Status.SENDING).update(
        status=Status.DONE, finished_at=now
    )
    return Status.DONE if moved else ""


def decide_winner(campaign: Campaign) -> abtest.Decision:
    counts = abtest.campaign_counts(campaign)
    keys = sorted(counts)
    return abtest.decide(
        counts, metric=campaign.test_metric, alpha=campaign.test_alpha,
        control=keys[0] if keys else None, fallback=campaign.fallback_variant,
    )  # fmt: skip


@transaction.atomic
def release_winner(campaign_id: int) -> abtest.Decision | None:
    """After the wait: decides, records the decision, and sends the winner to the held rows."""
    campaign = Campaign.unscoped.select_for_update().get(pk=campaign_id)
    if campaign.status != Status.WAITING:
        return None
    decision = decide_winner(campaign)
    campaign.recipients.filter(state=State.HELD).update(state=State.PENDING, variant=decision.winner)
    campaign.status, campaign.winner, campaign.decision = Status.SENDING, decision.winner, decision.as_dict()
    campaign.save(update_fields=["status", "winner", "decision", "updated_at"])
    queue_sending(campaign.pk)
    return decision


def advance(now=None) -> dict[str, int]:
    """The periodic step: due scheduled campaigns start, waits that ended release their winner,
    stale leases are recovered and sending campaigns with due work are queued again."""
    now = now or timezone.now()
    started = 0
    for campaign in Campaign.unscoped.filter(status=Status.SCHEDULED, scheduled_at__lte=now):
        started += _begin_scheduled(campaign)
    waiting = Campaign.unscoped.filter(status=Status.WAITING, test_ends_at__lte=now)
    released = sum(1 for pk in waiting.values_list("pk", flat=True) if release_winner(pk))
    recovered = delivery.recover()
    queued = 0
    for pk in Campaign.unscoped.filter(status=Status.SENDING).values_list("pk", flat=True):
        wake = delivery.next_wake(pk)
        if wake is None:
            finish_if_complete(pk)
        elif wake == 0 and not delivery.is_being_worked(pk):
            queue_sending(pk)
            queued += 1
    return {"started": started, "released": released, "queued": queued, **recovered}


def _begin_scheduled(campaign: Campaign) -> int:
    try:
        with transaction.atomic():
            if Campaign.unscoped.filter(pk=campaign.pk, status=Status.SCHEDULED).update(status=Status.DRAFT):
                begin(campaign)
                return 1
    except ValidationFailed as exc:
        Campaign.unscoped.filter(pk=campaign.pk).update(status=Status.DRAFT, problem=str(exc.message)[:2000])
    return 0


# Progress and reports live in campaign_reports (re-exported for the pages, API and CLI).

from netmark.mailing.campaign_reports import export_recipients, progress  # noqa: E402, F401 - re-exported
