import datetime

import pytest
from huey.contrib.djhuey import HUEY

from netmark.core.errors import PermissionDenied, ValidationFailed
from netmark.core.models import AuditEntry, WebhookDelivery, WebhookSubscription
from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.planning import services, tasks
from netmark.planning.models import Plan
from netmark.planning.tests.factories import START, make_plan

END = START + datetime.timedelta(days=13)


def statuses(workspace) -> dict[str, str]:
    return dict(scoped(Plan, workspace).values_list("name", "status"))


def test_advance_moves_planned_to_running_on_the_start_day(team_a):
    make_plan(team_a.owner, name="春茶", status="planned")
    assert services.advance_statuses(START - datetime.timedelta(days=1)) == 0
    assert services.advance_statuses(START) == 1
    assert statuses(team_a.workspace) == {"春茶": "running"}


def test_advance_moves_running_to_evaluating_the_day_after_the_end(team_a):
    make_plan(team_a.owner, name="春茶", status="running")
    assert services.advance_statuses(END) == 0
    assert services.advance_statuses(END + datetime.timedelta(days=1)) == 1
    assert statuses(team_a.workspace) == {"春茶": "evaluating"}


def test_advance_takes_an_overdue_planned_plan_straight_to_evaluating(team_a, emitted):
    plan = make_plan(team_a.owner, name="春茶", status="planned")
    emitted.clear()
    assert services.advance_statuses(END + datetime.timedelta(days=5)) == 1
    assert statuses(team_a.workspace) == {"春茶": "evaluating"}
    [(workspace_id, event, payload)] = emitted
    assert (workspace_id, event) == (team_a.workspace.pk, "plan.status_changed")
    assert (payload["plan"]["id"], payload["old_status"], payload["new_status"], payload["by"]) == (
        plan.pk,
        "planned",
        "evaluating",
        "schedule",
    )


def test_advance_leaves_drafts_done_and_locked_plans_alone(team_a):
    make_plan(team_a.owner, name="草稿")
    make_plan(team_a.owner, name="已完成", status="done")
    locked = make_plan(team_a.owner, name="手动")
    services.set_plan_status(team_a.owner, locked.pk, "planned")
    assert services.advance_statuses(END + datetime.timedelta(days=1)) == 0
    assert statuses(team_a.workspace) == {"草稿": "draft", "已完成": "done", "手动": "planned"}


def test_advance_is_idempotent_and_audited_as_a_job(team_a):
    make_plan(team_a.owner, name="春茶", status="planned")
    assert services.advance_statuses(START) == 1
    assert services.advance_statuses(START) == 0
    entry = scoped(AuditEntry, team_a.workspace).get(action="plan.status_changed")
    assert (entry.actor_label, entry.via, entry.changes) == (
        "operator",
        "job",
        {"status": ["planned", "running"]},
    )


def test_advance_uses_each_workspaces_local_date(team_a, team_b, monkeypatch):
    # 2026-03-01 20:00 UTC is already 2 March in Shanghai but still 1 March in New York.
    monkeypatch.setattr(
        "django.utils.timezone.now", lambda: datetime.datetime(2026, 3, 1, 20, tzinfo=datetime.UTC)
    )
    team_b.workspace.time_zone = "America/New_York"
    team_b.workspace.save()
    make_plan(team_a.owner, name="上海", status="planned")
    make_plan(team_b.owner, name="纽约", status="planned")
    assert services.advance_statuses() == 1
    assert statuses(team_a.workspace) == {"上海": "running"}
    assert statuses(team_b.workspace) == {"纽约": "planned"}


def test_status_set_by_hand_is_locked_audited_and_announced(team_a, emitted):
    plan = make_plan(team_a.owner, status="evaluating")
    emitted.clear()
    plan = services.set_plan_status(team_a.member(Role.PLANNER), plan.pk, "draft")
    assert (plan.status, plan.status_locked) == ("draft", True)
    [(_, event, payload)] = emitted
    assert (event, payload["old_status"], payload["new_status"], payload["by"]) == (
        "plan.status_changed",
        "evaluating",
        "draft",
        "hand",
    )
    entry = scoped(AuditEntry, team_a.workspace).get(action="plan.status_changed")
    assert entry.changes == {"status": ["evaluating", "draft"], "status_locked": [False, True]}


def test_setting_the_same_status_by_hand_locks_without_announcing(team_a, emitted):
    plan = make_plan(team_a.owner, status="planned")
    emitted.clear()
    assert services.set_plan_status(team_a.owner, plan.pk, "planned").status_locked is True
    assert emitted == []


def test_status_in_a_plan_update_is_set_by_hand(team_a):
    plan = make_plan(team_a.owner)
    plan = services.update_plan(team_a.owner, plan.pk, status="running")
    assert (plan.status, plan.status_locked) == ("running", True)


def test_unknown_status_is_refused(team_a):
    plan = make_plan(team_a.owner)
    with pytest.raises(ValidationFailed) as caught:
        services.set_plan_status(team_a.owner, plan.pk, "暂停")
    assert set(caught.value.fields) == {"status"}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.IMPLEMENTER])
def test_viewer_and_implementer_cannot_set_status(team_a, role):
    plan = make_plan(team_a.owner)
    with pytest.raises(PermissionDenied):
        services.set_plan_status(team_a.member(role), plan.pk, "planned")
    plan.refresh_from_db()
    assert (plan.status, plan.status_locked) == ("draft", False)


def test_status_change_reaches_subscribed_webhooks(team_a):
    subscription = WebhookSubscription.unscoped.create(
        workspace=team_a.workspace,
        url="http://127.0.0.1:9/hook",
        secret="test",
        events=["plan.status_changed"],
    )
    plan = make_plan(team_a.owner, name="直播")
    services.set_plan_status(team_a.owner, plan.pk, "planned")
    delivery = scoped(WebhookDelivery, team_a.workspace).get()
    assert (delivery.subscription_id, delivery.event) == (subscription.pk, "plan.status_changed")
    assert delivery.payload["data"]["plan"]["name"] == "直播"
    assert delivery.payload["data"]["new_status"] == "planned"


def test_periodic_task_runs_every_quarter_hour_and_advances(team_a):
    make_plan(team_a.owner, name="春茶", status="planned", starts_on=datetime.date(2020, 1, 1))
    due_at = {
        minute: {task.name for task in HUEY.read_periodic(datetime.datetime(2026, 3, 2, 10, minute))}
        for minute in (45, 46)
    }
    assert "advance_plan_statuses" in due_at[45]
    assert "advance_plan_statuses" not in due_at[46]
    assert tasks.advance_plan_statuses.call_local() == 1
    assert statuses(team_a.workspace) == {"春茶": "evaluating"}
