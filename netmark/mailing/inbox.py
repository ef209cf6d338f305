"""Bounce mailboxes of a workspace (owners only, like SMTP servers): where bounces and complaints
are polled from over IMAP (``polling``). The host goes through the outbound address policy when
saved (``services.check_host``) and again at every connect; the password is sealed at rest and
never shown back."""

from django.db import transaction
from django.utils.translation import gettext as _

from netmark.core import audit, records
from netmark.core.errors import ValidationFailed
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped
from netmark.mailing import sealing
from netmark.mailing.inbox_models import BounceMailbox

FIELDS = {
    "name", "host", "port", "security", "username", "password", "folder", "after",
    "processed_folder", "other_folder", "poll_minutes", "is_active",
}  # fmt: skip
FOLDER_FIELDS = ("folder", "processed_folder", "other_folder")


def list_mailboxes(workspace):
    return scoped(BounceMailbox, workspace)


def get_mailbox(workspace, mailbox_id) -> BounceMailbox:
    return get_for(BounceMailbox, workspace, mailbox_id)


def clean_folder(value) -> str:
    """A folder name: printable, no control characters, at most 200 characters."""
    text = str(value or "").strip()
    if len(text) > 200 or any(not char.isprintable() for char in text) or "*" in text or "%" in text:
        raise ValueError
    return text


def _clean(fields: dict) -> dict:
    from netmark.mailing.services import check_host  # noqa: PLC0415 - services re-exports this module

    unknown = sorted(set(fields) - FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: _("Unknown field.") for name in unknown})
    data = dict(fields)
    errors = {}
    if "host" in data:
        data["host"] = check_host(data["host"])
    for name in FOLDER_FIELDS:
        if name in data:
            try:
                data[name] = clean_folder(data[name])
            except ValueError:
                errors[name] = _("Enter a folder name without control characters, * or %.")
    if "folder" in data and not data.get("folder") and "folder" not in errors:
        errors["folder"] = _("Enter the folder to read, such as INBOX.")
    if "poll_minutes" in data and not 1 <= int(data["poll_minutes"] or 0) <= 1440:
        errors["poll_minutes"] = _("Between 1 and 1440 minutes.")
    if errors:
        raise ValidationFailed(fields=errors)
    return data


def _check_folders(mailbox: BounceMailbox) -> None:
    errors = {}
    if mailbox.after == BounceMailbox.After.MOVE and not mailbox.processed_folder:
        errors["processed_folder"] = _("Name the folder processed reports are moved to.")
    if mailbox.processed_folder and mailbox.processed_folder == mailbox.folder:
        errors["processed_folder"] = _("Choose a folder other than the one read.")
    if mailbox.other_folder and mailbox.other_folder == mailbox.folder:
        errors["other_folder"] = _("Choose a folder other than the one read, or leave it empty.")
    if errors:
        raise ValidationFailed(fields=errors)


@transaction.atomic
def create_mailbox(member, **fields) -> BounceMailbox:
    require(member, Capability.ADMINISTER)
    mailbox = BounceMailbox(workspace=member.workspace)
    changes = sealing.apply_fields(mailbox, _clean(fields))
    _check_folders(mailbox)
    records.validate_and_save(mailbox, exclude=["password_sealed"])
    audit.record(member, "bouncemailbox.created", mailbox, changes)
    return mailbox


@transaction.atomic
def update_mailbox(member, mailbox_id, **fields) -> BounceMailbox:
    require(member, Capability.ADMINISTER)
    queryset = scoped(BounceMailbox, member.workspace).select_for_update()
    mailbox = get_for(BounceMailbox, member.workspace, mailbox_id, queryset=queryset)
    changes = sealing.apply_fields(mailbox, _clean(fields))
    _check_folders(mailbox)
    records.validate_and_save(mailbox, exclude=["password_sealed"])
    if changes:
        audit.record(member, "bouncemailbox.updated", mailbox, changes)
    return mailbox


def delete_mailbox(member, mailbox_id) -> None:
    records.delete_record(member, BounceMailbox, mailbox_id, capability=Capability.ADMINISTER)


def poll_mailbox(member, mailbox_id):
    """Polls one mailbox now (owners: the page's button, the API, the CLI)."""
    from netmark.mailing import polling  # noqa: PLC0415 - polling reaches feedback and contacts

    require(member, Capability.ADMINISTER)
    mailbox = get_mailbox(member.workspace, mailbox_id)
    return polling.poll(mailbox.pk)
