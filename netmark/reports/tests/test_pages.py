"""Reports pages: list, form, report with runs, run view with ECharts, PDF download, share, revoke."""

import pytest

from netmark.core.roles import Role
from netmark.reports.models import Report, ReportRun, ShareLink
from netmark.reports.tests.conftest import make_report

pytestmark = pytest.mark.django_db


def _url(team, tail: str = "") -> str:
    return f"/w/{team.workspace.slug}/reports/{tail}"


def test_create_a_report_through_the_form(team_a):
    client = team_a.browser_client()
    assert client.get(_url(team_a, "new/")).status_code == 200
    response = client.post(
        _url(team_a, "new/"),
        {
            "name": "月报 Monthly",
            "kind": "monthly",
            "sections": ["plans", "traffic"],
            "language": "en",
            "recipients": "boss@example.com, client@例子.cn\nteam@example.com",
            "weekday": "0",
            "month_day": "2",
            "send_time": "09:30",
            "plan_id": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = Report.unscoped.get()
    assert (report.kind, report.month_day, report.sections) == ("monthly", 2, ["plans", "traffic"])
    assert report.recipients == ["boss@example.com", "client@例子.cn", "team@example.com"]


def test_a_bad_address_is_shown_on_the_form(team_a):
    client = team_a.browser_client()
    response = client.post(
        _url(team_a, "new/"),
        {"name": "x", "kind": "weekly", "sections": ["plans"], "language": "en", "recipients": "nope",
         "weekday": "0", "month_day": "1", "send_time": "08:00"},
    )  # fmt: skip
    assert response.status_code == 200 and "Not an email address: nope" in response.content.decode()
    assert Report.unscoped.count() == 0


def test_run_now_view_pdf_share_and_revoke(team_a):
    report = make_report(team_a.owner, name="周报 UI", sections=["plans", "lessons"])
    client = team_a.browser_client()
    response = client.post(_url(team_a, f"{report.pk}/run/"))
    run = ReportRun.unscoped.get()
    assert response.status_code == 302 and response["Location"] == _url(team_a, f"{report.pk}/runs/{run.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert "周报 UI" in page and "echarts.min.js" in page and "reports/report.js" in page
    pdf = client.get(_url(team_a, f"{report.pk}/runs/{run.pk}/pdf/"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    client.post(_url(team_a, f"{report.pk}/runs/{run.pk}/share/"), {"days": "5"})
    share = ShareLink.unscoped.get()
    page = client.get(_url(team_a, f"{report.pk}/runs/{run.pk}/")).content.decode()
    assert "/r/" in page
    client.post(_url(team_a, f"{report.pk}/runs/{run.pk}/shares/{share.pk}/revoke/"))
    share.refresh_from_db()
    assert share.revoked_at is not None
    listing = client.get(_url(team_a)).content.decode()
    assert "周报 UI" in listing
    detail = client.get(_url(team_a, f"{report.pk}/")).content.decode()
    assert run.period_start.isoformat() in detail


def test_viewers_read_but_do_not_see_or_use_the_buttons(team_a):
    report = make_report(team_a.owner, sections=["plans"])
    viewer = team_a.browser_client(Role.VIEWER)
    page = viewer.get(_url(team_a, f"{report.pk}/")).content.decode()
    assert "run-now" not in page
    assert viewer.post(_url(team_a, f"{report.pk}/run/")).status_code == 403
    assert viewer.get(_url(team_a, "new/")).status_code == 403
    assert ReportRun.unscoped.count() == 0


def test_another_workspaces_report_is_404(team_a, team_b):
    theirs = make_report(team_b.owner, sections=["plans"])
    client = team_a.browser_client()
    assert client.get(_url(team_a, f"{theirs.pk}/")).status_code == 404
    assert client.post(_url(team_a, f"{theirs.pk}/run/")).status_code == 404
    assert ReportRun.unscoped.count() == 0


def test_a_chinese_page_in_the_workspace_language(team_a):
    make_report(team_a.owner, sections=["plans"])
    page = team_a.browser_client(language=None).get(_url(team_a)).content.decode()
    assert "报告" in page and "新建报告" in page
