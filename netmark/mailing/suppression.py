"""The suppression list of a workspace: addresses never sent to again (hard bounce, complaint,
unsubscribe, added by hand). ``is_suppressed`` is the one check every send makes (``sending``);
nothing here reads or reveals another workspace's rows."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from netmark.core import audit, csvio
from netmark.core.errors import ValidationFailed
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped
from netmark.mailing.models import Suppression

MAX_EMAIL = 254
EXPORT_COLUMNS = ("email", "reason", "detail", "created_at")


def normalise(email: str) -> str:
    return str(email or "").strip().lower()


def check_email(email: str) -> str:
    """The address lower-cased, or ``ValidationFailed`` (one ``@``, no spaces, at most 254)."""
    email = normalise(email)
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain or len(email) > MAX_EMAIL or any(c.isspace() for c in email):
        raise ValidationFailed(fields={"email": _("Enter a valid email address.")})
    return email


def is_suppressed(workspace_id: int, email: str) -> bool:
    return Suppression.unscoped.filter(workspace_id=workspace_id, email=normalise(email)).exists()


def suppress(workspace_id: int, email: str, reason: str, detail: str = "") -> tuple[Suppression, bool]:
    """Adds ``email`` to the workspace's list (idempotent): ``(row, created)``. The first reason
    stays; a later one does not overwrite it. For services (unsubscribe, bounces, sending)."""
    email = normalise(email)
    existing = Suppression.unscoped.filter(workspace_id=workspace_id, email=email).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            row = Suppression.unscoped.create(
                workspace_id=workspace_id, email=email, reason=reason, detail=str(detail)[:500]
            )
    except IntegrityError:  # a concurrent suppress of the same address won
        return Suppression.unscoped.get(workspace_id=workspace_id, email=email), False
    return row, True


def list_suppressions(workspace, *, reason: str | None = None, search: str | None = None):
    rows = scoped(Suppression, workspace)
    if reason:
        rows = rows.filter(reason=reason)
    if search:
        rows = rows.filter(email__contains=normalise(search))
    return rows


def get_suppression(workspace, suppression_id) -> Suppression:
    return get_for(Suppression, workspace, suppression_id)


@transaction.atomic
def add_suppression(member, email: str, reason: str = Suppression.Reason.MANUAL, detail: str = ""):
    require(member, Capability.EXECUTE)
    email = check_email(email)
    if reason not in Suppression.Reason.values:
        raise ValidationFailed(fields={"reason": _("Choose one of the listed reasons.")})
    if len(str(detail or "")) > 500:
        raise ValidationFailed(fields={"detail": _("Keep it under 500 characters.")})
    row, created = suppress(member.workspace_id, email, reason, detail or "")
    if created:
        audit.record(member, "suppression.created", row, {"email": email, "reason": reason})
    return row


@transaction.atomic
def remove_suppression(member, suppression_id) -> None:
    """Sending to the address is allowed again (execution roles; the audit log keeps who did it)."""
    require(member, Capability.EXECUTE)
    row = get_for(Suppression, member.workspace, suppression_id)
    audit.record(member, "suppression.deleted", row, {"email": row.email, "reason": row.reason})
    row.delete()


def export_suppressions(workspace) -> bytes:
    """CSV, UTF-8 with BOM, formula cells escaped (core.csvio)."""
    rows = (
        {"email": r.email, "reason": r.reason, "detail": r.detail, "created_at": r.created_at}
        for r in list_suppressions(workspace).order_by("email").iterator()
    )
    return csvio.write_rows(EXPORT_COLUMNS, rows)
