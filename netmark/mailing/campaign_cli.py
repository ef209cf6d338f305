"""``netmark mailing lists|subscribe|campaigns|campaign-start|campaign-pause|campaign-resume|
campaign-cancel|campaign-progress|campaign-export|campaign-report``: lists and campaigns from the
command line."""

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from netmark.commands.base import Commands, Context, UsageError, write_output
from netmark.mailing import campaign_reports, campaigns, lists

STATUS_VERBS = {"campaign-start": "sending", "campaign-resume": "sending", "campaign-pause": "paused",
                "campaign-cancel": "cancelled"}  # fmt: skip


def register(commands: Commands) -> None:
    commands.verb("mailing", "lists", list_lists, _("list the mailing lists and their subscribers"))
    parser = commands.verb("mailing", "subscribe", subscribe, _("subscribe an address (double opt-in)"))
    parser.add_argument("--list", required=True, metavar="ID", type=int, dest="list_id")
    parser.add_argument("email")
    parser.add_argument("--name", default="")
    parser.add_argument("--language", choices=["zh-hans", "en"], default="")
    commands.verb("mailing", "campaigns", list_campaigns, _("list the campaigns"))
    for verb, handler_help in (
        ("campaign-start", _("start a campaign now or at --at")),
        ("campaign-pause", _("pause a campaign")),
        ("campaign-resume", _("resume a paused campaign")),
        ("campaign-cancel", _("cancel a campaign")),
        ("campaign-progress", _("show a campaign's progress")),
        ("campaign-export", _("export a campaign's recipients as CSV")),
        ("campaign-report", _("export a campaign's engagement report with conversions and revenue as CSV")),
    ):
        handlers = {"campaign-progress": show_progress, "campaign-export": export, "campaign-report": report}
        handler = handlers.get(verb, change_status)
        parser = commands.verb("mailing", verb, handler, handler_help)
        parser.add_argument("campaign", type=int, metavar="ID")
        parser.set_defaults(status_verb=verb)
        if verb == "campaign-start":
            parser.add_argument("--at", help=_("ISO time, e.g. 2026-03-02T09:30+08:00"))
        if verb in ("campaign-export", "campaign-report"):
            parser.add_argument("--file", help=_("where to write the export (default: stdout)"))
        if verb in ("campaign-progress", "campaign-report"):
            parser.add_argument(
                "--model",
                choices=campaign_reports.MODELS,
                default="last_touch",
                help=_("attribution model of the conversions (default: last touch)"),
            )
            parser.add_argument("--goal", action="append", default=[], metavar="GOAL",
                                help=_("event:<name> or page:<pattern> (default: every sale)"))  # fmt: skip


def list_lists(context: Context) -> int:
    rows = [{"id": row.pk, "name": row.name, "language": row.language, **lists.status_counts(row)}
            for row in lists.list_lists(context.workspace)]  # fmt: skip
    context.table(rows, ["id", "name", "language", "confirmed", "unconfirmed", "unsubscribed"],
                  empty=_("No mailing list yet."))  # fmt: skip
    return 0


def subscribe(context: Context) -> int:
    args = context.args
    row = lists.subscribe_member(
        context.member, args.list_id, args.email, name=args.name, language=args.language, source="cli"
    )
    text = _("%(email)s is %(status)s; a confirmation email is queued.") % {
        "email": row.contact.email, "status": row.get_status_display()}  # fmt: skip
    context.emit({"id": row.pk, "email": row.contact.email, "status": row.status}, text)
    return 0


def list_campaigns(context: Context) -> int:
    rows = [{"id": c.pk, "name": c.name, "status": c.status, "started_at": c.started_at}
            for c in campaigns.list_campaigns(context.workspace)[:1000]]  # fmt: skip
    context.table(rows, ["id", "name", "status", "started_at"], empty=_("No campaign yet."))
    return 0


def change_status(context: Context) -> int:
    args = context.args
    at = None
    if getattr(args, "at", None):
        at = parse_datetime(args.at)
        if at is None or at.tzinfo is None:
            raise UsageError(_("Give --at with a time zone, e.g. 2026-03-02T09:30+08:00."))
    campaign = campaigns.change_status(context.member, args.campaign, STATUS_VERBS[args.status_verb], at=at)
    context.emit(
        {"id": campaign.pk, "status": campaign.status}, f"{campaign.pk} {campaign.get_status_display()}"
    )
    return 0


def _credit(context: Context, campaign):
    args = context.args
    return campaign_reports.conversions(campaign, model=args.model, goals=args.goal)


def show_progress(context: Context) -> int:
    campaign = campaigns.get_campaign(context.workspace, context.args.campaign)
    credit = _credit(context, campaign)
    report = campaign_reports.progress(campaign, attribution=credit)
    states = report["states"]
    lines = [_("%(status)s: %(sent)s sent, %(failed)s failed, %(uncertain)s uncertain, %(skipped)s skipped, "
               "%(total)s in all (%(percent)s%%)") % {
        "status": report["status"], "sent": states["sent"], "failed": states["failed"],
        "uncertain": report["uncertain"], "skipped": states["skipped"], "total": report["total"],
        "percent": report["done_percent"],
    }]  # fmt: skip
    if credit is not None:
        values = {name: credit[name] for name in ("model", "conversions", "revenue")}
        lines.append(_("Conversions (%(model)s): %(conversions)s, revenue %(revenue)s") % values)
        for key, row in credit["variants"].items() if len(credit["variants"]) > 1 else ():
            lines.append(f"  {key}: {row['conversions']} / {row['revenue']}")
    context.emit(report, "\n".join(lines))
    return 0


def report(context: Context) -> int:
    campaign = campaigns.get_campaign(context.workspace, context.args.campaign)
    data = campaign_reports.export_report(campaign, _credit(context, campaign))
    write_output(context.args.file, data, context)
    return 0


def export(context: Context) -> int:
    campaign = campaigns.get_campaign(context.workspace, context.args.campaign)
    write_output(context.args.file, campaigns.export_recipients(campaign), context)
    return 0
