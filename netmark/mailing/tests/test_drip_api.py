"""Drip sequences through the API and the pages: build, activate, enrol, list; bad input is 4xx;
another workspace's ids answer 404 and change nothing; the pages speak Chinese."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from netmark.contacts.models import Contact
from netmark.core.roles import Role
from netmark.mailing import drips
from netmark.mailing.drip_models import Enrollment, Sequence
from netmark.mailing.tests import campaign_factories as make
from netmark.mailing.tests import drip_factories as drip

pytestmark = pytest.mark.django_db


def send(client, method, path, data):
    return getattr(client, method)(path, json.dumps(data), content_type="application/json")


STEPS = [{"kind": kind, "config": config} for kind, config in drip.STEPS]


def test_a_sequence_built_through_the_api_runs(team_a, server_row, smtp_server):
    api = team_a.api(Role.IMPLEMENTER)
    the_list = make.mailing_list(team_a.workspace, server_row)
    body = {"name": "新订阅欢迎", "trigger": "subscribed", "mailing_list_id": the_list.pk}
    created = send(api, "post", "/api/v1/sequences", body)
    assert created.status_code == 201, created.content
    sid = created.json()["id"]
    assert send(api, "put", f"/api/v1/sequences/{sid}/steps", {"steps": STEPS}).status_code == 200
    refused = send(api, "post", f"/api/v1/sequences/{sid}/status", {"status": "active"})
    assert refused.status_code == 409  # emails but no SMTP server
    assert (
        send(api, "patch", f"/api/v1/sequences/{sid}", {"smtp_server_id": server_row.pk}).status_code == 200
    )
    active = send(api, "post", f"/api/v1/sequences/{sid}/status", {"status": "active"})
    assert active.json()["status"] == "active" and len(active.json()["steps"]) == 6
    assert send(api, "put", f"/api/v1/sequences/{sid}/steps", {"steps": STEPS}).status_code == 409

    make.subscriber(team_a.workspace, the_list, "wangfang@example.com", name="王芳")
    contact = Contact.unscoped.get(email="wangfang@example.com")
    enrolled = send(api, "post", f"/api/v1/sequences/{sid}/enrollments", {"contact_id": contact.pk})
    assert enrolled.status_code == 201
    assert (
        send(api, "post", f"/api/v1/sequences/{sid}/enrollments", {"contact_id": contact.pk}).status_code
        == 409
    )
    start = timezone.now() + timedelta(seconds=1)
    drips.tick(start)  # the 2-day wait begins
    drips.tick(start + timedelta(days=2, seconds=1))
    assert [m.rcpt_tos for m in smtp_server.messages] == [["wangfang@example.com"]]
    listed = api.get(f"/api/v1/sequences/{sid}/enrollments?state=active").json()["items"]
    assert [(row["email"], row["position"]) for row in listed] == [("wangfang@example.com", 2)]
    assert api.get(f"/api/v1/sequences/{sid}").json()["steps"][2]["active_here"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "trigger": "subscribed"},  # no list
        {"name": "x", "trigger": "tag"},  # no tag
        {"name": "x", "trigger": "sometimes", "trigger_value": "a"},
        {"name": "", "trigger": "tag", "trigger_value": "a"},
        {"name": "x", "trigger": "date", "trigger_value": "birthday", "offset_days": 99999},
        {"name": "x", "trigger": "tag", "trigger_value": "a", "yearly": "yes"},
    ],
)
def test_bad_sequences_are_refused_with_422(team_a, body):
    answer = send(team_a.api(), "post", "/api/v1/sequences", body)
    assert answer.status_code == 422, answer.content
    assert not Sequence.unscoped.exists()


@pytest.mark.parametrize(
    "step",
    [
        {"kind": "wait", "config": {"days": 0}},
        {"kind": "wait", "config": {"days": "2"}},
        {"kind": "wait", "config": {"days": 400}},
        {"kind": "condition", "config": {"test": "opened", "yes": 7}},
        {"kind": "condition", "config": {"test": "moon"}},
        {"kind": "condition", "config": {"test": "stage", "value": "king"}},
        {"kind": "email", "config": {"subject": "{{ contact.name ", "html": "<p>x</p>"}},
        {"kind": "email", "config": {"subject": "x"}},
        {"kind": "stage", "config": {"stage": "king"}},
        {"kind": "tag", "config": {"tag": ""}},
        {"kind": "notify", "config": {"text": "x", "then": "later"}},
        {"kind": "jump", "config": {}},
    ],
)
def test_bad_steps_are_refused_with_422_and_keep_the_old_steps(team_a, step):
    sequence = Sequence.unscoped.create(
        workspace=team_a.workspace, name="s", trigger="tag", trigger_value="a"
    )
    path = f"/api/v1/sequences/{sequence.pk}/steps"
    assert (
        send(team_a.api(), "put", path, {"steps": [{"kind": "tag", "config": {"tag": "ok"}}]}).status_code
        == 200
    )
    answer = send(team_a.api(), "put", path, {"steps": [step]})
    assert answer.status_code == 422, answer.content
    assert [s.kind for s in sequence.steps.all()] == ["tag"]


def test_another_workspaces_sequences_are_not_found(team_a, team_b, server_row):
    theirs = drip.welcome_sequence(
        team_b.workspace, None, None, status="paused", steps=[("tag", {"tag": "b"})]
    )
    mine = Sequence.unscoped.create(workspace=team_a.workspace, name="mine", trigger="tag", trigger_value="a")
    other_contact = Contact.unscoped.create(workspace=team_b.workspace, email="b@example.com")
    api = team_a.api()
    for method, path, body in [
        ("get", f"/api/v1/sequences/{theirs.pk}", None),
        ("patch", f"/api/v1/sequences/{theirs.pk}", {"name": "taken"}),
        ("put", f"/api/v1/sequences/{theirs.pk}/steps", {"steps": []}),
        ("post", f"/api/v1/sequences/{theirs.pk}/status", {"status": "active"}),
        ("get", f"/api/v1/sequences/{theirs.pk}/enrollments", None),
        ("delete", f"/api/v1/sequences/{theirs.pk}", None),
        ("post", f"/api/v1/sequences/{mine.pk}/enrollments", {"contact_id": other_contact.pk}),
    ]:
        answer = send(api, method, path, body) if body is not None else getattr(api, method)(path)
        assert answer.status_code == 404, (method, path, answer.content)
    theirs.refresh_from_db()
    assert (theirs.name, theirs.status, theirs.steps.count()) == ("新订阅欢迎", "paused", 1)
    assert api.get("/api/v1/sequences").json()["items"][0]["id"] == mine.pk
    assert not Enrollment.unscoped.exists()


def test_a_viewer_reads_but_cannot_change(team_a):
    sequence = Sequence.unscoped.create(
        workspace=team_a.workspace, name="s", trigger="tag", trigger_value="a"
    )
    viewer = team_a.api(Role.VIEWER)
    assert viewer.get(f"/api/v1/sequences/{sequence.pk}").status_code == 200
    assert send(viewer, "patch", f"/api/v1/sequences/{sequence.pk}", {"name": "x"}).status_code == 403


def test_the_editor_adds_step_rows_through_htmx_in_chinese(team_a, server_row):
    the_list = make.mailing_list(team_a.workspace, server_row)
    client = team_a.browser_client(language="zh-hans")
    slug = team_a.workspace.slug
    made = client.post(f"/w/{slug}/mailing/sequences/", {
        "name": "生日祝福", "trigger": "date", "trigger_value": "birthday", "offset_days": "0",
        "yearly": "on", "mailing_list_id": str(the_list.pk), "server_id": str(server_row.pk),
    })  # fmt: skip
    assert made.status_code == 302, made.content.decode()[:2000]
    sequence = Sequence.unscoped.get(name="生日祝福")
    page = client.get(made["Location"]).content.decode()
    assert "步骤" in page and "还没有步骤。" in page and "启用" in page
    add = f"/w/{slug}/mailing/sequences/{sequence.pk}/steps/"
    row = client.post(
        add, {"kind": "email", "subject": "生日快乐", "html": "<p>祝您生日快乐</p>"}, HTTP_HX_REQUEST="true"
    )
    assert (
        row.status_code == 200 and "生日快乐" in row.content.decode() and "<html" not in row.content.decode()
    )
    bad = client.post(add, {"kind": "wait", "days": "0"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and "等待时间须在一分钟到一年之间。" in bad.content.decode()
    assert client.get(f"/w/{slug}/mailing/sequences/").status_code == 200
    client.post(f"/w/{slug}/mailing/sequences/{sequence.pk}/activate/")
    sequence.refresh_from_db()
    assert (sequence.status, sequence.yearly, [s.kind for s in sequence.steps.all()]) == (
        "active",
        True,
        ["email"],
    )


def test_the_cli_replaces_steps_activates_and_lists(netmark_cli, team_a, server_row, tmp_path):
    the_list = make.mailing_list(team_a.workspace, server_row)
    sequence = Sequence.unscoped.create(
        workspace=team_a.workspace,
        name="新订阅欢迎",
        trigger="subscribed",
        mailing_list=the_list,
        server=server_row,
    )
    steps = tmp_path / "steps.json"
    steps.write_text(json.dumps(STEPS, ensure_ascii=False), encoding="utf-8")
    assert netmark_cli(f"mailing sequences steps {sequence.pk} --file {steps}")[0] == 0
    code, out, _err = netmark_cli(f"mailing sequences activate {sequence.pk} --json")
    assert code == 0 and json.loads(out)["status"] == "active"
    code, out, _err = netmark_cli(f"mailing sequences show {sequence.pk}")
    assert code == 0 and "condition" in out.decode()
    code, out, _err = netmark_cli("mailing sequences list")
    assert code == 0 and "新订阅欢迎" in out.decode()
    assert netmark_cli("mailing sequences pause")[0] == 2  # no id: a usage error
    bad = tmp_path / "bad.json"
    bad.write_text('[{"kind": "wait", "config": {"days": 0}}]', encoding="utf-8")
    assert netmark_cli(f"mailing sequences steps {sequence.pk} --file {bad}")[0] != 0
