"""``netmark positioning|channel|plan export|import``: CSV files in and out.

Exports are UTF-8 with a BOM (Excel opens Chinese correctly) and go to stdout when no file is
given. Imports accept UTF-8, UTF-8 with BOM, UTF-16 and GBK/GB18030 and apply nothing when any
row is wrong; each problem is printed with its row and column.
"""

from django.utils.translation import gettext as _

from netmark.commands.base import Commands, Context, read_input, write_output
from netmark.core.roles import Capability, require
from netmark.planning import exchange as planning_exchange
from netmark.positioning import exchange as positioning_exchange

EXCHANGES = {
    "positioning": (positioning_exchange.export_positioning, positioning_exchange.import_positioning),
    "channel": (planning_exchange.export_channel_accounts, planning_exchange.import_channel_accounts),
    "plan": (planning_exchange.export_plans, planning_exchange.import_plans),
}


def _help() -> dict[str, tuple[str, str]]:
    return {
        "positioning": (
            _("export products, audiences and messages as CSV"),
            _("import products, audiences and messages from CSV"),
        ),
        "channel": (_("export channel accounts as CSV"), _("import channel accounts from CSV")),
        "plan": (_("export plans with budgets and targets as CSV"), _("import plans from CSV")),
    }


def register(commands: Commands) -> None:
    for noun, (exporter, importer) in EXCHANGES.items():
        export_help, import_help = _help()[noun]
        parser = commands.verb(noun, "export", _exporter(exporter), export_help)
        parser.add_argument("file", nargs="?", help=_("where to write (default: stdout)"))
        parser.add_argument("--chinese-headers", action="store_true", help=_("write the headers in Chinese"))
        parser = commands.verb(noun, "import", _importer(importer), import_help)
        parser.add_argument("file", help=_("the CSV file to read (- for stdin)"))


def _exporter(export):
    def handler(context: Context) -> int:
        require(context.member, Capability.READ)
        data = export(context.workspace, chinese_headers=context.args.chinese_headers)
        write_output(context.args.file, data, context)
        return 0

    return handler


def _importer(import_):
    def handler(context: Context) -> int:
        data = read_input(context.args.file)
        context.progress(_("Checking and importing %(file)s…") % {"file": context.args.file})
        result = import_(context.member, data)
        text = (
            _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % result.as_dict()
        )
        context.emit(result.as_dict(), text)
        return 0

    return handler
