import datetime
import time

import pytest

from netmark.core.errors import ValidationFailed
from netmark.planning import recurrence

MONDAY = datetime.date(2026, 3, 2)
END = datetime.date(2026, 12, 31)


def test_weekly_rule_with_count_gives_that_many_mondays():
    dates = recurrence.expand("FREQ=WEEKLY;BYDAY=MO;COUNT=8", MONDAY, END)
    assert dates == [MONDAY + datetime.timedelta(weeks=week) for week in range(8)]


def test_rule_without_count_stops_at_the_plans_end():
    dates = recurrence.expand("FREQ=WEEKLY", MONDAY, datetime.date(2026, 3, 22))
    assert dates == [datetime.date(2026, 3, 2), datetime.date(2026, 3, 9), datetime.date(2026, 3, 16)]


def test_until_bounds_the_series():
    dates = recurrence.expand("FREQ=MONTHLY;BYMONTHDAY=31;UNTIL=20260801", MONDAY, END)
    assert dates == [datetime.date(2026, 3, 31), datetime.date(2026, 5, 31), datetime.date(2026, 7, 31)]


def test_leap_day_rule_finds_the_next_leap_year():
    dates = recurrence.expand("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", MONDAY, datetime.date(2029, 1, 1))
    assert dates == [datetime.date(2028, 2, 29)]


def test_rrule_prefix_and_lower_case_are_normalised():
    assert recurrence.normalise("rrule:freq=weekly;byday=mo;count=8") == "FREQ=WEEKLY;BYDAY=MO;COUNT=8"
    assert recurrence.normalise("") == ""


@pytest.mark.parametrize(
    ("rule", "message_part"),
    [
        ("FREQ=WEEKLY;DTSTART=20260101", "DTSTART"),
        ("FREQ=HOURLY", "FREQ"),
        ("FREQ=DAILY;BYHOUR=9", "BYHOUR"),
        ("FREQ=WEEKLY;COUNT=501", "COUNT"),
        ("FREQ=WEEKLY;COUNT=0", "COUNT"),
        ("FREQ=WEEKLY;INTERVAL=1000", "INTERVAL"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20261231", "COUNT or UNTIL"),
        ("FREQ=WEEKLY;UNTIL=2026-12-31", "UNTIL"),
        ("FREQ=WEEKLY;BYDAY=星期一", "valid RRULE"),
        ("每周一", "NAME=value"),
        ("FREQ=WEEKLY BYDAY=MO", "one line"),
        ("FREQ=WEEKLY;FREQ=DAILY", "NAME=value"),
    ],
)
def test_bad_rules_are_refused_on_the_recurrence_field(rule, message_part):
    with pytest.raises(ValidationFailed) as caught:
        recurrence.expand(rule, MONDAY, END)
    assert list(caught.value.fields) == ["recurrence"]
    assert message_part in caught.value.fields["recurrence"]


def test_rule_giving_more_than_500_dates_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        recurrence.expand("FREQ=DAILY", MONDAY, datetime.date(2028, 3, 1))
    assert "500" in caught.value.fields["recurrence"]


@pytest.mark.parametrize(
    "rule",
    ["FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=DAILY;BYYEARDAY=400", "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6"],
)
def test_rule_that_never_matches_is_refused_quickly(rule):
    started = time.process_time()  # CPU time: unaffected by other processes on a busy machine
    with pytest.raises(ValidationFailed) as caught:
        recurrence.expand(rule, MONDAY, END)
    assert "no date" in caught.value.fields["recurrence"]
    assert time.process_time() - started < 1.0  # unbounded, the DAILY rule takes about 3 s


def test_window_is_capped_at_three_years():
    assert recurrence.window_end(MONDAY, datetime.date(2040, 1, 1)) == datetime.date(2029, 3, 2)
    assert recurrence.window_end(datetime.date(2028, 2, 29), datetime.date(2040, 1, 1)) == datetime.date(
        2031, 2, 28
    )
