"""``netmark link list|create|export|import|qr``: tracked links from the command line.

Registered by ``netmark/cli.py`` through ``register(commands)``, like ``netmark.commands.plans``.
"""

from django.utils.translation import gettext as _

from netmark.commands.base import Commands, Context, UsageError, read_input, write_output
from netmark.core.errors import NotFound
from netmark.core.roles import Capability, require
from netmark.links import clicks, exchange, qr, services
from netmark.links.utm import FIELDS


def register(commands: Commands) -> None:
    parser = commands.verb("link", "list", link_list, _("list tracked links with their clicks"))
    parser.add_argument("--plan", type=int, metavar="ID", help=_("only the links of this promotion"))

    parser = commands.verb("link", "create", link_create, _("create a tracked link"))
    parser.add_argument("--plan", type=int, required=True, metavar="ID")
    parser.add_argument("--channel", required=True, metavar="NAME_OR_ID", help=_("a channel account"))
    parser.add_argument("--destination", required=True, metavar="URL")
    parser.add_argument("--name", default="", help=_("a label, printed under the QR code"))
    for field in FIELDS:
        parser.add_argument(f"--{field.replace('_', '-')}", dest=field, default="", metavar="VALUE")

    parser = commands.verb("link", "export", link_export, _("export tracked links as CSV"))
    parser.add_argument("file", nargs="?", help=_("where to write (default: stdout)"))
    parser.add_argument("--plan", type=int, metavar="ID")
    parser.add_argument("--chinese-headers", action="store_true", help=_("write the headers in Chinese"))

    parser = commands.verb("link", "import", link_import, _("import tracked links from CSV"))
    parser.add_argument("file", help=_("the CSV file to read (- for stdin)"))

    parser = commands.verb("link", "qr", link_qr, _("write a link's QR code as PNG or SVG"))
    parser.add_argument("link", metavar="ID_OR_CODE")
    parser.add_argument("file", nargs="?", help=_("where to write (default: stdout)"))
    parser.add_argument(
        "--format", choices=["png", "svg"], default=None, help=_("default: from the file name")
    )
    parser.add_argument("--scale", type=int, default=None, help=_("pixels (PNG) per module, 1 to 40"))


def _row(link) -> dict:
    return {
        "id": link.pk,
        "code": link.code,
        "short_url": services.short_url(link.code),
        "plan": link.plan.name,
        "channel": link.channel_account.name,
        "name": link.name,
        "active": link.is_active,
        **{field: getattr(link, field) for field in FIELDS},
        "target_url": link.target_url,
        "clicks": link.clicks["raw"],
        "unique_clicks": link.clicks["unique"],
        "bot_clicks": link.clicks["bots"],
    }


def link_list(context: Context) -> int:
    require(context.member, Capability.READ)
    links = clicks.with_stats(services.list_links(context.workspace, plan_id=context.args.plan))
    columns = ["id", "short_url", "plan", "channel", "utm_source", "utm_medium", "utm_campaign", "clicks"]
    context.table([_row(link) for link in links], columns, empty=_("No links match."))
    return 0


def _channel_id(workspace, key: str) -> int:
    found = exchange.Lookups(workspace).account(key)
    if len(found) != 1:
        raise NotFound(_("No single channel account matches %(key)s.") % {"key": key})
    return found[0].pk


def link_create(context: Context) -> int:
    args = context.args
    link = services.create_link(
        context.member,
        plan_id=args.plan,
        channel_account_id=_channel_id(context.workspace, args.channel),
        destination=args.destination,
        name=args.name,
        **{field: getattr(args, field) for field in FIELDS},
    )
    row = _row(clicks.with_stats([services.get_link(context.workspace, link.pk)])[0])
    context.emit(
        row, _("Created %(url)s -> %(target)s") % {"url": row["short_url"], "target": link.target_url}
    )
    return 0


def link_export(context: Context) -> int:
    require(context.member, Capability.READ)
    data = exchange.export_links(
        context.workspace, plan_id=context.args.plan, chinese_headers=context.args.chinese_headers
    )
    write_output(context.args.file, data, context)
    return 0


def link_import(context: Context) -> int:
    data = read_input(context.args.file)
    context.progress(_("Checking and importing %(file)s…") % {"file": context.args.file})
    result = exchange.import_links(context.member, data)
    text = (
        _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % result.as_dict()
    )
    context.emit(result.as_dict(), text)
    return 0


def _find(workspace, key: str):
    links = services.list_links(workspace)
    link = links.filter(code=key).first() or (links.filter(pk=int(key)).first() if key.isdigit() else None)
    if link is None:
        raise NotFound(_("No link of this workspace has the id or code %(key)s.") % {"key": key})
    return link


def link_qr(context: Context) -> int:
    require(context.member, Capability.READ)
    args = context.args
    link = _find(context.workspace, args.link)
    kind = args.format or ("svg" if (args.file or "").lower().endswith(".svg") else "png")
    if args.scale is not None and not qr.MIN_SCALE <= args.scale <= qr.MAX_SCALE:
        raise UsageError(_("--scale takes a number from 1 to 40."))
    scale = args.scale or (qr.SVG_SCALE if kind == "svg" else qr.PNG_SCALE)
    data = qr.svg(link.code, scale=scale) if kind == "svg" else qr.png(link.code, scale=scale)
    write_output(args.file, data, context)
    return 0
