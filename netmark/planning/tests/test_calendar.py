import datetime
import time

import icalendar
from django.conf import settings
from django.test import Client
from django.utils import timezone

from netmark.core import signing
from netmark.core.roles import Role
from netmark.planning import services
from netmark.planning.tests.factories import START, make_plan


def feed_path(team) -> str:
    url = team.api(Role.VIEWER).get("/api/v1/calendar/feed").json()["url"]
    assert url.startswith(settings.PUBLIC_URL + "/feeds/")
    return url.removeprefix(settings.PUBLIC_URL)


def events_of(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def test_calendar_lists_occurrences_overlapping_the_range(team_a):
    weekly = make_plan(
        team_a.owner,
        name="每周直播",
        recurrence="FREQ=WEEKLY;COUNT=4",
        ends_on=START + datetime.timedelta(weeks=5),
    )
    make_plan(
        team_a.owner, name="五月展会", starts_on=datetime.date(2026, 5, 1), ends_on=datetime.date(2026, 5, 3)
    )
    response = team_a.api(Role.VIEWER).get("/api/v1/calendar?start=2026-03-08&end=2026-03-23")
    assert response.status_code == 200
    assert response.json() == [
        {
            "plan_id": weekly.pk,
            "plan_name": "每周直播",
            "status": "draft",
            "starts_on": day,
            "ends_on": day,
            "sequence": sequence,
        }
        for sequence, day in [(1, "2026-03-09"), (2, "2026-03-16"), (3, "2026-03-23")]
    ]


def test_calendar_includes_a_multi_day_plan_that_started_before_the_range(team_a):
    plan = make_plan(team_a.owner, name="春茶季", starts_on=START, ends_on=datetime.date(2026, 4, 30))
    entries = team_a.api().get("/api/v1/calendar?start=2026-04-01&end=2026-04-07").json()
    assert [(entry["plan_id"], entry["starts_on"], entry["ends_on"]) for entry in entries] == [
        (plan.pk, "2026-03-02", "2026-04-30")
    ]


def test_calendar_range_is_at_most_400_days_and_in_order(team_a):
    client = team_a.api()
    assert client.get("/api/v1/calendar?start=2026-01-01&end=2027-02-05").status_code == 200
    too_long = client.get("/api/v1/calendar?start=2026-01-01&end=2027-02-06")
    assert (too_long.status_code, set(too_long.json()["fields"])) == (422, {"end"})
    backwards = client.get("/api/v1/calendar?start=2026-03-02&end=2026-03-01")
    assert (backwards.status_code, set(backwards.json()["fields"])) == (422, {"end"})
    assert client.get("/api/v1/calendar?start=2026-03-02").status_code == 422


def test_calendar_never_shows_another_workspaces_plans(team_a, team_b):
    make_plan(team_b.owner, name="B 的计划")
    assert team_a.api().get("/api/v1/calendar?start=2026-03-01&end=2026-03-31").json() == []


def test_ical_feed_parses_back_with_one_event_per_occurrence(team_a):
    today = timezone.localdate()
    weekly = make_plan(
        team_a.owner,
        name="每周直播 Live",
        recurrence="FREQ=WEEKLY;COUNT=5",
        starts_on=today,
        ends_on=today + datetime.timedelta(weeks=6),
    )
    fair = make_plan(
        team_a.owner,
        name="茶博会",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=2),
        status="planned",
    )
    events = events_of(Client().get(feed_path(team_a)))
    assert len(events) == 6
    by_uid = {str(event["UID"]): event for event in events}
    host = "127.0.0.1"
    assert set(by_uid) == {f"plan-{weekly.pk}-{n}@{host}" for n in range(5)} | {f"plan-{fair.pk}-0@{host}"}
    fair_event = by_uid[f"plan-{fair.pk}-0@{host}"]
    assert str(fair_event["SUMMARY"]) == "茶博会"
    assert fair_event.decoded("DTSTART") == today
    assert fair_event.decoded("DTEND") == today + datetime.timedelta(days=3)
    assert str(fair_event["STATUS"]) == "CONFIRMED"


def test_ical_feed_uids_are_stable_across_requests(team_a):
    make_plan(team_a.owner, starts_on=timezone.localdate(), ends_on=timezone.localdate())
    path = feed_path(team_a)
    first = [str(event["UID"]) for event in events_of(Client().get(path))]
    second = [str(event["UID"]) for event in events_of(Client().get(path))]
    assert first == second
    assert len(first) == 1


def test_feed_shows_only_its_own_workspace(team_a, team_b):
    make_plan(team_b.owner, name="B 的计划", starts_on=timezone.localdate(), ends_on=timezone.localdate())
    assert events_of(Client().get(feed_path(team_a))) == []


def test_forged_and_other_purpose_tokens_answer_404(team_a):
    path = feed_path(team_a)
    token = path.removeprefix("/feeds/").removesuffix(".ics")
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert Client().get(f"/feeds/{forged}.ics").status_code == 404
    other_purpose = signing.sign("invitation", [team_a.workspace.pk, team_a.workspace.feed_key])
    assert Client().get(f"/feeds/{other_purpose}.ics").status_code == 404
    unknown_workspace = signing.sign("calendar-feed", [999_999, team_a.workspace.feed_key])
    assert Client().get(f"/feeds/{unknown_workspace}.ics").status_code == 404
    assert Client().get("/feeds/not-a-token.ics").status_code == 404


def test_resetting_the_feed_revokes_old_urls(team_a):
    old_path = feed_path(team_a)
    response = team_a.api().post("/api/v1/calendar/feed/reset")
    assert response.status_code == 200
    new_path = response.json()["url"].removeprefix(settings.PUBLIC_URL)
    assert new_path != old_path
    assert Client().get(old_path).status_code == 404
    assert Client().get(new_path).status_code == 200


def test_only_owners_reset_the_feed(team_a):
    old_path = feed_path(team_a)
    assert team_a.api(Role.PLANNER).post("/api/v1/calendar/feed/reset").status_code == 403
    assert Client().get(old_path).status_code == 200


def test_feed_url_names_the_workspace_it_was_made_for(team_a, team_b):
    token_a = services.calendar_feed_url(team_a.workspace).rsplit("/", 1)[1].removesuffix(".ics")
    assert services.workspace_for_feed(token_a) == team_a.workspace
    assert feed_path(team_a) != feed_path(team_b)


def test_feed_url_stays_the_same_over_time(team_a, monkeypatch):
    first = services.calendar_feed_url(team_a.workspace)
    later = time.time() + 86_400
    monkeypatch.setattr(time, "time", lambda: later)
    assert services.calendar_feed_url(team_a.workspace) == first
