"""The reports API: definitions, run now, HTML and PDF, share links; other workspaces' ids answer 404."""

import pytest

from netmark.core.roles import Role
from netmark.planning.tests.factories import make_plan
from netmark.reports.models import Report, ReportRun

pytestmark = pytest.mark.django_db
BASE = "/api/v1/reports"


def _create(api, **fields) -> dict:
    body = {"name": "每周报告 Weekly", "recipients": ["Boss@Example.com"], **fields}
    response = api.post(BASE, body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def test_sections_list_the_builtin_ones(api):
    keys = [row["key"] for row in api.get("/api/v1/report-sections").json()]
    assert keys[:3] == ["plans", "traffic", "links"] and "lessons" in keys


def test_create_read_update_delete(api, team_a):
    report = _create(api, sections=["plans", "lessons"], language="en", weekday=4)
    assert report["recipients"] == ["boss@example.com"]
    assert report["sections"] == ["plans", "lessons"] and report["weekday"] == 4
    assert api.get(BASE).json()["count"] == 1
    changed = api.patch(
        f"{BASE}/{report['id']}", {"kind": "monthly", "month_day": 3}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["kind"] == "monthly"
    assert api.delete(f"{BASE}/{report['id']}").status_code == 204
    assert Report.unscoped.count() == 0


def test_bad_values_answer_422_with_fields(api):
    for body, field in [
        ({"name": "x", "sections": ["nope"]}, "sections"),
        ({"name": "x", "recipients": ["not an address"]}, "recipients.0"),
        ({"name": "x", "recipients": ["a@b"]}, "recipients"),
        ({"name": "x", "kind": "promotion"}, "plan_id"),
        ({"name": "x", "month_day": 31}, "month_day"),
    ]:
        response = api.post(BASE, body, content_type="application/json")
        assert response.status_code == 422, body
        assert field in response.json()["fields"], response.json()


def test_run_now_renders_html_and_pdf(api, team_a):
    report = _create(api, sections=["plans", "links"])
    response = api.post(f"{BASE}/{report['id']}/runs", {}, content_type="application/json")
    assert response.status_code == 201, response.content
    run = response.json()
    assert run["status"] == "done" and run["pages"] >= 1
    html = api.get(f"{BASE}/{report['id']}/runs/{run['id']}/html")
    assert html.status_code == 200 and "每周报告 Weekly" in html.content.decode()
    pdf = api.get(f"{BASE}/{report['id']}/runs/{run['id']}/pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    runs = api.get(f"{BASE}/{report['id']}/runs").json()
    assert [item["id"] for item in runs["items"]] == [run["id"]]


def test_share_link_through_the_api(api, team_a, client):
    report = _create(api)
    run = api.post(f"{BASE}/{report['id']}/runs", {}, content_type="application/json").json()
    shares_url = f"{BASE}/{report['id']}/runs/{run['id']}/shares"
    share = api.post(shares_url, {"days": 3}, content_type="application/json")
    assert share.status_code == 201
    url = share.json()["url"]
    path = url.split("127.0.0.1:8000", 1)[-1]
    assert client.get(path).status_code == 200
    assert [item["id"] for item in api.get(shares_url).json()] == [share.json()["id"]]
    revoked = api.post(f"{shares_url}/{share.json()['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get(path).status_code == 404


def test_viewers_read_but_cannot_write(team_a):
    viewer = team_a.api(Role.VIEWER)
    assert viewer.get(BASE).status_code == 200
    response = viewer.post(BASE, {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert Report.unscoped.count() == 0


def test_another_workspaces_report_and_run_answer_404(api, team_a, team_b):
    theirs = _create(team_b.api(), sections=["plans"])
    run = team_b.api().post(f"{BASE}/{theirs['id']}/runs", {}, content_type="application/json").json()
    mine = _create(api)
    assert api.get(f"{BASE}/{theirs['id']}").status_code == 404
    assert api.get(f"{BASE}/{theirs['id']}/runs").status_code == 404
    assert api.get(f"{BASE}/{mine['id']}/runs/{run['id']}/pdf").status_code == 404
    assert (
        api.post(
            f"{BASE}/{mine['id']}/runs/{run['id']}/shares", {}, content_type="application/json"
        ).status_code
        == 404
    )
    assert api.delete(f"{BASE}/{theirs['id']}").status_code == 404
    assert Report.unscoped.filter(pk=theirs["id"]).exists()
    assert ReportRun.unscoped.filter(pk=run["id"], status="done").exists()


def test_a_per_promotion_report_covers_the_promotion(api, team_a):
    plan = make_plan(team_a.owner)
    report = _create(api, kind="promotion", plan_id=plan.pk)
    run = api.post(f"{BASE}/{report['id']}/runs", {}, content_type="application/json").json()
    assert (run["period_start"], run["period_end"]) == (plan.starts_on.isoformat(), plan.ends_on.isoformat())
