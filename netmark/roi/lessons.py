"""Evaluation records and lessons: when an occurrence of a promotion ends, one evaluation is
created for the plan's owner with the numbers filled in; the owner writes what worked, what did
not and what to change. Lessons are searchable (substring, so Chinese works) and offered when a
similar promotion (same product, audience or channel) is planned.

``create_due_evaluations`` is idempotent: one evaluation per occurrence (a unique constraint),
so the periodic job and an on-demand call can overlap. Drafts are never evaluated.
Writing needs Capability.EVALUATE on the plan's owner (implementers: their own plans only).
"""

import datetime
import zoneinfo

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from netmark.core import audit, csvio
from netmark.core.errors import ValidationFailed
from netmark.core.models import Workspace
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped
from netmark.planning.models import Occurrence, Plan, PlanChannel
from netmark.roi.evaluation import evaluate_plan
from netmark.roi.models import Evaluation

MAX_TEXT = 20_000
TEXT_FIELDS = ("worked", "did_not_work", "to_change")


def plain(value):
    """A JSON-safe copy of an evaluation result (Decimals and dates as strings)."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return csvio.format_value(value)


def list_evaluations(workspace, *, plan_id=None, status=None, search: str = ""):
    evaluations = scoped(Evaluation, workspace).select_related("plan", "owner__user")
    if plan_id is not None:
        evaluations = evaluations.filter(plan_id=plan_id)
    if status:
        evaluations = evaluations.filter(status=status)
    if search:
        condition = Q(plan__name__icontains=search)
        for name in TEXT_FIELDS:
            condition |= Q(**{f"{name}__icontains": search})
        evaluations = evaluations.filter(condition)
    return evaluations


def get_evaluation(workspace, evaluation_id) -> Evaluation:
    return get_for(Evaluation, workspace, evaluation_id, queryset=list_evaluations(workspace))


def _numbers(plan: Plan, occurrence: Occurrence) -> dict:
    return plain(evaluate_plan(plan, first=occurrence.starts_on, last=occurrence.ends_on))


def local_today(workspace) -> datetime.date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(workspace.time_zone or "UTC")).date()


def create_due_evaluations(today: datetime.date | None = None) -> int:
    """Creates the missing evaluations of every ended occurrence; returns how many were created."""
    created = 0
    for workspace in Workspace.objects.all():
        day = today or local_today(workspace)
        due = (
            scoped(Occurrence, workspace)
            .filter(ends_on__lt=day)
            .exclude(plan__status=Plan.Status.DRAFT)
            .exclude(pk__in=scoped(Evaluation, workspace).values("occurrence_id"))
            .select_related("plan", "plan__workspace")
        )
        for occurrence in due:
            created += _create(occurrence)
    return created


def _create(occurrence: Occurrence) -> int:
    plan = occurrence.plan
    try:
        with transaction.atomic():
            Evaluation.unscoped.create(
                workspace_id=plan.workspace_id,
                plan=plan,
                occurrence=occurrence,
                owner_id=plan.owner_id,
                period_start=occurrence.starts_on,
                period_end=occurrence.ends_on,
                numbers=_numbers(plan, occurrence),
            )
    except IntegrityError:  # another worker created it first: exactly one exists
        return 0
    return 1


def create_plan_evaluations(member, plan_id) -> list[Evaluation]:
    """On demand: the evaluations of the plan's ended occurrences (created when missing)."""
    plan = get_for(Plan, member.workspace, plan_id)
    require(member, Capability.EVALUATE, owner_id=plan.owner_id)
    today = local_today(member.workspace)
    for occurrence in scoped(Occurrence, member.workspace).filter(plan=plan, ends_on__lt=today):
        if not scoped(Evaluation, member.workspace).filter(occurrence=occurrence).exists():
            occurrence.plan = plan
            _create(occurrence)
    return list(list_evaluations(member.workspace, plan_id=plan.pk))


def _text(value, name: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise ValidationFailed(fields={name: _("At most %(count)d characters.") % {"count": MAX_TEXT}})
    return text


@transaction.atomic
def write_lessons(member, evaluation_id, *, refresh_numbers: bool = False, **texts) -> Evaluation:
    """Saves what worked / did not / to change; a non-empty text marks the evaluation written."""
    unknown = sorted(set(texts) - set(TEXT_FIELDS))
    if unknown:
        raise ValidationFailed(fields={name: _("Unknown field.") for name in unknown})
    evaluation = get_evaluation(member.workspace, evaluation_id)
    require(member, Capability.EVALUATE, owner_id=evaluation.plan.owner_id)
    data = {name: _text(value, name) for name, value in texts.items()}
    changes = audit.diff(evaluation, data)
    for name, value in data.items():
        setattr(evaluation, name, value)
    if refresh_numbers:
        occurrence = evaluation.occurrence
        occurrence.plan = evaluation.plan
        evaluation.numbers = _numbers(evaluation.plan, occurrence)
    written = any(getattr(evaluation, name) for name in TEXT_FIELDS)
    evaluation.status = Evaluation.Status.DONE if written else Evaluation.Status.OPEN
    evaluation.completed_at = (evaluation.completed_at or timezone.now()) if written else None
    evaluation.save()
    if changes:
        audit.record(member, "evaluation.lessons_written", evaluation, changes)
    return evaluation


def similar_lessons(workspace, plan: Plan, limit: int = 10):
    """Written lessons of other promotions with the same product, audience or a shared channel."""
    accounts = scoped(PlanChannel, workspace).filter(plan=plan).values("channel_account_id")
    return lessons_like(
        workspace,
        product_id=plan.product_id,
        audience_id=plan.audience_id,
        account_ids=accounts,
        exclude_plan_id=plan.pk,
        limit=limit,
    )


def lessons_like(
    workspace, *, product_id=None, audience_id=None, account_ids=(), exclude_plan_id=None, limit: int = 10
):
    """Written lessons of promotions with this product, this audience or one of these channel
    accounts, newest first: what the plan form shows while a promotion is being planned."""
    shared = scoped(PlanChannel, workspace).filter(channel_account_id__in=account_ids).values("plan_id")
    condition = Q(plan_id__in=shared)
    if product_id:
        condition |= Q(plan__product_id=product_id)
    if audience_id:
        condition |= Q(plan__audience_id=audience_id)
    found = list_evaluations(workspace, status=Evaluation.Status.DONE).filter(condition)
    if exclude_plan_id:
        found = found.exclude(plan_id=exclude_plan_id)
    return found.select_related("plan").order_by("-period_end", "-id")[:limit]


def occurrence_trend(workspace, plan: Plan) -> list[dict]:
    """A periodic promotion's evaluations in date order: cost, revenue and ROI per occurrence."""
    rows = []
    for evaluation in list_evaluations(workspace, plan_id=plan.pk).order_by("period_start", "id"):
        money = (evaluation.numbers or {}).get("money", {})
        rows.append({"period_start": evaluation.period_start, "period_end": evaluation.period_end, **money})
    return rows
