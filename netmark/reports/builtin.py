"""The sections built from what planning, analytics and links offer: plans against results,
website traffic per site, tracked links with clicks, lessons learned."""

import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netmark.analytics import reports as traffic
from netmark.analytics import services as analytics
from netmark.core.scoping import scoped
from netmark.links import clicks
from netmark.links import services as links
from netmark.planning import services as planning
from netmark.planning.models import Plan
from netmark.reports.sections import Chart, ReportPeriod, Section, SectionData, Table, register_section

MAX_PLANS = 50
MAX_LINKS = 50
CHART_BARS = 12
BREAKDOWN_ROWS = 10
HUNDRED = Decimal(100)


def _plans(workspace, period: ReportPeriod):
    plans = scoped(Plan, workspace).exclude(status=Plan.Status.DRAFT)
    if period.plan_id is not None:
        return plans.filter(pk=period.plan_id)
    return plans.filter(starts_on__lte=period.end, ends_on__gte=period.start)


def attainment(expected: Decimal, actual) -> Decimal | None:
    """Actual as a percentage of the target, one decimal; None when unmeasured or no target."""
    if actual is None or not expected:
        return None
    return (Decimal(str(actual)) / expected * HUNDRED).quantize(Decimal("0.1"))


def target_status(row, percent: Decimal | None) -> str:
    if percent is None:
        return _("not measured")
    met = percent >= HUNDRED if row.higher_is_better else percent <= HUNDRED
    return _("met") if met else _("behind")


def build_plans(workspace, period: ReportPeriod, language: str) -> SectionData:
    rows, labels, values = [], [], []
    for plan in _plans(workspace, period).order_by("starts_on", "id")[:MAX_PLANS]:
        for row in planning.expected_vs_actual(plan):
            percent = attainment(row.expected, row.actual)
            rows.append(
                [plan.name, row.label, row.expected, row.actual, percent, target_status(row, percent)]
            )
            if percent is not None and len(labels) < CHART_BARS:
                labels.append(f"{plan.name} · {row.label}")
                values.append(float(percent))
    if not rows:
        return SectionData(empty=_("No promotion with targets ran in this period."))
    headers = [_("Promotion"), _("KPI"), _("Expected"), _("Actual"), _("Target reached (%)"), _("Status")]
    charts = [Chart(_("Percent of target"), "bar", labels, [(_("Target reached (%)"), values)], unit="%")]
    return SectionData(tables=[Table(headers, rows, numeric=(2, 3, 4))], charts=charts if labels else [])


def _site_tables(site, period) -> list[Table]:
    tables = []
    for dimension, title in (("channel", _("Channels")), ("utm_campaign", _("Campaigns"))):
        found = traffic.breakdown(site, period, dimension, limit=BREAKDOWN_ROWS)
        rows = [[row["value"] or "—", row["visitors"], row["visits"], row["pageviews"]] for row in found]
        if rows:
            headers = [title, _("Visitors"), _("Visits"), _("Pageviews")]
            tables.append(Table(headers, rows, title=f"{site.name}: {title}", numeric=(1, 2, 3)))
    return tables


def _daily_chart(site, window, period: ReportPeriod) -> Chart:
    """Visitors and pageviews on every day of the period (days without visits show zero)."""
    _interval, points = traffic.timeseries(site, window, interval="day")
    found = dict(points)
    labels = [(period.start + datetime.timedelta(days=n)).isoformat() for n in range(period.days)]
    series = [
        (_(name), [found.get(label, {}).get(field, 0) for label in labels])
        for name, field in (("Visitors", "visitors"), ("Pageviews", "pageviews"))
    ]
    return Chart(f"{site.name}: {_('visitors and pageviews')}", "line", labels, series)


def build_traffic(workspace, period: ReportPeriod, language: str) -> SectionData:
    data = SectionData()
    window = traffic.Period(period.start, period.end)
    summary_rows = []
    for site in analytics.list_sites(workspace).order_by("name", "id"):
        current = traffic.summary(site, window)["current"]
        summary_rows.append(
            [
                site.name,
                current["visitors"],
                current["visits"],
                current["pageviews"],
                Decimal(str(current["bounce_rate"] * 100)).quantize(Decimal("0.1")),
            ]
        )
        data.charts.append(_daily_chart(site, window, period))
        data.tables.extend(_site_tables(site, window))
    if not summary_rows:
        return SectionData(empty=_("No website is measured yet."))
    headers = [_("Site"), _("Visitors"), _("Visits"), _("Pageviews"), _("Bounce rate (%)")]
    data.tables.insert(0, Table(headers, summary_rows, title=_("Totals"), numeric=(1, 2, 3, 4)))
    return data


def build_links(workspace, period: ReportPeriod, language: str) -> SectionData:
    plans = _plans(workspace, period).values("pk")
    found = links.list_links(workspace).filter(plan__in=plans).select_related("plan", "channel_account")
    found = clicks.with_stats(list(found[:MAX_LINKS]))
    if not found:
        return SectionData(empty=_("No tracked link of a promotion that ran in this period."))
    found.sort(key=lambda link: (-link.clicks["unique"], link.pk))
    rows = [
        [
            link.name or link.code,
            link.plan.name,
            link.channel_account.name,
            link.utm_campaign,
            link.clicks["raw"],
            link.clicks["unique"],
            link.clicks["bots"],
        ]
        for link in found
    ]
    headers = [_("Link"), _("Promotion"), _("Channel"), "utm_campaign", _("Clicks"), _("Unique"), _("Bots")]
    top = rows[:CHART_BARS]
    chart = Chart(
        _("Unique clicks"), "bar", [row[0] for row in top], [(_("Unique"), [row[5] for row in top])]
    )
    note = _("Clicks are counted since each link was created.")
    return SectionData(tables=[Table(headers, rows, numeric=(4, 5, 6))], charts=[chart], notes=[note])


def build_lessons(workspace, period: ReportPeriod, language: str) -> SectionData:
    plans = scoped(Plan, workspace).filter(~Q(lessons_learned=""))
    if period.plan_id is not None:
        plans = plans.filter(pk=period.plan_id)
    else:
        plans = plans.filter(ends_on__gte=period.start, ends_on__lte=period.end)
    rows = [[plan.name, plan.ends_on, plan.lessons_learned] for plan in plans.order_by("ends_on", "id")]
    if not rows:
        return SectionData(empty=_("No promotion that ended in this period has lessons written down."))
    return SectionData(tables=[Table([_("Promotion"), _("Ended"), _("Lessons learned")], rows)])


def register_all() -> None:
    register_section(Section("plans", gettext_lazy("Plans against results"), build_plans, order=10))
    register_section(Section("traffic", gettext_lazy("Website traffic"), build_traffic, order=20))
    register_section(Section("links", gettext_lazy("Tracked links"), build_links, order=30))
    register_section(
        Section(
            "lessons",
            gettext_lazy("Lessons learned"),
            build_lessons,
            template="reports/sections/_lessons.html",
            order=90,
        )
    )
