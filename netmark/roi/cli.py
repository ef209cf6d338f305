"""``netmark roi import|costs|evaluate|channels|attribution|evaluations|due``: costs, evaluation
and attribution from the command line. Registered by ``netmark/commands/__init__.py`` like
``netmark.links.cli``."""

import datetime

from django.utils.translation import gettext as _

from netmark.commands.base import Commands, Context, UsageError, read_input, write_output
from netmark.core.roles import Capability, require
from netmark.roi import attribution, exchange, journeys, path_files, services
from netmark.roi.paths import PathReport


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise UsageError(_("Dates are written 2026-10-12.")) from None


def register(commands: Commands) -> None:
    parser = commands.verb("roi", "import", roi_import, _("import an ad-spend or affiliate export"))
    parser.add_argument("file", help=_("the CSV file to read (- for stdin)"))
    parser.add_argument("--dry-run", action="store_true", help=_("preview only; nothing is saved"))
    parser.add_argument("--partial", action="store_true", help=_("apply the valid rows, report the others"))
    parser.add_argument("--currency", default=None, help=_("for files that do not name their currency"))

    parser = commands.verb("roi", "costs", roi_costs, _("list or export costs"))
    parser.add_argument("--plan", type=int, metavar="ID")
    parser.add_argument("--unmapped", action="store_true", help=_("only costs without a promotion"))
    parser.add_argument("--export", metavar="FILE", help=_("write CSV to FILE (- for stdout)"))

    parser = commands.verb("roi", "evaluate", roi_evaluate, _("evaluate a promotion against its targets"))
    parser.add_argument("plan", type=int, metavar="PLAN_ID")
    parser.add_argument("--start", type=_date, metavar="YYYY-MM-DD")
    parser.add_argument("--end", type=_date, metavar="YYYY-MM-DD")
    parser.add_argument("--export", metavar="FILE", help=_("write CSV to FILE (- for stdout)"))

    parser = commands.verb("roi", "channels", roi_channels, _("channel performance over a period"))
    parser.add_argument("--start", type=_date, required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--end", type=_date, required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--export", metavar="FILE", help=_("write CSV to FILE (- for stdout)"))

    parser = commands.verb(
        "roi", "attribution", roi_attribution, _("credit conversions to channels under every model")
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--site", type=int, metavar="ID", help=_("the site whose visitors' paths count"))
    source.add_argument("--paths", metavar="FILE", help=_("aggregated paths from a CSV file (- for stdin)"))
    parser.add_argument("--start", type=_date, metavar="YYYY-MM-DD")
    parser.add_argument("--end", type=_date, metavar="YYYY-MM-DD")
    parser.add_argument(
        "--goal", action="append", default=[], metavar="GOAL",
        help=_("event:<name> or page:<pattern>, repeatable; none: every sale"),
    )  # fmt: skip
    parser.add_argument("--by", default="channel", choices=journeys.DIMENSIONS, help=_("what a touch is"))
    parser.add_argument("--lookback-days", type=int, default=30, metavar="DAYS")
    parser.add_argument("--collapse-repeats", action="store_true", help=_("count a repeated touch once"))
    parser.add_argument("--export", metavar="FILE", help=_("write the credit as CSV to FILE (- for stdout)"))
    parser.add_argument("--export-paths", metavar="FILE", help=_("write the paths as CSV to FILE"))

    parser = commands.verb("roi", "evaluations", roi_evaluations, _("list evaluations; search the lessons"))
    parser.add_argument("--search", default="", help=_("a substring of the lessons or the plan name"))

    commands.verb("roi", "due", roi_due, _("create the evaluations of ended promotions now"))


def roi_import(context: Context) -> int:
    args = context.args
    data = read_input(args.file)
    context.progress(_("Checking %(file)s…") % {"file": args.file})
    result = services.import_costs(
        context.member,
        data,
        filename=args.file,
        currency=args.currency,
        dry_run=args.dry_run,
        partial=args.partial,
    )
    summary = result.summary
    text = _(
        "%(format)s: %(created)d new, %(updated)d revised, %(unchanged)d unchanged, %(duplicates)d repeated, "
        "%(error_rows)d with errors, %(unmapped_rows)d without a promotion%(dry)s."
    ) % {
        **summary,
        "format": result.file_format,
        "dry": _(" (preview, nothing saved)") if args.dry_run else "",
    }
    for error in result.errors:
        text += "\n  " + _("row %(row)d") % {"row": error["row"]} + f" {error['column']}: {error['message']}"
    context.emit({"id": result.pk, "status": result.status, "format": result.file_format, "summary": summary,
                  "errors": result.errors}, text)  # fmt: skip
    return 0


def roi_costs(context: Context) -> int:
    require(context.member, Capability.READ)
    args = context.args
    filters = {"plan_id": args.plan, "unmapped": True if args.unmapped else None}
    if args.export:
        write_output(
            None if args.export == "-" else args.export,
            exchange.export_costs(context.workspace, **filters),
            context,
        )
        return 0
    costs = services.list_costs(context.workspace, **filters)[:500]
    rows = [
        {"id": c.pk, "date": c.spent_on.isoformat(), "kind": c.kind, "campaign": c.campaign or c.description,
         "promotion": c.plan.name if c.plan_id else "", "amount": str(c.amount), "currency": c.currency}
        for c in costs
    ]  # fmt: skip
    context.table(
        rows, ["id", "date", "kind", "campaign", "promotion", "amount", "currency"], empty=_("No costs.")
    )
    return 0


def _na(value) -> str:
    return _("n/a") if value is None else str(value)


def roi_evaluate(context: Context) -> int:
    require(context.member, Capability.READ)
    args = context.args
    plan = services.get_plan(context.workspace, args.plan)
    result = services.evaluate_plan(plan, first=args.start, last=args.end)
    if args.export:
        write_output(None if args.export == "-" else args.export, exchange.export_evaluation(result), context)
        return 0
    money = result["money"]
    lines = [f"{plan.name} ({result['first_day']} – {result['last_day']}, {result['currency']})"]
    lines += [
        f"  {name}: {_na(money[name])}"
        for name in ("cost", "revenue", "profit", "roi", "roas", "cpa", "cost_per_lead")
    ]
    for row in result["kpis"]:
        share = f"{_na(row['percent'])} %, {row['status']}"
        lines.append(f"  {row['label']}: {_na(row['actual'])} / {row['expected']} ({share})")
    context.emit(services.plain(result), "\n".join(lines))
    return 0


def roi_channels(context: Context) -> int:
    require(context.member, Capability.READ)
    args = context.args
    if args.start > args.end:
        raise UsageError(_("--start must not be after --end."))
    report = services.channel_performance(context.workspace, args.start, args.end)
    if args.export:
        write_output(
            None if args.export == "-" else args.export, exchange.export_channel_performance(report), context
        )
        return 0
    rows = [{key: _na(value) for key, value in services.plain(row).items()} for row in report["channels"]]
    columns = ["name", "cost", "visits", "conversions", "revenue", "roi", "cpa"]
    context.table(
        rows if not context.json else services.plain(report)["channels"], columns, empty=_("No channels.")
    )
    return 0


def _attribution(context: Context) -> tuple[PathReport, dict]:
    args = context.args
    if args.paths:
        read = path_files.read_paths(read_input(args.paths))
        conversions = round(sum(path.conversions for path in read))
        report = PathReport(paths=read, conversions=conversions, value=sum(path.value for path in read))
        return report, attribution.compare_models(read)
    result = journeys.site_attribution(
        context.workspace, args.site, args.start, args.end, args.goal, dimension=args.by,
        lookback_days=args.lookback_days, collapse_repeats=args.collapse_repeats,
    )  # fmt: skip
    return result.paths, result.credit


def _credit_answer(report: PathReport, credit: dict) -> dict:
    shares = journeys.shares(credit)
    channels = [
        {
            "channel": channel,
            "share": shares[channel],
            "credit": {
                name: {"conversions": c.conversions, "value": c.value} for name, c in by_model.items()
            },
        }
        for channel, by_model in credit.items()
    ]
    value = round(report.value, 2)
    return {
        "conversions": report.conversions,
        "value": value,
        "channels": channels,
        "notes": journeys.explain(credit),
    }


def roi_attribution(context: Context) -> int:
    require(context.member, Capability.READ)
    args = context.args
    report, credit = _attribution(context)
    if args.export_paths:
        write_output(None if args.export_paths == "-" else args.export_paths,
                     path_files.paths_csv(report.paths), context)  # fmt: skip
    if args.export:
        write_output(None if args.export == "-" else args.export, path_files.credit_csv(credit), context)
    if args.export == "-" or args.export_paths == "-":
        return 0
    if context.json:
        context.emit(_credit_answer(report, credit))
        return 0
    rows = [
        {"channel": channel, **{model: f"{by_model[model].conversions:.1f}" for model in by_model}}
        for channel, by_model in credit.items()
    ]
    context.table(rows, ["channel", *attribution.MODEL_NAMES], empty=_("No conversions in this period."))
    notes = journeys.explain(credit)
    if notes:
        context.emit("\n".join(notes))
    return 0


def roi_evaluations(context: Context) -> int:
    require(context.member, Capability.READ)
    rows = [
        {"id": e.pk, "promotion": e.plan.name, "start": e.period_start.isoformat(),
         "end": e.period_end.isoformat(), "status": e.status, "to_change": e.to_change[:60]}
        for e in services.list_evaluations(context.workspace, search=context.args.search)[:500]
    ]  # fmt: skip
    context.table(
        rows, ["id", "promotion", "start", "end", "status", "to_change"], empty=_("No evaluations.")
    )
    return 0


def roi_due(context: Context) -> int:
    require(context.member, Capability.EVALUATE)
    created = services.create_due_evaluations()
    context.emit({"created": created}, _("%(count)d evaluation(s) created.") % {"count": created})
    return 0
