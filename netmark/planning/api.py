"""Planning API: channel types, channel accounts, plans, evaluation, calendar and KPIs."""

from datetime import date

from ninja import Query, Router, Status
from ninja.pagination import paginate

from netmark.core.apitools import body, given
from netmark.core.apitypes import ErrorOut, responses
from netmark.core.kpis import all_kpis
from netmark.core.pagination import Page
from netmark.core.scoping import get_for
from netmark.planning import services
from netmark.planning.models import ChannelAccount
from netmark.planning.schemas import (
    CalendarEntryOut,
    ChannelAccountIn,
    ChannelAccountOut,
    ChannelAccountPatch,
    ChannelTypeOut,
    EvaluationOut,
    FeedOut,
    IsoDate,
    KpiOut,
    LessonsIn,
    PlanFilters,
    PlanIn,
    PlannerOut,
    PlannerPlanIn,
    PlannerQuery,
    PlanOut,
    PlanPatch,
    StatusIn,
    WarningsOut,
)

router = Router(tags=["planning"])
CONFLICT = {409: ErrorOut}


@router.get("/channel-types", response=responses({200: list[ChannelTypeOut]}))
def list_channel_types(request):
    return services.list_channel_types()


@router.get("/channels", response=responses({200: list[ChannelAccountOut]}))
@paginate(Page)
def list_channels(request, active: bool | None = None):
    return services.list_channel_accounts(request.member.workspace, active=active)


@router.post("/channels", response=responses({201: ChannelAccountOut, **CONFLICT}))
def create_channel(request, payload: ChannelAccountIn):
    return Status(201, services.create_channel_account(request.member, **body(payload)))


@router.get("/channels/{channel_id}", response=responses({200: ChannelAccountOut}))
def get_channel(request, channel_id: int):
    return get_for(ChannelAccount, request.member.workspace, channel_id)


@router.patch("/channels/{channel_id}", response=responses({200: ChannelAccountOut, **CONFLICT}))
def update_channel(request, channel_id: int, payload: ChannelAccountPatch):
    return services.update_channel_account(request.member, channel_id, **given(payload))


@router.delete("/channels/{channel_id}", response=responses({204: None, **CONFLICT}))
def delete_channel(request, channel_id: int):
    services.delete_channel_account(request.member, channel_id)
    return Status(204, None)


@router.get("/plans", response=responses({200: list[PlanOut]}))
@paginate(Page)
def list_plans(request, filters: Query[PlanFilters]):
    active_between = None
    if filters.from_ or filters.to:
        active_between = (filters.from_ or date.min, filters.to or date.max)
    return services.list_plans(
        request.member.workspace,
        status=filters.status,
        search=filters.search,
        owner_id=filters.owner_id,
        active_between=active_between,
    )


@router.post("/plans", response=responses({201: PlanOut, **CONFLICT}))
def create_plan(request, payload: PlanIn):
    plan = services.create_plan(request.member, **body(payload))
    return Status(201, services.get_plan(request.member.workspace, plan.pk))


@router.get("/plans/{plan_id}", response=responses({200: PlanOut}))
def get_plan(request, plan_id: int):
    return services.get_plan(request.member.workspace, plan_id)


@router.patch("/plans/{plan_id}", response=responses({200: PlanOut, **CONFLICT}))
def update_plan(request, plan_id: int, payload: PlanPatch):
    plan = services.update_plan(request.member, plan_id, **given(payload))
    return services.get_plan(request.member.workspace, plan.pk)


@router.delete("/plans/{plan_id}", response=responses({204: None, **CONFLICT}))
def delete_plan(request, plan_id: int):
    services.delete_plan(request.member, plan_id)
    return Status(204, None)


@router.post("/plans/{plan_id}/status", response=responses({200: PlanOut}))
def set_plan_status(request, plan_id: int, payload: StatusIn):
    plan = services.set_plan_status(request.member, plan_id, payload.status)
    return services.get_plan(request.member.workspace, plan.pk)


@router.put("/plans/{plan_id}/lessons", response=responses({200: PlanOut}))
def record_lessons(request, plan_id: int, payload: LessonsIn):
    plan = services.record_lessons(request.member, plan_id, payload.lessons_learned)
    return services.get_plan(request.member.workspace, plan.pk)


@router.get("/plans/{plan_id}/evaluation", response=responses({200: EvaluationOut}))
def plan_evaluation(request, plan_id: int):
    plan = services.get_plan(request.member.workspace, plan_id)
    return {
        "plan_id": plan.pk,
        "currency": plan.currency,
        "budget_total": plan.budget_total,
        "rows": services.expected_vs_actual(plan),
    }


def _recommendation_out(workspace, recommendation) -> dict:
    return {
        "currency": workspace.currency,
        "chosen": recommendation.chosen,
        "left_out": [
            {"code": code, "name": name, "reason": why} for code, name, why in recommendation.left_out
        ],
        "warnings": recommendation.warnings,
    }


@router.get("/channel-planner", response=responses({200: PlannerOut}))
def channel_planner(request, query: Query[PlannerQuery]):
    """Three to five channels for an audience (and product) within the budget and hours, with the
    reasons for each choice and for each channel left out."""
    workspace = request.member.workspace
    return _recommendation_out(workspace, services.recommend_channels(workspace, **query.dict()))


@router.post("/channel-planner/plans", response=responses({201: PlanOut, **CONFLICT}))
def plan_from_planner(request, payload: PlannerPlanIn):
    """A draft plan on the channels the planner chooses (accounts created for missing channel types)."""
    fields = body(payload)
    workspace = request.member.workspace
    advice = {
        key: fields.pop(key) for key in ("audience_id", "product_id", "monthly_budget", "monthly_hours")
    }
    recommendation = services.recommend_channels(workspace, **advice)
    plan = services.plan_from_recommendation(
        request.member,
        recommendation,
        audience_id=advice["audience_id"],
        product_id=advice["product_id"],
        **fields,
    )
    return Status(201, services.get_plan(workspace, plan.pk))


@router.get("/plans/{plan_id}/spread", response=responses({200: WarningsOut}))
def plan_spread(request, plan_id: int):
    """Whether the plan spreads over more channels than its resources support."""
    return {"warnings": services.plan_spread_warnings(request.member.workspace, plan_id)}


@router.get("/calendar", response=responses({200: list[CalendarEntryOut]}))
def calendar(request, start: IsoDate, end: IsoDate):
    return services.calendar_entries(request.member.workspace, start, end)


@router.get("/calendar/feed", response=responses({200: FeedOut}))
def calendar_feed(request):
    return {"url": services.calendar_feed_url(request.member.workspace)}


@router.post("/calendar/feed/reset", response=responses({200: FeedOut}))
def reset_calendar_feed(request):
    return {"url": services.reset_calendar_feed(request.member)}


@router.get("/kpis", response=responses({200: list[KpiOut]}))
def list_kpis(request):
    return all_kpis()
