"""The plan calendar: a month grid (Monday first) and a week view of plan occurrences.

"Today" is the workspace's local date, not the server's.
"""

import calendar
import datetime

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from netmark.planning import services
from netmark.planning.models import Plan
from netmark.web.access import workspace_page, workspace_time_zone

FIRST_YEAR, LAST_YEAR = 1970, 2999


def _today(workspace) -> datetime.date:
    return timezone.localdate(timezone=workspace_time_zone(workspace))


def _days(start: datetime.date, end: datetime.date, entries, today) -> list[dict]:
    """Each day of [start, end] with the entries that run on it."""
    days = []
    day = start
    while day <= end:
        days.append(
            {
                "date": day,
                "is_today": day == today,
                "entries": [entry for entry in entries if entry.starts_on <= day <= entry.ends_on],
            }
        )
        day += datetime.timedelta(days=1)
    return days


def _month_link(year: int, month: int) -> tuple[int, int] | None:
    if month == 0:
        year, month = year - 1, 12
    elif month == 13:
        year, month = year + 1, 1
    return (year, month) if FIRST_YEAR <= year <= LAST_YEAR else None


@workspace_page()
def calendar_month(request, year: int | None = None, month: int | None = None):
    workspace = request.member.workspace
    today = _today(workspace)
    if year is None or month is None:
        year, month = today.year, today.month
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        raise Http404
    weeks = calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(year, month)
    start, end = weeks[0][0], weeks[-1][-1]
    days = _days(start, end, services.calendar_entries(workspace, start, end), today)
    context = {
        "month_start": datetime.date(year, month, 1),
        "month": month,
        "weeks": [days[index : index + 7] for index in range(0, len(days), 7)],
        "weekdays": [week_day["date"] for week_day in days[:7]],
        "previous": _month_link(year, month - 1),
        "next": _month_link(year, month + 1),
        "today": today,
        "feed_url": services.calendar_feed_url(workspace),
        "plan_statuses": Plan.Status.choices,
    }
    return render(request, "planning/calendar_month.html", context)


@workspace_page()
def calendar_week(request, year: int | None = None, week: int | None = None):
    workspace = request.member.workspace
    today = _today(workspace)
    if year is None:
        year, week, _weekday = today.isocalendar()
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    try:
        start = datetime.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise Http404 from None
    end = start + datetime.timedelta(days=6)
    previous_week = (start - datetime.timedelta(days=7)).isocalendar()
    next_week = (start + datetime.timedelta(days=7)).isocalendar()
    context = {
        "days": _days(start, end, services.calendar_entries(workspace, start, end), today),
        "start": start,
        "end": end,
        "week": week,
        "previous": (previous_week.year, previous_week.week) if previous_week.year >= FIRST_YEAR else None,
        "next": (next_week.year, next_week.week) if next_week.year <= LAST_YEAR else None,
        "today": today,
        "feed_url": services.calendar_feed_url(workspace),
        "plan_statuses": Plan.Status.choices,
    }
    return render(request, "planning/calendar_week.html", context)
