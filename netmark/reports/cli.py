"""``netmark report list|run|pdf``: report definitions, runs and their PDFs from the command line.

Registered by ``netmark/commands/__init__.py`` like ``netmark.links.cli``.
"""

from django.utils.translation import gettext as _

from netmark.commands.base import Commands, Context, write_output
from netmark.core.errors import NotFound
from netmark.core.roles import Capability, require
from netmark.reports import services
from netmark.reports.models import ReportRun


def register(commands: Commands) -> None:
    parser = commands.verb("report", "list", report_list, _("list reports, or one report's runs"))
    parser.add_argument("--runs", type=int, metavar="REPORT_ID", help=_("list this report's runs"))

    parser = commands.verb("report", "run", report_run, _("render a report over its last complete period"))
    parser.add_argument("report", type=int, metavar="REPORT_ID")
    parser.add_argument("--send", action="store_true", help=_("also email it to the recipients"))

    parser = commands.verb("report", "pdf", report_pdf, _("write a run's PDF"))
    parser.add_argument("run", type=int, metavar="RUN_ID")
    parser.add_argument("file", nargs="?", help=_("where to write (default: stdout)"))


def _report_row(report) -> dict:
    return {
        "id": report.pk,
        "name": report.name,
        "kind": report.kind,
        "language": report.language,
        "sections": ",".join(report.sections),
        "recipients": ",".join(report.recipients),
        "active": report.is_active,
    }


def _run_row(run) -> dict:
    return {
        "id": run.pk,
        "report_id": run.report_id,
        "period_start": run.period_start.isoformat(),
        "period_end": run.period_end.isoformat(),
        "status": run.status,
        "pages": run.pages,
        "emailed_at": run.emailed_at.isoformat() if run.emailed_at else None,
        "error": run.error,
    }


def report_list(context: Context) -> int:
    require(context.member, Capability.READ)
    if context.args.runs is not None:
        report = services.get_report(context.workspace, context.args.runs)
        rows = [_run_row(run) for run in services.list_runs(context.workspace, report)]
        columns = ["id", "period_start", "period_end", "status", "pages", "emailed_at"]
        context.table(rows, columns, empty=_("This report has no run yet."))
        return 0
    rows = [_report_row(report) for report in services.list_reports(context.workspace)]
    context.table(
        rows, ["id", "name", "kind", "language", "sections", "recipients"], empty=_("No report yet.")
    )
    return 0


def report_run(context: Context) -> int:
    context.progress(_("Rendering the report…"))
    run = services.request_run(context.member, context.args.report, send=context.args.send, inline=True)
    row = _run_row(run)
    text = _("Run %(id)d (%(start)s – %(end)s): %(status)s, %(pages)d pages.") % {
        "id": run.pk,
        "start": row["period_start"],
        "end": row["period_end"],
        "status": run.status,
        "pages": run.pages,
    }
    context.emit(row, text)
    return 0 if run.status == ReportRun.Status.DONE else 1


def report_pdf(context: Context) -> int:
    require(context.member, Capability.READ)
    run = services.list_runs(context.workspace).filter(pk=context.args.run).first()
    if run is None:
        raise NotFound(_("No run of this workspace has the id %(id)s.") % {"id": context.args.run})
    run = services.ready_run(services.get_run(context.workspace, run.pk))
    write_output(context.args.file, bytes(run.pdf), context)
    return 0
