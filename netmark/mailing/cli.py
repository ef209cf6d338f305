"""``netmark mailing smtp-test|dkim-generate|suppressions|bounce-server|hooks|deliverability``: the
sending core and its feedback from the command line.

Registered by ``netmark/cli.py`` through ``register(commands)``, like ``netmark.links.cli``.
"""

from django.utils.translation import gettext as _

from netmark.commands.base import Commands, Context, UsageError, write_output
from netmark.core.errors import NotFound
from netmark.mailing import feedback_cli, inbox_cli, services
from netmark.mailing.models import Suppression


def register(commands: Commands) -> None:
    from netmark.mailing import campaign_cli, drip_cli  # noqa: PLC0415 - in their own modules

    campaign_cli.register(commands)
    drip_cli.register(commands)
    parser = commands.verb("mailing", "smtp-test", smtp_test, _("send a test message through an SMTP server"))
    parser.add_argument("--server", required=True, metavar="ID_OR_NAME")
    parser.add_argument("--to", required=True, metavar="EMAIL")

    parser = commands.verb(
        "mailing", "dkim-generate", dkim_generate, _("generate a DKIM key and print its DNS record")
    )
    parser.add_argument("--domain", required=True)
    parser.add_argument("--selector", default="netmark")
    parser.add_argument("--algorithm", choices=["rsa-sha256", "ed25519-sha256"], default="rsa-sha256")

    parser = commands.verb(
        "mailing", "suppressions", suppressions, _("list, add, remove or export suppressions")
    )
    parser.add_argument("action", nargs="?", choices=["list", "add", "remove", "export"], default="list")
    parser.add_argument("email", nargs="?", help=_("the address (add, remove)"))
    parser.add_argument("--reason", choices=Suppression.Reason.values, default="manual")
    parser.add_argument("--file", help=_("where to write the export (default: stdout)"))
    feedback_cli.register(commands)
    inbox_cli.register(commands)


def _server(workspace, key: str):
    servers = services.list_servers(workspace)
    server = servers.filter(name=key).first() or (
        servers.filter(pk=int(key)).first() if key.isdigit() else None
    )
    if server is None:
        raise NotFound(_("No SMTP server of this workspace has the id or name %(key)s.") % {"key": key})
    return server


def smtp_test(context: Context) -> int:
    server = _server(context.workspace, context.args.server)
    outcome = services.test_send(context.member, server.pk, context.args.to)
    data = {"status": outcome.status, "code": outcome.code, "detail": outcome.detail, "stage": outcome.stage}
    context.emit(data, f"{outcome.status} {outcome.code or ''} {outcome.detail}".strip())
    return 0 if outcome.delivered else 1


def dkim_generate(context: Context) -> int:
    args = context.args
    key = services.create_key(
        context.member, domain=args.domain, selector=args.selector, algorithm=args.algorithm
    )
    record = services.dns_record(key)
    text = _("Publish this TXT record:\n%(name)s  TXT  %(value)s") % record
    context.emit({"id": key.pk, **record}, text)
    return 0


def suppressions(context: Context) -> int:
    args = context.args
    if args.action in ("add", "remove") and not args.email:
        raise UsageError(
            _("Give the address: netmark mailing suppressions %(action)s EMAIL") % {"action": args.action}
        )
    if args.action == "add":
        row = services.add_suppression(context.member, args.email, args.reason)
        context.emit(_row(row), _("Suppressed %(email)s.") % {"email": row.email})
    elif args.action == "remove":
        found = services.list_suppressions(context.workspace).filter(email=args.email.strip().lower()).first()
        if found is None:
            raise NotFound(_("%(email)s is not on the suppression list.") % {"email": args.email})
        services.remove_suppression(context.member, found.pk)
        context.emit({"removed": found.email}, _("Removed %(email)s.") % {"email": found.email})
    elif args.action == "export":
        write_output(args.file, services.export_suppressions(context.workspace), context)
    else:
        rows = [_row(row) for row in services.list_suppressions(context.workspace)[:1000]]
        context.table(rows, ["email", "reason", "created_at"], empty=_("No suppressed address."))
    return 0


def _row(row) -> dict:
    return {
        "id": row.pk,
        "email": row.email,
        "reason": row.reason,
        "detail": row.detail,
        "created_at": row.created_at,
    }
