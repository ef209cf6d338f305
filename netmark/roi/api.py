"""roi API: costs, cost imports and mappings, currency rates, promotion evaluation, channel
performance, evaluation records and lessons, and CSV exports of each."""

import datetime

from django.http import HttpResponse
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from netmark.core import csvio
from netmark.core.apitools import body, file_answer, given
from netmark.core.apitypes import ErrorOut, responses
from netmark.core.errors import TooLarge, ValidationFailed
from netmark.core.pagination import Page
from netmark.core.roles import Capability, require
from netmark.roi import exchange, services
from netmark.roi.schemas import (
    ApplyIn,
    ChannelPerformanceOut,
    CostFilters,
    CostImportOut,
    CostIn,
    CostMappingIn,
    CostMappingOut,
    CostMappingPatch,
    CostOut,
    CostPatch,
    EvaluationFilters,
    EvaluationLessonsIn,
    EvaluationRecordOut,
    ImportOptions,
    PeriodQuery,
    RateIn,
    RateOut,
    RatePatch,
    RoiEvaluationOut,
)

router = Router(tags=["roi"])
CONFLICT = {409: ErrorOut}
CSV = {"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}}
MAX_PERIOD_DAYS = 3660


def _csv(data: bytes, filename: str) -> HttpResponse:
    return file_answer(data, "text/csv; charset=utf-8", filename)


def _filters(filters: CostFilters) -> dict:
    data = filters.model_dump()
    data["search"] = data.pop("q")
    return data


def _period(query: PeriodQuery, default_first, default_last) -> tuple[datetime.date, datetime.date]:
    first, last = query.start or default_first, query.end or default_last
    if first > last:
        raise ValidationFailed(fields={"start": "The first day must not be after the last day."})
    if (last - first).days > MAX_PERIOD_DAYS:
        raise ValidationFailed(fields={"end": "At most ten years at a time."})
    return first, last


# Costs


@router.get("/costs", response=responses({200: list[CostOut]}))
@paginate(Page)
def list_costs(request, filters: Query[CostFilters]):
    return services.list_costs(request.member.workspace, **_filters(filters))


@router.post("/costs", response=responses({201: CostOut, **CONFLICT}))
def create_cost(request, payload: CostIn):
    data = {key: value for key, value in body(payload).items() if value is not None or key.endswith("_id")}
    return Status(201, services.create_cost(request.member, **data))


@router.get("/costs/export", response=responses({200: None}), openapi_extra=CSV)
def export_costs(request, filters: Query[CostFilters]):
    require(request.member, Capability.READ)
    return _csv(exchange.export_costs(request.member.workspace, **_filters(filters)), "costs.csv")


@router.get("/costs/{cost_id}", response=responses({200: CostOut}))
def get_cost(request, cost_id: int):
    return services.get_cost(request.member.workspace, cost_id)


@router.patch("/costs/{cost_id}", response=responses({200: CostOut, **CONFLICT}))
def update_cost(request, cost_id: int, payload: CostPatch):
    return services.update_cost(request.member, cost_id, **given(payload))


@router.delete("/costs/{cost_id}", response=responses({204: None, **CONFLICT}))
def delete_cost(request, cost_id: int):
    services.delete_cost(request.member, cost_id)
    return Status(204, None)


# Imports


@router.get("/cost-imports", response=responses({200: list[CostImportOut]}))
@paginate(Page)
def list_imports(request):
    return services.list_imports(request.member.workspace)


@router.post("/cost-imports", response=responses({201: CostImportOut}))
def create_import(request, report: File[UploadedFile], options: Form[ImportOptions]):
    """``report``: an ad-spend or affiliate export (UTF-8, UTF-8 with BOM, GBK, UTF-16). With
    ``dry_run`` only a preview is made; otherwise it is applied, all or nothing unless ``partial`` (422
    ``import_failed`` names each bad row in ``fields`` as ``"<row>:<column>"``)."""
    require(request.member, Capability.EXECUTE)
    if report.size is not None and report.size > csvio.MAX_BYTES:
        raise TooLarge()
    cost_import = services.import_costs(
        request.member,
        report.read(),
        filename=report.name or "",
        currency=options.currency or None,
        dry_run=options.dry_run,
        partial=options.partial,
    )
    return Status(201, cost_import)


@router.get("/cost-imports/{import_id}", response=responses({200: CostImportOut}))
def get_import(request, import_id: int):
    return services.get_import(request.member.workspace, import_id)


@router.get("/cost-imports/{import_id}/errors", response=responses({200: None}), openapi_extra=CSV)
def export_import_errors(request, import_id: int):
    cost_import = services.get_import(request.member.workspace, import_id)
    return _csv(exchange.export_import_errors(cost_import), f"import-{cost_import.pk}-errors.csv")


@router.post("/cost-imports/{import_id}/apply", response=responses({200: CostImportOut, **CONFLICT}))
def apply_import(request, import_id: int, payload: ApplyIn):
    return services.apply_import(request.member, import_id, partial=payload.partial)


# Mappings


@router.get("/cost-mappings", response=responses({200: list[CostMappingOut]}))
@paginate(Page)
def list_mappings(request):
    return services.list_mappings(request.member.workspace)


@router.post("/cost-mappings", response=responses({201: CostMappingOut, **CONFLICT}))
def create_mapping(request, payload: CostMappingIn):
    return Status(201, services.create_mapping(request.member, **body(payload)))


@router.get("/cost-mappings/export", response=responses({200: None}), openapi_extra=CSV)
def export_mappings(request):
    return _csv(exchange.export_mappings(request.member.workspace), "cost-mappings.csv")


@router.get("/cost-mappings/{mapping_id}", response=responses({200: CostMappingOut}))
def get_mapping(request, mapping_id: int):
    return services.get_mapping(request.member.workspace, mapping_id)


@router.patch("/cost-mappings/{mapping_id}", response=responses({200: CostMappingOut, **CONFLICT}))
def update_mapping(request, mapping_id: int, payload: CostMappingPatch):
    return services.update_mapping(request.member, mapping_id, **given(payload))


@router.delete("/cost-mappings/{mapping_id}", response=responses({204: None, **CONFLICT}))
def delete_mapping(request, mapping_id: int):
    services.delete_mapping(request.member, mapping_id)
    return Status(204, None)


# Currency rates


@router.get("/currency-rates", response=responses({200: list[RateOut]}))
@paginate(Page)
def list_rates(request):
    return services.list_rates(request.member.workspace)


@router.post("/currency-rates", response=responses({201: RateOut, **CONFLICT}))
def create_rate(request, payload: RateIn):
    return Status(201, services.create_rate(request.member, **body(payload)))


@router.get("/currency-rates/export", response=responses({200: None}), openapi_extra=CSV)
def export_rates(request):
    return _csv(exchange.export_rates(request.member.workspace), "currency-rates.csv")


@router.get("/currency-rates/{rate_id}", response=responses({200: RateOut}))
def get_rate(request, rate_id: int):
    return services.get_rate(request.member.workspace, rate_id)


@router.patch("/currency-rates/{rate_id}", response=responses({200: RateOut, **CONFLICT}))
def update_rate(request, rate_id: int, payload: RatePatch):
    return services.update_rate(request.member, rate_id, **given(payload))


@router.delete("/currency-rates/{rate_id}", response=responses({204: None, **CONFLICT}))
def delete_rate(request, rate_id: int):
    services.delete_rate(request.member, rate_id)
    return Status(204, None)


# Evaluation


def _evaluation(request, plan_id: int, period: PeriodQuery) -> dict:
    plan = services.get_plan(request.member.workspace, plan_id)
    first, last = _period(period, plan.starts_on, plan.ends_on)
    return services.evaluate_plan(plan, first=first, last=last)


@router.get("/plans/{plan_id}/roi-evaluation", response=responses({200: RoiEvaluationOut}))
def plan_evaluation(request, plan_id: int, period: Query[PeriodQuery]):
    """Expected against actual per KPI, cost, revenue, profit, ROI, ROAS (投入产出比), CPA, cost per
    lead, and the same per channel; ratios with a zero divisor are null."""
    return _evaluation(request, plan_id, period)


@router.get("/plans/{plan_id}/roi-evaluation/export", response=responses({200: None}), openapi_extra=CSV)
def export_plan_evaluation(request, plan_id: int, period: Query[PeriodQuery]):
    return _csv(
        exchange.export_evaluation(_evaluation(request, plan_id, period)), f"evaluation-{plan_id}.csv"
    )


@router.get("/plans/{plan_id}/evaluations", response=responses({200: list[EvaluationRecordOut]}))
def list_plan_evaluations(request, plan_id: int):
    plan = services.get_plan(request.member.workspace, plan_id)
    return list(services.list_evaluations(request.member.workspace, plan_id=plan.pk))


@router.post("/plans/{plan_id}/evaluations", response=responses({201: list[EvaluationRecordOut]}))
def create_plan_evaluations(request, plan_id: int):
    """Creates the missing evaluation records of the plan's ended occurrences (idempotent); answers
    all of the plan's evaluations."""
    return Status(201, services.create_plan_evaluations(request.member, plan_id))


def _performance(request, period: PeriodQuery) -> dict:
    today = datetime.date.today()
    first, last = _period(period, today - datetime.timedelta(days=29), today)
    return services.channel_performance(request.member.workspace, first, last)


@router.get("/channel-performance", response=responses({200: ChannelPerformanceOut}))
def channel_performance(request, period: Query[PeriodQuery]):
    """Per channel account: spend (people time included), visits, conversions, revenue, ROI, CPA."""
    return _performance(request, period)


@router.get("/channel-performance/export", response=responses({200: None}), openapi_extra=CSV)
def export_channel_performance(request, period: Query[PeriodQuery]):
    return _csv(exchange.export_channel_performance(_performance(request, period)), "channel-performance.csv")


@router.get("/evaluations", response=responses({200: list[EvaluationRecordOut]}))
@paginate(Page)
def list_evaluations(request, filters: Query[EvaluationFilters]):
    return services.list_evaluations(
        request.member.workspace, plan_id=filters.plan_id, status=filters.status, search=filters.q
    )


@router.get("/evaluations/export", response=responses({200: None}), openapi_extra=CSV)
def export_evaluations(request, filters: Query[EvaluationFilters]):
    data = exchange.export_evaluations(
        request.member.workspace, plan_id=filters.plan_id, status=filters.status, search=filters.q
    )
    return _csv(data, "evaluations.csv")


@router.get("/evaluations/{evaluation_id}", response=responses({200: EvaluationRecordOut}))
def get_evaluation(request, evaluation_id: int):
    return services.get_evaluation(request.member.workspace, evaluation_id)


@router.patch("/evaluations/{evaluation_id}", response=responses({200: EvaluationRecordOut}))
def write_lessons(request, evaluation_id: int, payload: EvaluationLessonsIn):
    data = given(payload)
    refresh = bool(data.pop("refresh_numbers", False))
    return services.write_lessons(request.member, evaluation_id, refresh_numbers=refresh, **data)
