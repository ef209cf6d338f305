"""The calendar pages: month grid (Monday first), week view, the workspace's "today", the feed link."""

import datetime

import pytest
from django.utils import timezone

from netmark.core.roles import Role
from netmark.planning import services
from netmark.planning.tests.factories import START
from netmark.planning.tests.pages import browser, sample_plan, url


@pytest.fixture
def plan(team_a):
    return sample_plan(team_a)


def test_month_view_puts_the_plan_on_its_days_monday_first(team_a, plan):
    response = browser(team_a, Role.VIEWER).get(url(team_a, "calendar_month", 2026, 3))
    weeks = response.context["weeks"]
    assert weeks[0][0]["date"] == datetime.date(2026, 2, 23)
    assert weeks[-1][-1]["date"] == datetime.date(2026, 4, 5)
    days_with_plan = [day["date"] for week in weeks for day in week if day["entries"]]
    assert days_with_plan == [START + datetime.timedelta(days=offset) for offset in range(14)]
    assert 'class="chip badge badge-draft"' in response.text
    assert (response.context["previous"], response.context["next"]) == ((2026, 2), (2026, 4))


def test_month_view_of_another_month_has_no_chip(team_a, plan):
    response = browser(team_a, Role.VIEWER).get(url(team_a, "calendar_month", 2026, 5))
    assert all(not day["entries"] for week in response.context["weeks"] for day in week)


def test_week_view_lists_seven_days_from_monday(team_a, plan):
    response = browser(team_a, Role.VIEWER).get(url(team_a, "calendar_week", 2026, 10))
    days = response.context["days"]
    assert [day["date"] for day in days] == [START + datetime.timedelta(days=offset) for offset in range(7)]
    assert all(day["entries"][0].plan_name == "春茶上新 Spring launch" for day in days)
    assert response.context["previous"] == (2026, 9)


def test_today_is_the_workspaces_local_date(team_a, monkeypatch):
    late_evening_utc = datetime.datetime(2026, 3, 31, 20, 0, tzinfo=datetime.UTC)  # 1 April in Shanghai
    monkeypatch.setattr(timezone, "now", lambda: late_evening_utc)
    response = browser(team_a, Role.VIEWER).get(url(team_a, "calendar"))
    assert response.context["month_start"] == datetime.date(2026, 4, 1)
    today = [day["date"] for week in response.context["weeks"] for day in week if day["is_today"]]
    assert today == [datetime.date(2026, 4, 1)]


@pytest.mark.parametrize("args", [(2026, 13), (2026, 0), (3000, 1)])
def test_impossible_month_is_not_found(team_a, args):
    assert browser(team_a, Role.VIEWER).get(url(team_a, "calendar_month", *args)).status_code == 404


def test_impossible_week_is_not_found(team_a):
    assert browser(team_a, Role.VIEWER).get(url(team_a, "calendar_week", 2026, 54)).status_code == 404


def test_calendar_links_to_the_ical_feed(team_a):
    response = browser(team_a, Role.VIEWER).get(url(team_a, "calendar"))
    assert services.calendar_feed_url(team_a.workspace) in response.text
