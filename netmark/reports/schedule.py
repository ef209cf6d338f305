"""Which period a report covers and when it is due, in the workspace's time zone.

- weekly: Monday to Sunday of the week before the due day (``weekday`` at ``send_time``);
- monthly: the calendar month before the due day (``month_day``, 1 to 28, at ``send_time``);
- per promotion: the promotion's days, due once, on the day after it ends at ``send_time``.

``latest_due(report, now)`` is the newest period whose due instant has passed, or None. The
periodic task asks it every few minutes and creates at most one run per report x period.
"""

import datetime
import zoneinfo

from netmark.reports.models import Report
from netmark.reports.sections import ReportPeriod

ONE_DAY = datetime.timedelta(days=1)


def zone_of(workspace) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(workspace.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _previous_month(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    end = day.replace(day=1) - ONE_DAY
    return end.replace(day=1), end


def _due_day(report: Report, local_today: datetime.date) -> datetime.date | None:
    """The newest day on or before ``local_today`` that the schedule sends on."""
    if report.kind == Report.Kind.WEEKLY:
        return local_today - datetime.timedelta(days=(local_today.weekday() - report.weekday) % 7)
    if report.kind == Report.Kind.MONTHLY:
        if local_today.day >= report.month_day:
            return local_today.replace(day=report.month_day)
        start, _end = _previous_month(local_today)
        return start.replace(day=report.month_day)
    if report.plan is None:
        return None
    return report.plan.ends_on + ONE_DAY


def period_for_due_day(report: Report, due_day: datetime.date) -> ReportPeriod:
    if report.kind == Report.Kind.WEEKLY:
        monday = due_day - datetime.timedelta(days=due_day.weekday()) - datetime.timedelta(days=7)
        return ReportPeriod(monday, monday + datetime.timedelta(days=6))
    if report.kind == Report.Kind.MONTHLY:
        return ReportPeriod(*_previous_month(due_day))
    return ReportPeriod(report.plan.starts_on, report.plan.ends_on, plan_id=report.plan_id)


def due_instant(report: Report, due_day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(due_day, report.send_time, tzinfo=zone_of(report.workspace))


def latest_due(report: Report, now: datetime.datetime) -> ReportPeriod | None:
    """The period whose due instant is the newest one at or before ``now`` (None: nothing due yet)."""
    local_now = now.astimezone(zone_of(report.workspace))
    day = _due_day(report, local_now.date())
    if day is None:
        return None
    if due_instant(report, day) > now:
        if report.kind == Report.Kind.PROMOTION:
            return None
        day = _due_day(report, day - ONE_DAY)
    return period_for_due_day(report, day)


def current_period(report: Report, now: datetime.datetime) -> ReportPeriod:
    """What "run now" covers: the last complete period (the promotion's days for per-promotion)."""
    local_today = now.astimezone(zone_of(report.workspace)).date()
    if report.kind == Report.Kind.PROMOTION:
        return ReportPeriod(report.plan.starts_on, report.plan.ends_on, plan_id=report.plan_id)
    if report.kind == Report.Kind.MONTHLY:
        return ReportPeriod(*_previous_month(local_today))
    monday = local_today - datetime.timedelta(days=local_today.weekday() + 7)
    return ReportPeriod(monday, monday + datetime.timedelta(days=6))
