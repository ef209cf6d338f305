"""``netmark mailing bounce-mailboxes|poll-bounces``: IMAP bounce mailboxes from the command line
(registered by ``mailing.cli``)."""

from django.utils.translation import gettext as _

from netmark.commands.base import Commands, Context, UsageError, read_input
from netmark.core.errors import NotFound
from netmark.mailing import services
from netmark.mailing.inbox_models import BounceMailbox

COLUMNS = ["id", "name", "host", "folder", "last_poll_at", "reports_total", "others_total", "last_error"]


def register(commands: Commands) -> None:
    parser = commands.verb(
        "mailing", "bounce-mailboxes", mailboxes, _("list, add or remove IMAP bounce mailboxes")
    )
    parser.add_argument("action", nargs="?", choices=["list", "add", "remove"], default="list")
    parser.add_argument("--id", type=int, help=_("the mailbox to remove"))
    parser.add_argument("--name")
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--security", choices=BounceMailbox.Security.values)
    parser.add_argument("--user", dest="username")
    parser.add_argument("--password-file", help=_("file holding the password (- reads stdin)"))
    parser.add_argument("--folder")
    parser.add_argument("--after", choices=BounceMailbox.After.values)
    parser.add_argument("--processed-folder")
    parser.add_argument("--other-folder")
    parser.add_argument("--poll-minutes", type=int)

    parser = commands.verb("mailing", "poll-bounces", poll_bounces, _("poll the IMAP bounce mailboxes once"))
    parser.add_argument(
        "--mailbox", metavar="ID_OR_NAME", help=_("only this mailbox (default: every active one)")
    )


def _row(mailbox: BounceMailbox) -> dict:
    return {
        "id": mailbox.pk,
        "name": mailbox.name,
        "host": f"{mailbox.host}:{mailbox.port}",
        "security": mailbox.security,
        "username": mailbox.username,
        "folder": mailbox.folder,
        "after": mailbox.after,
        "is_active": mailbox.is_active,
        "last_poll_at": mailbox.last_poll_at,
        "last_error": mailbox.last_error,
        "last_counts": mailbox.last_counts,
        "reports_total": mailbox.reports_total,
        "others_total": mailbox.others_total,
    }


def mailboxes(context: Context) -> int:
    args = context.args
    if args.action == "add":
        if not (args.name and args.host and args.username):
            raise UsageError(_("Give --name, --host and --user (and --password-file)."))
        fields = {
            name: getattr(args, name)
            for name in ("name", "host", "port", "security", "username", "folder", "after",
                         "processed_folder", "other_folder", "poll_minutes")
            if getattr(args, name) is not None
        }  # fmt: skip
        if args.password_file:
            fields["password"] = read_input(args.password_file).decode("utf-8").rstrip("\r\n")
        mailbox = services.create_mailbox(context.member, **fields)
        context.emit(_row(mailbox), _("Added bounce mailbox %(name)s.") % {"name": mailbox.name})
    elif args.action == "remove":
        if not args.id:
            raise UsageError(_("Give --id of the mailbox to remove."))
        services.delete_mailbox(context.member, args.id)
        context.emit({"removed": args.id}, _("Removed."))
    else:
        rows = [_row(mailbox) for mailbox in services.list_mailboxes(context.workspace)]
        context.table(rows, COLUMNS, empty=_("No bounce mailbox."))
    return 0


def _find(workspace, key: str) -> BounceMailbox:
    rows = services.list_mailboxes(workspace)
    found = rows.filter(name=key).first() or (rows.filter(pk=int(key)).first() if key.isdigit() else None)
    if found is None:
        raise NotFound(_("No bounce mailbox of this workspace has the id or name %(key)s.") % {"key": key})
    return found


def poll_bounces(context: Context) -> int:
    """Exit 0 when every mailbox polled was read; 1 when one failed (its error is printed)."""
    if context.args.mailbox:
        targets = [_find(context.workspace, context.args.mailbox)]
    else:
        targets = list(services.list_mailboxes(context.workspace).filter(is_active=True))
    results = [(mailbox, services.poll_mailbox(context.member, mailbox.pk)) for mailbox in targets]
    rows = [{"id": mailbox.pk, "name": mailbox.name, **result.counts()} for mailbox, result in results]
    if context.json:
        context.emit(rows)
    else:
        context.table(rows, ["name", "status", "seen", "reports", "applied", "duplicates", "others", "error"],
                      empty=_("No active bounce mailbox."))  # fmt: skip
    return 0 if all(result.status == "ok" for _mailbox, result in results) else 1
