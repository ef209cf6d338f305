"""roi API: costs, imports with preview and apply, mappings, rates, evaluation; bad input answers
4xx with the one error body; foreign ids answer 404 (ISO)."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from netmark.core.roles import Role
from netmark.roi import services
from netmark.roi.models import Cost

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "samples"
JSON = "application/json"


def upload(name: str, **fields) -> dict:
    return {"report": SimpleUploadedFile(name, (SAMPLES / name).read_bytes(), "text/csv"), **fields}


def test_manual_cost_and_people_time(api, presale, weibo):
    answer = api.post(
        "/api/v1/costs",
        {"kind": "agency", "spent_on": "2026-10-13", "amount": "1000.5", "plan_id": presale.pk},
        content_type=JSON,
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["amount"] == "1000.50"
    people = {"kind": "people_time", "spent_on": "2026-10-15", "hours": "10.5", "hourly_rate": 120}
    people.update({"role": "运营", "channel_account_id": weibo.pk})
    answer = api.post("/api/v1/costs", people, content_type=JSON)
    assert answer.status_code == 201 and answer.json()["amount"] == "1260.00"


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "ad_spend", "spent_on": "2026-10-13", "amount": "1"},  # imported kinds are not typed in
        {"kind": "agency", "spent_on": "2026-13-13", "amount": "1"},
        {"kind": "agency", "spent_on": "2026-10-13", "amount": "-1"},
        {"kind": "agency", "spent_on": "2026-10-13"},
        {"kind": "agency", "spent_on": "2026-10-13", "amount": "1", "currency": "XYZ"},
        {"kind": "people_time", "spent_on": "2026-10-13", "hours": "2"},
        {"kind": "agency", "spent_on": "2026-10-13", "amount": "1", "surprise": True},
    ],
)
def test_bad_cost_bodies_answer_422(api, body):
    answer = api.post("/api/v1/costs", body, content_type=JSON)
    assert answer.status_code == 422
    assert set(answer.json()) == {"code", "message", "fields"}


def test_foreign_ids_answer_404_and_change_nothing(team_a, team_b, presale):
    cost = services.create_cost(team_a.owner, kind="agency", spent_on=datetime.date(2026, 10, 13), amount="5")
    foreign = team_b.api()
    assert foreign.get(f"/api/v1/costs/{cost.pk}").status_code == 404
    assert foreign.patch(f"/api/v1/costs/{cost.pk}", {"amount": "9"}, content_type=JSON).status_code == 404
    assert foreign.delete(f"/api/v1/costs/{cost.pk}").status_code == 404
    assert foreign.get(f"/api/v1/plans/{presale.pk}/roi-evaluation").status_code == 404
    body = {"kind": "agency", "spent_on": "2026-10-13", "amount": "1", "plan_id": presale.pk}
    assert foreign.post("/api/v1/costs", body, content_type=JSON).status_code == 404
    cost.refresh_from_db()
    assert cost.amount == Decimal("5.00")


def test_import_preview_then_apply(api, team_a):
    answer = api.post("/api/v1/cost-imports", upload("google_ads_campaign_report_daily.csv", dry_run="true"))
    assert answer.status_code == 201, answer.content
    preview = answer.json()
    assert (preview["status"], preview["summary"]["created"], preview["summary"]["skipped_summary_rows"]) == (
        "previewed",
        35,
        4,
    )
    assert Cost.unscoped.filter(workspace=team_a.workspace).count() == 0
    applied = api.post(f"/api/v1/cost-imports/{preview['id']}/apply", {}, content_type=JSON)
    assert applied.status_code == 200 and applied.json()["status"] == "applied"
    assert Cost.unscoped.filter(workspace=team_a.workspace).count() == 35
    again = api.post(f"/api/v1/cost-imports/{preview['id']}/apply", {}, content_type=JSON)
    assert again.status_code == 409 and again.json()["code"] == "already_applied"


def test_an_import_with_bad_rows_answers_422_with_each_row(api, team_a):
    data = b"date,account,campaign,cost\n2026-10-12,a,b,1\n2026-10-40,a,b,2\n"
    answer = api.post("/api/v1/cost-imports", {"report": SimpleUploadedFile("bad.csv", data)})
    assert answer.status_code == 422
    assert answer.json()["code"] == "import_failed" and "3:date" in answer.json()["fields"]
    partial = api.post(
        "/api/v1/cost-imports", {"report": SimpleUploadedFile("bad.csv", data), "partial": "true"}
    )
    assert partial.status_code == 201 and partial.json()["summary"]["created"] == 1


def test_an_unreadable_file_answers_422(api):
    answer = api.post("/api/v1/cost-imports", {"report": SimpleUploadedFile("x.csv", b"\xff\xfe\x00")})
    assert answer.status_code == 422


def test_a_viewer_reads_but_cannot_import(team_a):
    viewer = team_a.api(Role.VIEWER)
    assert viewer.get("/api/v1/costs").status_code == 200
    assert viewer.post("/api/v1/cost-imports", upload("generic_ad_spend_template.csv")).status_code == 403


def test_rates_and_mappings(api, presale):
    answer = api.post(
        "/api/v1/currency-rates",
        {"currency": "USD", "rate": "7.2", "effective_on": "2026-10-14"},
        content_type=JSON,
    )
    assert answer.status_code == 201
    duplicate = api.post(
        "/api/v1/currency-rates",
        {"currency": "USD", "rate": "7.3", "effective_on": "2026-10-14"},
        content_type=JSON,
    )
    assert duplicate.status_code == 409
    own = api.post(
        "/api/v1/currency-rates",
        {"currency": "CNY", "rate": "1", "effective_on": "2026-10-14"},
        content_type=JSON,
    )
    assert own.status_code == 422
    mapping = {"platform": "baidu", "campaign": "双11-礼盒", "plan_id": presale.pk}
    assert api.post("/api/v1/cost-mappings", mapping, content_type=JSON).status_code == 201


def test_evaluation_and_channel_performance_endpoints(api, presale):
    answer = api.get(f"/api/v1/plans/{presale.pk}/roi-evaluation")
    assert answer.status_code == 200
    body = answer.json()
    assert body["money"]["roi"] is None and {row["kpi"] for row in body["kpis"]} == {
        "cost",
        "revenue",
        "visits",
        "leads",
    }
    assert (
        api.get(f"/api/v1/plans/{presale.pk}/roi-evaluation?start=2026-10-20&end=2026-10-01").status_code
        == 422
    )
    assert api.get("/api/v1/channel-performance?start=2026-10-01&end=2026-10-31").status_code == 200
    assert api.get("/api/v1/channel-performance?start=yesterday").status_code == 422


def test_lessons_through_the_api(team_a, presale):
    services.create_due_evaluations(today=datetime.date(2026, 10, 26))
    evaluation = services.list_evaluations(team_a.workspace).get()
    answer = team_a.api().patch(
        f"/api/v1/evaluations/{evaluation.pk}", {"worked": "知乎种草文"}, content_type=JSON
    )
    assert answer.status_code == 200 and answer.json()["status"] == "done"
    found = team_a.api(Role.VIEWER).get("/api/v1/evaluations?q=种草")
    assert [item["id"] for item in found.json()["items"]] == [evaluation.pk]
    denied = team_a.api(Role.IMPLEMENTER).patch(
        f"/api/v1/evaluations/{evaluation.pk}", {"worked": "x"}, content_type=JSON
    )
    assert denied.status_code == 403
