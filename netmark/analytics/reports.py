"""Reports: a site, a date range in the site's time zone and filters in; the dashboard's figures out.

The same functions feed the web dashboard, the REST API and ``netmark analytics ...``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from netmark.analytics.models import Site
from netmark.analytics.stores import get_store
from netmark.analytics.stores.base import DIMENSIONS, VISIT_DIMENSIONS, Filter, Goal, Query, Totals, as_dict
from netmark.core.errors import ValidationFailed

MAX_DAYS = 3 * 366
FILTER_OPS = ("is", "is_not", "contains")
# What a table can break down by: pages, the visit dimensions and custom events. Not country (no
# GeoIP data ships yet) nor host name (one per site, in practice).
BREAKDOWNS = ("path", *(name for name in VISIT_DIMENSIONS if name not in ("country", "hostname")), "name")


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))


def parse_filters(items: list[str] | None) -> tuple[Filter, ...]:
    """Filters written ``dimension:value`` (is), ``dimension!:value`` (is not) or ``dimension~:value``
    (contains), as in the API's ``filter`` parameter and the dashboard's URL."""
    filters = []
    for item in items or []:
        name, sep, value = item.partition(":")
        if not sep:
            raise ValidationFailed(fields={"filter": _("Write filters as dimension:value.")})
        op = "is"
        if name.endswith("!"):
            name, op = name[:-1], "is_not"
        elif name.endswith("~"):
            name, op = name[:-1], "contains"
        if name not in DIMENSIONS:
            raise ValidationFailed(fields={"filter": _("Unknown dimension: %(name)s.") % {"name": name[:40]}})
        filters.append(Filter(name, value[:2000], op))
    return tuple(filters)


def period_or_default(start: date | None, end: date | None, site: Site) -> Period:
    today = datetime.now(ZoneInfo(site.timezone)).date()
    end = end or today
    start = start or end - timedelta(days=29)
    if start > end:
        raise ValidationFailed(fields={"start": _("The start must not be after the end.")})
    if (end - start).days > MAX_DAYS:
        raise ValidationFailed(fields={"start": _("A report covers at most three years.")})
    return Period(start, end)


def make_query(site: Site, period: Period, filters: tuple[Filter, ...] = ()) -> Query:
    zone = ZoneInfo(site.timezone)
    start = datetime.combine(period.start, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(period.end + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return Query(
        workspace_id=site.workspace_id,
        site_id=site.pk,
        start_ms=int(start.timestamp() * 1000),
        end_ms=int(end.timestamp() * 1000),
        tz=site.timezone,
        filters=filters,
    )


def interval_for(period: Period) -> str:
    if period.days <= 2:
        return "hour"
    if period.days > 180:
        return "month"
    return "day"


def summary(site: Site, period: Period, filters: tuple[Filter, ...] = ()) -> dict:
    """Totals of the period and of the previous period of the same length (for comparison)."""
    store = get_store()
    current = store.totals(make_query(site, period, filters))
    previous = store.totals(make_query(site, period.previous(), filters))
    return {"current": as_dict(current), "previous": as_dict(previous), "change": _changes(current, previous)}


def _changes(current: Totals, previous: Totals) -> dict[str, float | None]:
    pairs = {
        "visitors": (current.visitors, previous.visitors),
        "visits": (current.visits, previous.visits),
        "pageviews": (current.pageviews, previous.pageviews),
        "bounce_rate": (current.bounce_rate, previous.bounce_rate),
        "mean_duration_s": (current.mean_duration_s, previous.mean_duration_s),
        "revenue_micros": (current.revenue_micros, previous.revenue_micros),
    }
    return {
        key: (round((now - before) / before, 4) if before else None) for key, (now, before) in pairs.items()
    }


def timeseries(site: Site, period: Period, filters: tuple[Filter, ...] = (), interval: str | None = None):
    interval = interval or interval_for(period)
    if interval not in ("hour", "day", "month"):
        raise ValidationFailed(fields={"interval": _("Choose hour, day or month.")})
    rows = get_store().timeseries(make_query(site, period, filters), interval)
    return interval, [(label, as_dict(totals)) for label, totals in rows]


def breakdown(site: Site, period: Period, dimension: str, filters: tuple[Filter, ...] = (), limit: int = 10):
    if dimension not in BREAKDOWNS:
        raise ValidationFailed(
            fields={"dimension": _("Unknown dimension: %(name)s.") % {"name": dimension[:40]}}
        )
    rows = get_store().breakdown(make_query(site, period, filters), dimension, limit)
    return [{"value": value, **as_dict(totals)} for value, totals in rows]


def parse_goal(text: str) -> Goal:
    """``event:Signup`` or ``page:/checkout/success*``."""
    kind, sep, match = text.partition(":")
    if not sep or kind not in ("event", "page") or not match:
        raise ValidationFailed(fields={"goal": _("Write goals as event:<name> or page:<path pattern>.")})
    return Goal(kind, match[:500])


def goals(site: Site, period: Period, goal_texts: list[str], filters: tuple[Filter, ...] = ()) -> list[dict]:
    store = get_store()
    query = make_query(site, period, filters)
    visitors = store.totals(query).visitors
    results = []
    for text in goal_texts:
        goal = parse_goal(text)
        converted, conversions, revenue = store.goal_conversions(query, goal)
        results.append(
            {
                "goal": text,
                "visitors": converted,
                "conversions": conversions,
                "conversion_rate": round(converted / visitors, 4) if visitors else 0.0,
                "revenue_micros": revenue,
            }
        )
    return results


def funnel(
    site: Site, period: Period, step_texts: list[str], window_hours: int = 24, filters=()
) -> list[dict]:
    if not 2 <= len(step_texts) <= 8:
        raise ValidationFailed(fields={"steps": _("A funnel has 2 to 8 steps.")})
    steps = [parse_goal(text) for text in step_texts]
    counts = get_store().funnel(make_query(site, period, filters), steps, window_hours * 3_600_000)
    result = []
    for index, (text, count) in enumerate(zip(step_texts, counts, strict=True)):
        before = counts[index - 1] if index else count
        result.append(
            {
                "step": text,
                "visitors": count,
                "drop_off": before - count,
                "conversion_from_previous": round(count / before, 4) if before else 0.0,
                "conversion_from_start": round(count / counts[0], 4) if counts[0] else 0.0,
            }
        )
    return result


def realtime(site: Site) -> int:
    return get_store().realtime_visitors(site.workspace_id, site.pk, int(time.time() * 1000))


def filtered_counts(site: Site, period: Period) -> dict[str, int]:
    """Events refused by the filters (bots, prefetch, exclusions, rate limits), by reason."""
    start = period.start.year * 10000 + period.start.month * 100 + period.start.day
    end = period.end.year * 10000 + period.end.month * 100 + period.end.day
    return get_store().drops(site.pk, start, end)
