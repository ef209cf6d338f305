"""``netmark`` in-process: exit codes, --json, --as roles, domain errors on stderr, the audit channel."""

import json

from netmark.core.models import ApiToken, AuditEntry, Member, Workspace
from netmark.core.scoping import scoped
from netmark.core.services import authenticate_token
from netmark.planning.models import Plan

AUTUMN = "plan create --name 秋茶上新 --objective 拉新 --starts 2026-10-12 --ends 2026-10-25"


def test_help_exits_zero(run_cli):
    code, out, _err = run_cli("--help")
    assert code == 0
    assert out.startswith("usage: netmark")


def test_help_lists_every_verb_of_every_group_as_registered(run_cli):
    code, out, _err = run_cli("--help")
    flat = " ".join(out.split())
    assert code == 0
    assert "roi costs, evaluation and attribution: import, costs, evaluate, channels, attribution," in flat
    assert "report reports: list, run, pdf" in flat


def test_unknown_command_is_bad_usage(run_cli):
    code, _out, err = run_cli("frobnicate")
    assert code == 2
    assert "invalid choice: 'frobnicate'" in err


def test_noun_without_verb_prints_its_help_and_is_bad_usage(run_cli):
    code, _out, err = run_cli("plan")
    assert code == 2
    assert "usage: netmark plan" in err


def test_workspace_create_and_list_as_json(run_cli, db):
    code, out, _err = run_cli("workspace create 云岭茶业 --slug yunling --json")
    assert code == 0
    assert json.loads(out)["slug"] == "yunling"
    code, out, _err = run_cli("workspace list --json")
    assert code == 0
    assert [row["name"] for row in json.loads(out)] == ["云岭茶业"]
    assert Workspace.objects.get(slug="yunling").language == "zh-hans"


def test_workspace_create_with_a_new_owner_prints_the_password_once(run_cli, db):
    code, out, _err = run_cli("--json workspace create 'B 公司' --owner boss@b.example")
    assert code == 0
    data = json.loads(out)
    assert data["owner"]["email"] == "boss@b.example"
    member = Member.unscoped.select_related("user").get(workspace__slug=data["slug"])
    assert (member.role, member.user.check_password(data["owner"]["password"])) == ("owner", True)


def test_a_refused_workspace_leaves_no_new_owner_behind(run_cli, team_a):
    code, _out, err = run_cli("workspace create 重复 --slug ws-a --owner late@example.com")
    assert code == 1
    assert "slug: This slug is taken." in err
    assert not Member.unscoped.filter(user__email="late@example.com").exists()


def test_global_options_work_after_the_verb(run_cli, team_a, team_b):
    code, out, _err = run_cli("member list --workspace ws-b --json")
    assert code == 0
    assert {row["email"] for row in json.loads(out)} == {
        f"{role}-b@example.com" for role in ("owner", "planner", "implementer", "viewer")
    }


def test_several_workspaces_need_the_workspace_option(run_cli, team_a, team_b):
    code, _out, err = run_cli("plan list")
    assert code == 2
    assert err == "netmark: Pass --workspace <slug> (see `netmark workspace list`).\n"


def test_unknown_workspace_is_a_failure(run_cli, team_a):
    code, _out, err = run_cli("plan list --workspace nope")
    assert (code, err) == (1, "Error: No workspace has the slug nope.\n")


def test_unknown_as_email_is_a_failure(run_cli, team_a):
    code, _out, err = run_cli("plan list --as stranger@example.com")
    assert (code, err) == (1, "Error: No member of ws-a has this email.\n")


def test_member_add_prints_a_password_that_logs_in(run_cli, team_a):
    code, out, _err = run_cli("member add newbie@example.com planner --json")
    assert code == 0
    data = json.loads(out)
    member = scoped(Member, team_a.workspace).select_related("user").get(pk=data["id"])
    assert (member.role, member.user.check_password(data["password"])) == ("planner", True)


def test_member_add_needs_the_owner_role(run_cli, team_a):
    code, _out, err = run_cli("member add newbie@example.com viewer --as planner-a@example.com")
    assert (code, err) == (1, "Error: Your role does not allow this.\n")


def test_viewer_cannot_create_a_plan(run_cli, team_a, weibo_account):
    code, _out, err = run_cli(AUTUMN, "--as", "viewer-a@example.com")
    assert (code, err) == (1, "Error: Your role does not allow this.\n")
    assert not scoped(Plan, team_a.workspace).exists()


def test_plan_create_with_budgets_and_targets(run_cli, team_a, weibo_account):
    code, out, _err = run_cli(
        AUTUMN + " --as planner-a@example.com --json --budget 云岭茶业微博=3000 --target leads=200"
        " --recurrence 'FREQ=WEEKLY;BYDAY=MO'"
    )
    assert code == 0
    plan = scoped(Plan, team_a.workspace).get(pk=json.loads(out)["id"])
    assert json.loads(out)["budget"] == "3000.00"
    assert [(item.channel_account, item.budget) for item in plan.channels.all()] == [(weibo_account, 3000)]
    assert [(target.kpi, target.target) for target in plan.targets.all()] == [("leads", 200)]
    assert plan.owner == team_a.member("planner")
    assert plan.occurrences.count() == 2


def test_validation_errors_name_the_field(run_cli, team_a):
    code, _out, err = run_cli("plan create --name 倒着 --objective x --starts 2026-10-31 --ends 2026-10-01")
    assert code == 1
    assert err == "Error: Some values are not valid.\n  ends_on: The plan ends before it starts.\n"


def test_malformed_option_values_are_bad_usage(run_cli, team_a):
    code, _out, err = run_cli(AUTUMN + " --budget weibo")
    assert (code, err) == (2, "netmark: --budget takes NAME=NUMBER, not 'weibo'.\n")
    code, _out, err = run_cli("plan create --name x --objective x --starts 明天 --ends 2026-10-31")
    assert code == 2
    assert "argument --starts: expected a date such as 2026-10-12" in err
    assert not scoped(Plan, team_a.workspace).exists()


def test_plan_show_answers_not_found_for_another_workspaces_plan(run_cli, team_a, team_b):
    run_cli(AUTUMN + " --workspace ws-b")
    foreign = scoped(Plan, team_b.workspace).get()
    code, out, err = run_cli(f"plan show {foreign.pk} --workspace ws-a")
    assert (code, out, err) == (1, "", "Error: Not found.\n")


def test_plan_list_and_show(run_cli, team_a, weibo_account):
    run_cli(AUTUMN + " --budget weibo=3000 --target leads=200")
    code, out, _err = run_cli("plan list --as viewer-a@example.com")
    assert code == 0
    assert out.splitlines()[1].split()[1:5] == ["秋茶上新", "draft", "2026-10-12", "2026-10-25"]
    plan = scoped(Plan, team_a.workspace).get()
    code, out, _err = run_cli(f"plan show {plan.pk} --json")
    data = json.loads(out)
    assert data["channels"] == [{"channel": "云岭茶业微博", "budget": "3000.00"}]
    assert data["expected_vs_actual"] == [
        {
            "kpi": "leads",
            "label": "Leads",
            "expected": "200",
            "actual": 0,
        }  # contacts counts leads by source promotion
    ]


def test_token_needs_a_member_and_prints_a_working_secret(run_cli, team_a):
    code, _out, err = run_cli("token create ci")
    assert (code, err) == (1, "Error: Tokens belong to a member: pass --as <email>.\n")
    code, out, _err = run_cli("token create ci --as implementer-a@example.com --json")
    assert code == 0
    assert authenticate_token(json.loads(out)["token"]) == team_a.member("implementer")
    assert scoped(ApiToken, team_a.workspace).get().name == "ci"


def test_changes_made_from_the_cli_are_audited_as_cli(run_cli, team_a):
    run_cli(AUTUMN)
    run_cli("member add audit@example.com viewer --as owner-a@example.com")
    entries = scoped(AuditEntry, team_a.workspace).filter(via="cli").order_by("id")
    assert list(entries.values_list("action", "actor_label")) == [
        ("plan.created", "operator"),
        ("member.added", "owner-a@example.com"),
    ]


def test_json_errors_use_the_api_error_body(run_cli, team_a):
    code, _out, err = run_cli("plan show 999999 --json")
    assert code == 1
    assert json.loads(err) == {"code": "not_found", "message": "Not found.", "fields": {}}
