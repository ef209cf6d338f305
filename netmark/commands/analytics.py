"""``netmark analytics process|sites|summary|breakdown|goals|funnel``: the analytics reports and the
event processor on the command line."""

import argparse
import datetime
import signal
import threading

from django.utils.translation import gettext as _

from netmark.analytics import reports, services
from netmark.analytics.models import Site
from netmark.commands.base import Commands, Context
from netmark.core.errors import NotFound
from netmark.core.roles import Capability, require
from netmark.core.scoping import scoped


def register(commands: Commands) -> None:
    parser = commands.verb("analytics", "process", process, _("move received events into visits and reports"))
    parser.add_argument(
        "--follow", action="store_true", help=_("keep going until stopped (the server runs this)")
    )
    parser.add_argument("--interval", type=float, default=1.0, help=_("seconds between rounds with --follow"))
    commands.verb("analytics", "sites", site_list, _("list the measured sites"))
    for verb, handler, text in (
        ("summary", summary, _("visitors, visits, pageviews, bounce rate, duration and revenue")),
        ("breakdown", breakdown, _("a table by one dimension (pages, sources, UTM, devices ...)")),
        ("goals", goals, _("goal conversions and conversion rates")),
        ("funnel", funnel, _("visitors and drop-off per funnel step")),
    ):
        parser = commands.verb("analytics", verb, handler, text)
        parser.add_argument("--site", required=True, help=_("the site's domain or id"))
        parser.add_argument("--start", type=_date, metavar="YYYY-MM-DD")
        parser.add_argument("--end", type=_date, metavar="YYYY-MM-DD")
        parser.add_argument("--filter", action="append", default=[], metavar="DIMENSION:VALUE")
        if verb == "breakdown":
            parser.add_argument("dimension", choices=reports.BREAKDOWNS)
            parser.add_argument("--limit", type=int, default=20)
        if verb == "goals":
            parser.add_argument("--goal", action="append", required=True, metavar="event:NAME|page:PATTERN")
        if verb == "funnel":
            parser.add_argument("--step", action="append", required=True, metavar="event:NAME|page:PATTERN")
            parser.add_argument("--window-hours", type=int, default=24)


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("expected a date such as 2026-10-12")) from None


def process(context: Context) -> int:
    """One round, or rounds until SIGTERM/SIGINT; a stop lets the batch in hand finish."""
    args = context.args
    stopping = threading.Event()
    if args.follow:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
    while True:
        moved = services.process_pending()
        if not args.follow:
            context.emit({"processed": moved}, _("%(count)d events processed.") % {"count": moved})
            return 0
        if stopping.is_set():
            return 0
        if not moved:
            stopping.wait(max(0.05, args.interval))


def site_list(context: Context) -> int:
    require(context.member, Capability.READ)
    rows = [
        {
            "id": site.pk,
            "name": site.name,
            "domain": site.domain,
            "timezone": site.timezone,
            "active": site.is_active,
        }
        for site in services.list_sites(context.workspace)
    ]
    context.table(rows, ["id", "name", "domain", "timezone", "active"], empty=_("No sites yet."))
    return 0


def _scope(context: Context):
    require(context.member, Capability.READ)
    key = context.args.site
    sites = scoped(Site, context.workspace)
    site = sites.filter(pk=int(key)).first() if key.isdigit() else sites.filter(domain=key.lower()).first()
    if site is None:
        raise NotFound(_("No site of this workspace matches %(key)s.") % {"key": key})
    period = reports.period_or_default(context.args.start, context.args.end, site)
    return site, period, reports.parse_filters(context.args.filter)


def summary(context: Context) -> int:
    site, period, filters = _scope(context)
    data = reports.summary(site, period, filters)
    current = data["current"]
    lines = [f"{site.domain}  {period.start} – {period.end}"]
    for key in ("visitors", "visits", "pageviews", "views_per_visit", "bounce_rate", "mean_duration_s"):
        change = data["change"].get(key)
        suffix = f"  ({change:+.1%})" if change is not None else ""
        lines.append(f"  {key:<16} {current[key]}{suffix}")
    lines.append(f"  {'revenue':<16} {current['revenue_micros'] / 1_000_000:.2f}")
    context.emit({"start": str(period.start), "end": str(period.end), **data}, "\n".join(lines))
    return 0


def breakdown(context: Context) -> int:
    site, period, filters = _scope(context)
    rows = reports.breakdown(
        site, period, context.args.dimension, filters, max(1, min(context.args.limit, 1000))
    )
    context.table(rows, ["value", "visitors", "visits", "pageviews", "bounce_rate"], empty=_("No data."))
    return 0


def goals(context: Context) -> int:
    site, period, filters = _scope(context)
    rows = reports.goals(site, period, context.args.goal, filters)
    context.table(rows, ["goal", "visitors", "conversions", "conversion_rate"], empty=_("No goals."))
    return 0


def funnel(context: Context) -> int:
    site, period, filters = _scope(context)
    rows = reports.funnel(site, period, context.args.step, context.args.window_hours, filters)
    context.table(rows, ["step", "visitors", "drop_off", "conversion_from_start"], empty=_("No steps."))
    return 0
