"""The schedule: periods per kind, due times in the workspace's time zone, one run per report x
period however often the due-task runs, stale runs re-run, delivery by real SMTP (aiosmtpd)."""

import datetime
import email
import email.policy
import socket
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from netmark.planning.tests.factories import make_plan
from netmark.reports import schedule, services
from netmark.reports.models import Report, ReportRun
from netmark.reports.runs import STALE_AFTER
from netmark.reports.tasks import schedule_reports
from netmark.reports.tests.conftest import make_report

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(*parts) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=SHANGHAI)


def _unsaved(team_a, **fields) -> Report:
    fields.setdefault("send_time", datetime.time(8, 0))
    return Report(workspace=team_a.workspace, name="r", sections=["plans"], **fields)


def test_a_weekly_report_covers_the_previous_monday_to_sunday(team_a):
    report = _unsaved(team_a, kind="weekly", weekday=0)
    # Monday 2026-03-09, 08:00 Shanghai is the due instant of the week 03-02 .. 03-08.
    assert schedule.latest_due(report, _at(2026, 3, 9, 8, 0)) == schedule.ReportPeriod(
        datetime.date(2026, 3, 2), datetime.date(2026, 3, 8)
    )
    # One minute earlier the week before is the newest one due.
    assert schedule.latest_due(report, _at(2026, 3, 9, 7, 59)).start == datetime.date(2026, 2, 23)
    # Sunday night Beijing time is still Sunday: 00:30 UTC Monday is 08:30 Monday in Shanghai.
    utc = datetime.datetime(2026, 3, 9, 0, 30, tzinfo=datetime.UTC)
    assert schedule.latest_due(report, utc).start == datetime.date(2026, 3, 2)


def test_a_monthly_report_covers_the_previous_month(team_a):
    report = _unsaved(team_a, kind="monthly", month_day=3)
    assert schedule.latest_due(report, _at(2026, 3, 3, 9, 0)) == schedule.ReportPeriod(
        datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)
    )
    assert schedule.latest_due(report, _at(2026, 3, 2, 9, 0)).start == datetime.date(2026, 1, 1)


def test_a_per_promotion_report_is_due_once_after_the_promotion(team_a):
    plan = make_plan(team_a.owner)  # 2026-03-02 .. 2026-03-15
    report = _unsaved(team_a, kind="promotion", plan=plan)
    assert schedule.latest_due(report, _at(2026, 3, 16, 7, 0)) is None
    due = schedule.latest_due(report, _at(2026, 3, 16, 8, 0))
    assert (due.start, due.end, due.plan_id) == (plan.starts_on, plan.ends_on, plan.pk)


def _make_due(team_a, **fields) -> Report:
    report = make_report(team_a.owner, sections=["plans"], **fields)
    Report.unscoped.filter(pk=report.pk).update(created_at=_at(2026, 1, 1, 0, 0))
    return Report.unscoped.get(pk=report.pk)


def test_running_the_due_task_twice_makes_one_run(team_a, django_capture_on_commit_callbacks):
    report = _make_due(team_a, recipients=[])
    now = _at(2026, 3, 9, 8, 5)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.schedule_due_reports(now)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.schedule_due_reports(now)
    runs = ReportRun.unscoped.filter(report=report)
    assert len(first) == 1 and second == []
    assert [(run.period_start, run.status, run.attempts) for run in runs] == [
        (datetime.date(2026, 3, 2), ReportRun.Status.DONE, 1)
    ]


def test_the_periodic_task_runs_through_huey(team_a, django_capture_on_commit_callbacks):
    report = _make_due(team_a)
    with django_capture_on_commit_callbacks(execute=True):
        result = schedule_reports.call_local()
    assert len(result["created"]) == 1
    assert ReportRun.unscoped.get(report=report).status == ReportRun.Status.DONE


def test_a_period_due_before_the_report_existed_is_not_sent(team_a):
    make_report(team_a.owner, sections=["plans"])
    assert services.schedule_due_reports(timezone.now()) == []


def test_a_claimed_run_is_not_claimed_again_until_its_heartbeat_is_stale(team_a):
    report = _make_due(team_a)
    run = ReportRun.unscoped.create(
        workspace=team_a.workspace, report=report, period_start=datetime.date(2026, 3, 2),
        period_end=datetime.date(2026, 3, 8),
    )  # fmt: skip
    now = timezone.now()
    assert services.claim_run(run.pk, now) is True
    assert services.claim_run(run.pk, now) is False
    assert services.execute_run(run.pk) == "skipped"
    later = now + STALE_AFTER + datetime.timedelta(seconds=1)
    assert services.stale_runs(later) == [run.pk]
    assert services.claim_run(run.pk, later) is True
    assert ReportRun.unscoped.get(pk=run.pk).attempts == 2


def test_a_worker_killed_mid_run_is_finished_by_the_stale_pass(team_a, django_capture_on_commit_callbacks):
    report = _make_due(team_a)
    old = timezone.now() - datetime.timedelta(hours=1)
    run = ReportRun.unscoped.create(
        workspace=team_a.workspace, report=report, period_start=datetime.date(2026, 3, 2),
        period_end=datetime.date(2026, 3, 8), status="running", heartbeat_at=old, attempts=1,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert services.stale_runs() == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.attempts, run.pages > 0) == (ReportRun.Status.DONE, 2, True)


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield sink
    controller.stop()


def test_a_due_report_is_emailed_once_with_the_pdf_and_a_chinese_subject(
    team_a, smtp, django_capture_on_commit_callbacks
):
    report = _make_due(team_a, name="春茶周报", recipients=["boss@example.com", "client@example.com"])
    now = _at(2026, 3, 9, 8, 5)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.schedule_due_reports(now)
    assert len(smtp.messages) == 1
    recipients, content = smtp.messages[0]
    assert sorted(recipients) == ["boss@example.com", "client@example.com"]
    assert b"=?utf-8?" in content.split(b"\r\n\r\n", 1)[0]  # RFC 2047 encoded header
    message = email.message_from_bytes(content, policy=email.policy.default)
    # Django folds the encoded subject onto a continuation line; the decoded words are exact.
    assert message["Subject"].strip() == "报告：春茶周报（2026年3月2日 – 2026年3月8日）"
    assert message["X-Netmark-Workspace"] == team_a.workspace.slug
    attachment = next(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF-")
    run = ReportRun.unscoped.get(report=report)
    assert run.emailed_at is not None and run.email_error == ""


def test_an_smtp_failure_is_kept_on_the_run(team_a, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    report = _make_due(team_a, recipients=["boss@example.com"])
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_due_reports(_at(2026, 3, 9, 8, 5))
    run = ReportRun.unscoped.get(report=report)
    assert run.status == ReportRun.Status.DONE and run.emailed_at is None
    assert "ConnectionRefusedError" in run.email_error
    assert services.status_text(run) == "done, not emailed"


def test_without_smtp_the_report_lands_in_the_outbox(
    team_a, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    _make_due(team_a, recipients=["boss@example.com"])
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_due_reports(_at(2026, 3, 9, 8, 5))
    files = list((tmp_path / "outbox").glob("*.log"))
    assert len(files) == 1 and b"application/pdf" in files[0].read_bytes()
