"""``netmark report list|run|pdf`` run in-process through ``netmark.cli.main``."""

import json

import pytest

from netmark.reports.models import ReportRun
from netmark.reports.tests.conftest import make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(netmark_cli):
    return netmark_cli


def test_list_run_and_pdf(run, team_a, tmp_path):
    report = make_report(team_a.owner, name="周报 CLI", sections=["plans"], recipients=["a@example.com"])
    code, out, _err = run("report list --json")
    assert code == 0
    assert [(row["id"], row["name"], row["sections"]) for row in json.loads(out)] == [
        (report.pk, "周报 CLI", "plans")
    ]
    code, out, _err = run(f"report run {report.pk} --json")
    assert code == 0
    row = json.loads(out)
    assert row["status"] == "done" and row["pages"] == 1 and row["emailed_at"] is None
    code, out, _err = run(f"report list --runs {report.pk} --json")
    assert [item["id"] for item in json.loads(out)] == [row["id"]]
    target = tmp_path / "report.pdf"
    code, _out, err = run(f"report pdf {row['id']} {target}")
    assert code == 0 and target.read_bytes().startswith(b"%PDF-")
    assert bytes(ReportRun.unscoped.get(pk=row["id"]).pdf) == target.read_bytes()


def test_another_workspaces_run_is_not_found(run, team_b):
    report = make_report(team_b.owner, sections=["plans"])
    from netmark.reports import services

    theirs = services.request_run(team_b.owner, report.pk, inline=True)
    code, _out, err = run(f"report pdf {theirs.pk} -")
    assert code == 1 and "id" in err
    code, _out, _err = run(f"report run {report.pk}")
    assert code == 1


def test_a_viewer_cannot_run_a_report(run, team_a):
    report = make_report(team_a.owner, sections=["plans"])
    code, _out, _err = run(f"--as viewer-a@example.com report run {report.pk}")
    assert code == 1
    assert ReportRun.unscoped.count() == 0
