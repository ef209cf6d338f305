"""Client share links: a signed, expiring, revocable, read-only view of one run's HTML.

The token signs ``[share id, run id]`` for the purpose ``report-share`` (core/signing.py), so a
token of another purpose (an invitation, a calendar feed) never opens a report, and a token whose
run id does not match its share row is refused. The row carries the expiry and the revocation;
the signature's own age is checked too. Anything wrong answers the same ``NotFound``.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from netmark.core import audit, signing
from netmark.core.errors import Conflict, NotFound, ValidationFailed
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped
from netmark.reports.models import ReportRun, ShareLink

PURPOSE = "report-share"
DEFAULT_DAYS = 14
MAX_DAYS = 90


def token_for(share: ShareLink) -> str:
    return signing.sign(PURPOSE, [share.pk, share.run_id])


def share_url(share: ShareLink) -> str:
    return settings.PUBLIC_URL + reverse("report_share", args=[token_for(share)])


def list_shares(workspace, run=None):
    shares = scoped(ShareLink, workspace).select_related("run__report")
    return shares.filter(run=run) if run is not None else shares


@transaction.atomic
def create_share(member, run_id, *, days: int = DEFAULT_DAYS) -> ShareLink:
    require(member, Capability.EVALUATE)
    run = get_for(ReportRun, member.workspace, run_id)
    if run.status != ReportRun.Status.DONE:
        raise Conflict(_("Only a finished report can be shared."))
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(fields={"days": _("From 1 to 90 days.")})
    share = ShareLink.unscoped.create(
        workspace=member.workspace,
        run=run,
        created_by=member,
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit.record(member, "report.shared", share, {"run": run.pk, "days": days})
    return share


@transaction.atomic
def revoke_share(member, share_id) -> ShareLink:
    require(member, Capability.EVALUATE)
    share = get_for(ShareLink, member.workspace, share_id)
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at", "updated_at"])
        audit.record(member, "report.share_revoked", share)
    return share


def run_for_token(token: str) -> ReportRun:
    """The finished run a valid, unexpired, unrevoked token opens; ``NotFound`` otherwise."""
    value = signing.unsign(PURPOSE, token, max_age=MAX_DAYS * 24 * 3600)
    if not (isinstance(value, list) and len(value) == 2 and all(type(part) is int for part in value)):
        raise NotFound()
    share_id, run_id = value
    share = ShareLink.unscoped.select_related("run__report", "run__workspace").filter(pk=share_id).first()
    if share is None or share.run_id != run_id or share.revoked_at is not None:
        raise NotFound()
    if share.expires_at <= timezone.now() or share.run.status != ReportRun.Status.DONE:
        raise NotFound()
    if share.run.workspace_id != share.workspace_id:
        raise NotFound()
    return share.run
