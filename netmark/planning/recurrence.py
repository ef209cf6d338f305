"""Recurrence rules of plans: validation and expansion into occurrence dates.

A rule is an RFC 5545 RRULE without DTSTART (the plan's ``starts_on`` is the start), e.g.
``FREQ=WEEKLY;BYDAY=MO;COUNT=8``. Occurrences are whole days, so frequencies finer than a day and
BYHOUR / BYMINUTE / BYSECOND are refused. The plan's window bounds the series: dates after
``ends_on`` are not part of it, a rule without COUNT or UNTIL runs until ``ends_on``, and a series
has at most ``MAX_OCCURRENCES`` dates within ``MAX_SPAN_YEARS`` of its start.
"""

import datetime
from itertools import islice

from dateutil.rrule import rrulestr
from django.utils.translation import gettext as _

from netmark.core.errors import ValidationFailed

MAX_OCCURRENCES = 500
MAX_SPAN_YEARS = 3
MAX_INTERVAL = 999
FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
ALLOWED_PARTS = {
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
}
# The Gregorian calendar repeats exactly every 400 years (same weekdays, same leap years). A rule
# whose filters never match makes dateutil scan every day up to year 9999 (seconds of CPU); moving
# the series by whole 400-year cycles close to that year bounds the scan while giving the same dates.
_CYCLE_YEARS = 400
_LAST_SAFE_YEAR = 9999 - MAX_SPAN_YEARS - 1


def _refuse(message: str):
    raise ValidationFailed(fields={"recurrence": message})


def _parts(rule: str) -> dict[str, str]:
    text = rule.strip().upper()
    if text.startswith("RRULE:"):
        text = text[len("RRULE:") :]
    if not text:
        return {}
    if any(character.isspace() for character in text):
        _refuse(_("Write one rule on one line, without spaces, e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=8."))
    parts: dict[str, str] = {}
    for item in text.strip(";").split(";"):
        name, equals, value = item.partition("=")
        if not equals or not value or name in parts:
            _refuse(_("Each part of the rule is NAME=value, e.g. FREQ=WEEKLY."))
        parts[name] = value
    return parts


def _check_parts(parts: dict[str, str]) -> None:
    if "DTSTART" in parts:
        _refuse(_("Leave DTSTART out: the plan's start date is the start of the series."))
    unknown = sorted(set(parts) - ALLOWED_PARTS)
    if unknown:
        _refuse(_("Not supported in a plan's rule: %s.") % ", ".join(unknown))
    if parts.get("FREQ") not in FREQUENCIES:
        _refuse(_("FREQ must be one of %s.") % ", ".join(sorted(FREQUENCIES)))
    if "COUNT" in parts and "UNTIL" in parts:
        _refuse(_("Use COUNT or UNTIL, not both."))
    _check_number(parts, "COUNT", MAX_OCCURRENCES)
    _check_number(parts, "INTERVAL", MAX_INTERVAL)


def _check_number(parts: dict[str, str], name: str, maximum: int) -> None:
    if name in parts and not (parts[name].isdigit() and 1 <= int(parts[name]) <= maximum):
        _refuse(_("%(name)s is a whole number from 1 to %(maximum)d.") % {"name": name, "maximum": maximum})


def _until(value: str | None) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.datetime.strptime(value[:8], "%Y%m%d").date()
    except ValueError:
        _refuse(_("UNTIL is a date like 20261231."))


def normalise(rule: str) -> str:
    """The rule upper-cased without an ``RRULE:`` prefix, or ``ValidationFailed`` on ``recurrence``."""
    parts = _parts(rule or "")
    if not parts:
        return ""
    _check_parts(parts)
    _until(parts.get("UNTIL"))
    return ";".join(f"{name}={value}" for name, value in parts.items())


def window_end(starts_on: datetime.date, ends_on: datetime.date) -> datetime.date:
    """The last day a recurring series may reach: the plan's end, at most MAX_SPAN_YEARS on."""
    try:
        limit = starts_on.replace(year=starts_on.year + MAX_SPAN_YEARS)
    except ValueError:  # 29 February
        limit = starts_on.replace(year=starts_on.year + MAX_SPAN_YEARS, day=28)
    return min(ends_on, limit)


def expand(rule: str, starts_on: datetime.date, ends_on: datetime.date) -> list[datetime.date]:
    """The dates of ``rule`` from ``starts_on`` through ``window_end(starts_on, ends_on)``."""
    parts = _parts(rule)
    _check_parts(parts)
    last = window_end(starts_on, ends_on)
    until = _until(parts.pop("UNTIL", None))
    if until is not None:
        last = min(last, until)
    shift = _CYCLE_YEARS * max(0, (_LAST_SAFE_YEAR - starts_on.year) // _CYCLE_YEARS)
    dtstart = datetime.datetime.combine(starts_on.replace(year=starts_on.year + shift), datetime.time())
    text = ";".join(f"{name}={value}" for name, value in parts.items())
    try:
        series = rrulestr(text, dtstart=dtstart)
        dates = _dates_until(series, last.replace(year=last.year + shift), shift)
    except (ValueError, TypeError, OverflowError, KeyError, IndexError):
        _refuse(_("This is not a valid RRULE, e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=8."))
    if not dates:
        _refuse(_("The rule gives no date between the plan's start and end."))
    if len(dates) > MAX_OCCURRENCES:
        _refuse(_("The rule gives more than %d dates; shorten it.") % MAX_OCCURRENCES)
    return dates


def _dates_until(series, last: datetime.date, shift: int) -> list[datetime.date]:
    dates: list[datetime.date] = []
    for moment in islice(series, MAX_OCCURRENCES + 1):
        day = moment.date()
        if day > last:
            break
        day = day.replace(year=day.year - shift)
        if not dates or dates[-1] != day:
            dates.append(day)
    return dates
