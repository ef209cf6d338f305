"""Attribution API: a site's conversions credited by every model, and the same for uploaded paths."""

from ninja import File, Query, Router
from ninja.files import UploadedFile

from netmark.core import csvio
from netmark.core.apitools import binary_answer, file_answer
from netmark.core.apitypes import responses
from netmark.core.errors import TooLarge
from netmark.roi import attribution, journeys, path_files
from netmark.roi.attribution_schemas import AttributionOut, AttributionQuery
from netmark.roi.paths import PathReport

router = Router(tags=["attribution"])


def _out(report: PathReport, credit, notes, dimension: str, **scope) -> dict:
    shares = journeys.shares(credit)
    return {
        **scope,
        "dimension": dimension,
        "models": list(attribution.MODEL_NAMES),
        "totals": {
            "journeys": report.journeys,
            "conversions": report.conversions,
            "value": round(report.value, 2),
            "unattributed_conversions": report.unattributed_conversions,
            "unattributed_value": round(report.unattributed_value, 2),
        },
        "channels": [
            {"channel": channel, "credit": by_model, "share": shares[channel]}
            for channel, by_model in credit.items()
        ],
        "top_paths": journeys.top_paths(report),
        "notes": notes,
    }


def _site_report(request, site_id: int, query: AttributionQuery):
    return journeys.site_attribution(
        request.member.workspace,
        site_id,
        query.start,
        query.end,
        query.goal,
        dimension=query.dimension,
        lookback_days=query.lookback_days,
        collapse_repeats=query.collapse_repeats,
    )


@router.get("/sites/{site_id}/attribution", response=responses({200: AttributionOut}))
def site_attribution(request, site_id: int, query: Query[AttributionQuery]):
    """Conversion paths of the site's visitors and contacts, cut at each conversion of the goals, and
    every model's credit per channel (or source, campaign, promotion) side by side."""
    result = _site_report(request, site_id, query)
    return _out(
        result.paths, result.credit, result.notes, result.dimension,
        site_id=result.site_id, start=result.start, end=result.end,
    )  # fmt: skip


@router.get(
    "/sites/{site_id}/attribution/paths.csv",
    response=responses({200: None}),
    openapi_extra=binary_answer("text/csv"),
)
def site_paths_csv(request, site_id: int, query: Query[AttributionQuery]):
    """The aggregated paths as CSV (``path, conversions, value, null``: UTF-8 with BOM)."""
    result = _site_report(request, site_id, query)
    return file_answer(path_files.paths_csv(result.paths.paths), "text/csv; charset=utf-8", "paths.csv")


@router.post("/attribution/paths", response=responses({200: AttributionOut}))
def compare_uploaded_paths(request, paths: File[UploadedFile]):
    """Every model over aggregated paths from a CSV file (``path, conversions, value, null``; touches
    joined by ``>``). Nothing is stored."""
    if paths.size is not None and paths.size > csvio.MAX_BYTES:
        raise TooLarge()
    read = path_files.read_paths(paths.read())
    credit = attribution.compare_models(read)
    conversions = round(sum(path.conversions for path in read))
    report = PathReport(paths=read, conversions=conversions, value=sum(path.value for path in read))
    return _out(report, credit, journeys.explain(credit), "uploaded")
