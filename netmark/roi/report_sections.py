"""The roi sections of periodic reports (registered with ``reports.sections`` at start-up): ROI by
channel and ROI by promotion over the report's days, in the workspace currency, and attribution:
every sale of each site credited to channels by the main models side by side."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netmark.analytics import services as analytics
from netmark.core.scoping import scoped
from netmark.planning.models import Plan
from netmark.reports.sections import Chart, Section, SectionData, Table, register_section
from netmark.roi import evaluation, journeys

MAX_SITES = 5
REPORT_MODELS = ("first_touch", "last_touch", "linear", "markov", "shapley")

MAX_PROMOTIONS = 50


def _ratio(value) -> float | None:
    return None if value is None else round(float(value), 4)


def build_roi_by_channel(workspace, period, language) -> SectionData:
    if period.plan_id:
        plan = scoped(Plan, workspace).filter(pk=period.plan_id).first()
        rows = evaluation.evaluate_plan(plan, first=period.start, last=period.end)["channels"] if plan else []
    else:
        rows = evaluation.channel_performance(workspace, period.start, period.end)["channels"]
    rows = [row for row in rows if row["cost"] or row["revenue"] or row["visits"]]
    if not rows:
        return SectionData(empty=_("No cost, visit or revenue on any channel in this period."))
    names = [row["name"] or _("(no channel)") for row in rows]
    table = Table(
        [
            _("Channel"),
            _("Cost"),
            _("Visits"),
            _("Conversions"),
            _("Revenue"),
            "ROI",
            _("ROAS (投入产出比)"),
            "CPA",
        ],
        [
            [
                name,
                row["cost"],
                row["visits"],
                row["conversions"],
                row["revenue"],
                _ratio(row["roi"]),
                _ratio(row["roas"]),
                row["cpa"],
            ]
            for name, row in zip(names, rows, strict=True)
        ],  # fmt: skip
        numeric=(1, 2, 3, 4, 5, 6, 7),
        title=_("In %(currency)s") % {"currency": workspace.currency},
    )
    chart = Chart(_("ROI by channel"), "bar", names, [("ROI", [_ratio(row["roi"]) for row in rows])])
    return SectionData(tables=[table], charts=[chart])


def build_roi_by_promotion(workspace, period, language) -> SectionData:
    plans = scoped(Plan, workspace).exclude(status=Plan.Status.DRAFT)
    plans = plans.filter(starts_on__lte=period.end, ends_on__gte=period.start).order_by("starts_on", "pk")
    if period.plan_id:
        plans = plans.filter(pk=period.plan_id)
    rows = []
    for plan in plans[:MAX_PROMOTIONS]:
        first, last = max(plan.starts_on, period.start), min(plan.ends_on, period.end)
        money = evaluation.evaluate_plan(plan, first=first, last=last)["money"]
        rows.append([plan.name, money["cost"], money["revenue"], money["profit"], _ratio(money["roi"]),
                     _ratio(money["roas"]), money["cpa"], money["cost_per_lead"]])  # fmt: skip
    if not rows:
        return SectionData(empty=_("No promotion ran in this period."))
    table = Table(
        [
            _("Promotion"),
            _("Cost"),
            _("Revenue"),
            _("Profit"),
            "ROI",
            _("ROAS (投入产出比)"),
            "CPA",
            _("Cost per lead"),
        ],
        rows,
        numeric=(1, 2, 3, 4, 5, 6, 7),
        title=_("In %(currency)s") % {"currency": workspace.currency},
    )
    chart = Chart(_("ROI by promotion"), "bar", [row[0] for row in rows], [("ROI", [row[4] for row in rows])])
    return SectionData(tables=[table], charts=[chart])


def build_attribution(workspace, period, language) -> SectionData:
    """Per active site: its sales (server-side conversions and events with revenue) in the report's
    days, the conversions each model credits to each channel (labelled by promotion in a
    per-promotion report), the share chart and the notes on where the models disagree."""
    dimension = "promotion" if period.plan_id else "channel"
    labels = journeys.model_labels()
    data = SectionData()
    for site in analytics.list_sites(workspace).filter(is_active=True)[:MAX_SITES]:
        report = journeys.site_attribution(
            workspace, site.pk, period.start, period.end, [], dimension=dimension, in_words=True
        )
        if not report.credit:
            continue
        channels = sorted(report.credit, key=lambda c: (-report.credit[c]["linear"].conversions, c))
        rows = [
            [channel, *(round(report.credit[channel][model].conversions, 2) for model in REPORT_MODELS)]
            for channel in channels
        ]
        title = _("%(site)s: %(count)d sales") % {"site": site.name, "count": report.paths.conversions}
        headers = [_("Promotion") if period.plan_id else _("Channel"), *(labels[m] for m in REPORT_MODELS)]
        data.tables.append(Table(headers, rows, title=title, numeric=tuple(range(1, len(headers)))))
        shares = journeys.shares(report.credit)
        series = [(labels[m], [round(100 * shares[c][m], 1) for c in channels]) for m in REPORT_MODELS[::2]]
        data.charts.append(Chart(_("Share of sales by model: %(site)s") % {"site": site.name}, "bar",
                                 channels, series, unit="%"))  # fmt: skip
        data.notes.extend(report.notes)
    if data.is_empty:
        data.empty = _("No sale on any site in this period, so there is nothing to attribute.")
    return data


def register() -> None:
    register_section(
        Section("roi_by_channel", gettext_lazy("ROI by channel"), build_roi_by_channel, order=40)
    )
    register_section(
        Section("roi_by_promotion", gettext_lazy("ROI by promotion"), build_roi_by_promotion, order=41)
    )
    register_section(
        Section(
            "attribution",
            gettext_lazy("Attribution"),
            build_attribution,
            order=42,
            description=gettext_lazy("Which channels brought the sales, under five models side by side."),
        )
    )
