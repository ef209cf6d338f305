"""``netmark contact list|import|export|segment``: contacts from the command line.

Registered by ``netmark/commands/__init__.py`` through ``register(commands)``. ``import`` creates an
import job and runs it in this process with a progress bar (the job's row keeps the report, as for
an import started in the UI); ``--dry-run`` only previews.
"""

import json

from django.utils.translation import gettext as _

from netmark.commands.base import Commands, Context, UsageError, read_input, write_output
from netmark.contacts import exporting, imports, services
from netmark.contacts.models import Stage
from netmark.core.roles import Capability, require


def register(commands: Commands) -> None:
    from netmark.contacts import scoring_cli, segment_cli

    segment_cli.register(commands)
    scoring_cli.register(commands)
    parser = commands.verb("contact", "list", contact_list, _("list contacts (search works in Chinese)"))
    parser.add_argument("--search", "-q", default="", metavar="TEXT")
    parser.add_argument("--stage", choices=Stage.values)
    parser.add_argument("--limit", type=int, default=100, metavar="N")

    parser = commands.verb("contact", "import", contact_import, _("import contacts from CSV (as a job)"))
    parser.add_argument("file", help=_("the CSV file to read (- for stdin)"))
    parser.add_argument("--mapping", default="", metavar="JSON", help=_('e.g. {"客户": "name", "备注": ""}'))
    parser.add_argument("--overwrite", action="store_true", help=_("overwrite existing values"))
    parser.add_argument("--dry-run", action="store_true", help=_("check and count only; write nothing"))

    parser = commands.verb("contact", "export", contact_export, _("export contacts as CSV"))
    parser.add_argument("file", nargs="?", help=_("where to write (default: stdout)"))
    parser.add_argument("--search", "-q", default="", metavar="TEXT")
    parser.add_argument("--stage", choices=Stage.values)
    parser.add_argument("--chinese-headers", action="store_true", help=_("write the headers in Chinese"))


def _row(contact) -> dict:
    return {
        "id": contact.pk,
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "company": contact.company.name if contact.company else "",
        "city": contact.city,
        "stage": contact.stage,
    }


def contact_list(context: Context) -> int:
    require(context.member, Capability.READ)
    args = context.args
    if not 1 <= args.limit <= 10_000:
        raise UsageError(_("--limit takes a number from 1 to 10000."))
    contacts = services.list_contacts(context.workspace, query=args.search, stage=args.stage or "")
    rows = [_row(contact) for contact in contacts[: args.limit]]
    context.table(
        rows, ["id", "name", "email", "phone", "company", "city", "stage"], empty=_("No contact matches.")
    )
    return 0


def _mapping(raw: str) -> dict | None:
    if not raw:
        return None
    try:
        mapping = json.loads(raw)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict):
        raise UsageError(_('--mapping takes a JSON object such as {"客户": "name"}.'))
    return mapping


def contact_import(context: Context) -> int:
    args = context.args
    data = read_input(args.file)
    mapping = _mapping(args.mapping)
    if args.dry_run:
        preview = imports.preview_import(context.member, data, mapping=mapping, overwrite=args.overwrite)
        context.emit(preview, _text(preview["dry_run"]))
        return 0
    name = "stdin.csv" if args.file == "-" else args.file
    job = imports.start_import(
        context.member, data, filename=name, mapping=mapping, overwrite=args.overwrite, enqueue=False
    )
    imports.run_import_job(job.pk, on_progress=lambda done, total: context.bar(_("Importing"), done, total))
    job = imports.get_import(context.workspace, job.pk)
    report = {
        "id": job.pk,
        "status": job.status,
        "total": job.total_rows,
        "created": job.created_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
        "error_count": job.error_count,
        "errors": job.errors,
    }
    context.emit(report, _text(report) + "".join(_error_lines(job.errors)))
    return 0 if job.status == "done" else 1


def _text(counts: dict) -> str:
    return _("Created %(created)s, updated %(updated)s, unchanged %(unchanged)s; %(errors)s problems.") % {
        "created": counts["created"],
        "updated": counts["updated"],
        "unchanged": counts["unchanged"],
        "errors": counts["error_count"],
    }


def _error_lines(errors: list[dict]):
    for error in errors:
        where = _("row %(row)s") % {"row": error["row"]}
        column = f", {error['column']}" if error["column"] else ""
        yield f"\n  {where}{column}: {error['message']}"


def contact_export(context: Context) -> int:
    require(context.member, Capability.EXECUTE)
    args = context.args
    contacts = services.list_contacts(context.workspace, query=args.search, stage=args.stage or "")
    data = exporting.export_contacts(context.workspace, contacts, chinese_headers=args.chinese_headers)
    write_output(args.file, data, context)
    return 0
