"""An evaluation per ended occurrence, for its owner; lessons written by the right roles, searchable."""

import datetime

import pytest

from netmark.core.errors import PermissionDenied
from netmark.core.roles import Role
from netmark.planning import services as planning
from netmark.planning.tests.factories import make_plan
from netmark.roi import services
from netmark.roi.models import Evaluation

pytestmark = pytest.mark.django_db
AFTER = datetime.date(2026, 10, 26)


def test_an_ended_promotion_gets_one_evaluation_for_its_owner(team_a, presale):
    assert services.create_due_evaluations(today=AFTER) == 1
    assert services.create_due_evaluations(today=AFTER) == 0  # idempotent
    evaluation = services.list_evaluations(team_a.workspace).get()
    assert (evaluation.owner_id, evaluation.period_start, evaluation.period_end) == (
        presale.owner_id, presale.starts_on, presale.ends_on,
    )  # fmt: skip
    assert evaluation.status == Evaluation.Status.OPEN
    assert evaluation.numbers["money"]["cost"] == "0.00"
    assert evaluation.numbers["money"]["roi"] is None


def test_a_running_or_draft_promotion_gets_none(team_a, presale):
    make_plan(
        team_a.owner,
        name="草稿 draft",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2026, 9, 2),
    )
    assert services.create_due_evaluations(today=presale.ends_on) == 0


def test_each_occurrence_of_a_recurring_promotion_is_evaluated(team_a):
    plan = make_plan(
        team_a.owner, name="每周直播 Weekly live", status="planned", starts_on=datetime.date(2026, 10, 5),
        ends_on=datetime.date(2026, 10, 25), recurrence="FREQ=WEEKLY;BYDAY=MO",
    )  # fmt: skip
    assert services.create_due_evaluations(today=datetime.date(2026, 10, 20)) == 3  # Oct 5, 12, 19
    trend = services.occurrence_trend(team_a.workspace, plan)
    assert [row["period_start"] for row in trend] == [datetime.date(2026, 10, d) for d in (5, 12, 19)]


def test_the_owner_writes_the_lessons_and_they_are_searchable(team_a, presale):
    services.create_due_evaluations(today=AFTER)
    evaluation = services.list_evaluations(team_a.workspace).get()
    services.write_lessons(
        team_a.owner,
        evaluation.pk,
        worked="微博话题带来了三成访问",
        did_not_work="百度长尾词太贵",
        to_change="减少长尾词",
    )
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.DONE and evaluation.completed_at is not None
    assert list(services.list_evaluations(team_a.workspace, search="长尾")) == [evaluation]
    assert list(services.list_evaluations(team_a.workspace, search="抖音")) == []


def test_an_implementer_writes_lessons_of_own_plans_only(team_a, presale):
    services.create_due_evaluations(today=AFTER)
    evaluation = services.list_evaluations(team_a.workspace).get()
    with pytest.raises(PermissionDenied):
        services.write_lessons(team_a.member(Role.IMPLEMENTER), evaluation.pk, worked="x")
    with pytest.raises(PermissionDenied):
        services.write_lessons(team_a.member(Role.VIEWER), evaluation.pk, worked="x")
    services.write_lessons(team_a.member(Role.PLANNER), evaluation.pk, worked="planner")
    planning.update_plan(team_a.owner, presale.pk, owner_id=team_a.member(Role.IMPLEMENTER).pk)
    services.write_lessons(team_a.member(Role.IMPLEMENTER), evaluation.pk, worked="自己的计划")
    evaluation.refresh_from_db()
    assert evaluation.worked == "自己的计划"


def test_lessons_are_offered_for_a_similar_plan(team_a, presale, baidu):
    services.create_due_evaluations(today=AFTER)
    evaluation = services.list_evaluations(team_a.workspace).get()
    services.write_lessons(team_a.owner, evaluation.pk, to_change="品牌词单独建计划")
    similar = make_plan(
        team_a.owner, name="年货节", channels=[{"channel_account_id": baidu.pk, "budget": "100"}]
    )
    unrelated = make_plan(team_a.owner, name="无关")
    assert list(services.similar_lessons(team_a.workspace, similar)) == [evaluation]
    assert list(services.similar_lessons(team_a.workspace, unrelated)) == []


def test_on_demand_evaluation_needs_the_evaluate_right(team_a, presale):
    with pytest.raises(PermissionDenied):
        services.create_plan_evaluations(team_a.member(Role.VIEWER), presale.pk)


def test_the_plan_form_panel_shows_lessons_for_the_channels_chosen_so_far(team_a, team_b, presale, baidu):
    from django.urls import reverse

    services.create_due_evaluations(today=AFTER)
    evaluation = services.list_evaluations(team_a.workspace).get()
    services.write_lessons(
        team_a.owner, evaluation.pk, worked="<script>alert(1)</script>品牌词", to_change="品牌词单独建计划"
    )
    client = team_a.browser_client(Role.VIEWER)
    panel = reverse("roi:similar_lessons", args=[team_a.workspace.slug])

    def shown(**query) -> str:
        answer = client.get(panel, query)
        assert answer.status_code == 200
        return answer.content.decode()

    assert "Choose a product, an audience or channels" in shown()
    html = shown(**{"channels-0-channel_account_id": str(baidu.pk)})
    assert "品牌词单独建计划" in html and presale.name in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "No written lessons yet" in shown(**{"channels-0-channel_account_id": "999999", "product_id": "x"})
    # Editing the promotion itself: its own lessons are not "similar".
    assert "No written lessons yet" in shown(
        plan=str(presale.pk), **{"channels-0-channel_account_id": str(baidu.pk)}
    )
    # Another workspace naming team A's channel account sees none of team A's lessons.
    other = team_b.browser_client(Role.OWNER).get(
        reverse("roi:similar_lessons", args=[team_b.workspace.slug]),
        {"channels-0-channel_account_id": str(baidu.pk)},
    )
    assert other.status_code == 200 and "品牌词" not in other.content.decode()
