"""``netmark mailing lists|subscribe|campaigns|campaign-start|campaign-pause|campaign-resume|
campaign-cancel|campaign-progress|campaign-export``: lists and campaigns from the command line."""

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from netmark.commands.base import Commands, Context, UsageError, write_output
from netmark.mailing import campaigns, lists

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
    ):
        handler = {"campaign-progress": show_progress, "campaign-export": export}.get(verb, change_status)
        parser = commands.verb("mailing", verb, handler, handler_help)
        parser.add_argument("campaign", type=int, metavar="ID")
        parser.set_defaults(status_verb=verb)
        if verb == "campaign-start":
            parser.add_argument("--at", help=_("ISO time, e.g. 2026-03-02T09:30+08:00"))
        if verb == "campaign-export":
            parser.add_argument("--file", help=_("where to write the export (default: stdout)"))


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


def show_progress(context: Context) -> int:
    report = campaigns.progress(campaigns.get_campaign(context.workspace, context.args.campaign))
    states = report["states"]
    text = _("%(status)s: %(sent)s sent, %(failed)s failed, %(uncertain)s uncertain, %(skipped)s skipped, "
             "%(total)s in all (%(percent)s%%)") % {
        "status": report["status"], "sent": states["sent"], "failed": states["failed"],
        "uncertain": report["uncertain"], "skipped": states["skipped"], "total": report["total"],
        "percent": report["done_percent"],
    }  # fmt: skip
    context.emit(report, text)
    return 0


def export(context: Context) -> int:
    campaign = campaigns.get_campaign(context.workspace, context.args.campaign)
    write_output(context.args.file, campaigns.export_recipients(campaign), context)
    return 0
