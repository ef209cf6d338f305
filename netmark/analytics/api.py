"""Analytics API: sites, reports (summary, time series, breakdowns, goals, funnels) and
server-side conversions. The public ingestion endpoints are not here: see ``public_urls.py``."""

from django.conf import settings
from ninja import Query, Router, Status
from ninja.pagination import paginate

from netmark.analytics import reports, services
from netmark.analytics.schemas import (
    AcceptedOut,
    ConversionsIn,
    Dimension,
    FunnelStepOut,
    GoalOut,
    GoalText,
    Interval,
    ReportFilters,
    RowOut,
    SeriesOut,
    SiteIn,
    SiteOut,
    SitePatch,
    SummaryOut,
)
from netmark.core.apitools import body, given
from netmark.core.apitypes import ErrorOut, responses
from netmark.core.pagination import Page

router = Router(tags=["analytics"])
CONFLICT = {409: ErrorOut}


def _site_out(site) -> dict:
    data = {field: getattr(site, field) for field in SiteOut.model_fields if field != "snippet"}
    data["id"] = site.pk
    data["snippet"] = services.tracker_snippet(site, settings.PUBLIC_URL)
    return data


def _report_scope(request, site_id: int, filters: ReportFilters):
    site = services.get_site(request.member.workspace, site_id)
    period = reports.period_or_default(filters.start, filters.end, site)
    return site, period, reports.parse_filters(filters.filter)


@router.get("/sites", response=responses({200: list[SiteOut]}))
@paginate(Page)
def list_sites(request):
    return [_site_out(site) for site in services.list_sites(request.member.workspace)]


@router.post("/sites", response=responses({201: SiteOut, **CONFLICT}))
def create_site(request, payload: SiteIn):
    return Status(201, _site_out(services.create_site(request.member, **body(payload))))


@router.get("/sites/{site_id}", response=responses({200: SiteOut}))
def get_site(request, site_id: int):
    return _site_out(services.get_site(request.member.workspace, site_id))


@router.patch("/sites/{site_id}", response=responses({200: SiteOut, **CONFLICT}))
def update_site(request, site_id: int, payload: SitePatch):
    return _site_out(services.update_site(request.member, site_id, **given(payload)))


@router.delete("/sites/{site_id}", response=responses({204: None}))
def delete_site(request, site_id: int):
    services.delete_site(request.member, site_id)
    return Status(204, None)


@router.get("/sites/{site_id}/summary", response=responses({200: SummaryOut}))
def summary(request, site_id: int, filters: Query[ReportFilters]):
    site, period, parsed = _report_scope(request, site_id, filters)
    return {
        "start": period.start,
        "end": period.end,
        **reports.summary(site, period, parsed),
        "realtime_visitors": reports.realtime(site),
        "filtered": reports.filtered_counts(site, period),
    }


@router.get("/sites/{site_id}/timeseries", response=responses({200: SeriesOut}))
def timeseries(request, site_id: int, filters: Query[ReportFilters], interval: Interval | None = None):
    site, period, parsed = _report_scope(request, site_id, filters)
    chosen, points = reports.timeseries(site, period, parsed, interval)
    return {"interval": chosen, "points": [{"bucket": label, **values} for label, values in points]}


@router.get("/sites/{site_id}/breakdown", response=responses({200: list[RowOut]}))
def breakdown(
    request, site_id: int, filters: Query[ReportFilters], dimension: Dimension = "path", limit: int = 10
):
    """Rows by ``dimension``: path, entry_path, exit_path, channel, source, referrer_host, the five
    UTM fields, device, browser, os, screen, language, or name (custom events)."""
    site, period, parsed = _report_scope(request, site_id, filters)
    return reports.breakdown(site, period, dimension, parsed, max(1, min(limit, 1000)))


@router.get("/sites/{site_id}/goals", response=responses({200: list[GoalOut]}))
def goals(request, site_id: int, filters: Query[ReportFilters], goal: list[GoalText] = Query([])):  # noqa: B008
    site, period, parsed = _report_scope(request, site_id, filters)
    return reports.goals(site, period, goal[:20], parsed)  # no goal asked: an empty list


@router.get("/sites/{site_id}/funnel", response=responses({200: list[FunnelStepOut]}))
def funnel(
    request,
    site_id: int,
    filters: Query[ReportFilters],
    step: list[GoalText] = Query([]),  # noqa: B008
    window_hours: int = 24,
):
    site, period, parsed = _report_scope(request, site_id, filters)
    if not step:
        return []  # no funnel asked
    return reports.funnel(site, period, step, max(1, min(window_hours, 24 * 31)), parsed)


@router.post("/conversions", response=responses({202: AcceptedOut}))
def record_conversions(request, payload: ConversionsIn):
    items = [item.model_dump() for item in payload.items]
    return Status(202, {"accepted": services.record_conversions(request.member, payload.site_id, items)})
