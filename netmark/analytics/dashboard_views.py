"""The dashboard of one site: totals with their change, the realtime count, visitors over time,
breakdown tables (each row adds a filter), goals, a funnel, and each table as CSV.

The URL holds the whole state (``forms.DashboardState``): a dashboard can be bookmarked and shared
with colleagues. Numbers are formatted here; the template only places them.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from netmark.analytics import reports, services
from netmark.analytics.dashboard_columns import (
    CARDS,
    EXPORT_ROWS,
    SECTIONS,
    TABLE_ROWS,
    Column,
    columns_of,
    raw,
    show,
)
from netmark.analytics.forms import MAX_GOALS, MAX_STEPS, DashboardState
from netmark.analytics.stores import get_store
from netmark.analytics.stores.base import EVENT_DIMENSIONS
from netmark.analytics.views import (
    DIMENSION_LABELS,
    FILTER_OPERATORS,
    install_context,
    money,
    page_url,
    rights,
    value_label,
)
from netmark.core import csvio
from netmark.core.apitools import file_answer
from netmark.web.access import workspace_page


def _site_and_state(request, pk: int):
    site = services.get_site(request.member.workspace, pk)
    return site, DashboardState.parse(site, request.GET)


def _export_url(request, state: DashboardState, table: str) -> str:
    return page_url(request, "export", state.site.pk, table) + state.query()


# Summary


def _change(key: str, summary: dict) -> float | None:
    if key == "views_per_visit":
        before = summary["previous"]["views_per_visit"]
        return round((summary["current"]["views_per_visit"] - before) / before, 4) if before else None
    return summary["change"].get(key)


def _cards(summary: dict) -> list[dict]:
    cards = []
    for column, rise_is_good in CARDS:
        change = _change(column.key, summary)
        trend = "" if not change else ("good" if (change > 0) == rise_is_good else "bad")
        cards.append(
            {
                "key": column.key,
                "label": column.label,
                "value": show(column.kind, summary["current"][column.key]),
                "previous": show(column.kind, summary["previous"][column.key]),
                "change": None if change is None else f"{change * 100:+.1f}%",
                "trend": trend,
            }
        )
    return cards


# Visitors over time


def _buckets(period: reports.Period, interval: str, zone: ZoneInfo) -> list[str]:
    if interval == "month":
        months, day = [], period.start.replace(day=1)
        while day <= period.end:
            months.append(f"{day.year:04d}-{day.month:02d}")
            day = (day + timedelta(days=32)).replace(day=1)
        return months
    days = [period.start + timedelta(days=offset) for offset in range(period.days)]
    if interval == "day":
        return [day.isoformat() for day in days]
    now = datetime.now(zone).strftime("%Y-%m-%dT%H:00")
    hours = [f"{day.isoformat()}T{hour:02d}:00" for day in days for hour in range(24)]
    return [label for label in hours if label <= now]


def _short(label: str, interval: str, single_day: bool) -> str:
    if interval == "hour":
        return label[11:] if single_day else f"{label[5:10]} {label[11:]}"
    return label[5:] if interval == "day" else label


def series(state: DashboardState) -> dict:
    """Visitors and pageviews per bucket, with the buckets that have no visit as zeros."""
    interval, points = reports.timeseries(state.site, state.period, state.filters)
    values = dict(points)
    labels = sorted(set(_buckets(state.period, interval, ZoneInfo(state.site.timezone))) | set(values))
    empty = {"visitors": 0, "pageviews": 0, "visits": 0}
    return {
        "interval": interval,
        "buckets": labels,
        "labels": [_short(label, interval, state.period.days == 1) for label in labels],
        "series": [
            {"key": key, "name": str(label), "data": [values.get(bucket, empty)[key] for bucket in labels]}
            for key, label in (("visitors", _("Visitors")), ("pageviews", _("Pageviews")))
        ],
        "visits": [values.get(bucket, empty)["visits"] for bucket in labels],
    }


# Breakdown tables


def _table(request, state: DashboardState, dimension: str, label, with_revenue: bool, *, lazy=False) -> dict:
    """One tab of a breakdown card. A ``lazy`` tab carries only the URL its rows load from when it
    is first opened: a page computes the tabs it shows, not the ten it hides."""
    table = {
        "dimension": dimension,
        "label": label,
        "columns": columns_of(dimension, with_revenue),
        "export_url": _export_url(request, state, dimension),
    }
    if lazy:
        panel = page_url(request, "panel", state.site.pk, dimension) + state.query()
        return {**table, "panel_url": panel + ("&" if "?" in panel else "?") + f"revenue={int(with_revenue)}"}
    rows = reports.breakdown(state.site, state.period, dimension, state.filters, TABLE_ROWS)
    columns = table["columns"]
    top = max((row["visitors"] for row in rows), default=0) or 1
    return {
        **table,
        "rows": [
            {
                "value": row["value"],
                "display": value_label(dimension, row["value"]),
                "filter_url": state.with_filter(f"{dimension}:{row['value']}"),
                "share": round(100 * row["visitors"] / top),
                "cells": [show(column.kind, row[column.key]) for column in columns],
            }
            for row in rows
        ],
    }


def _sections(request, state: DashboardState, with_revenue: bool) -> list[dict]:
    return [
        {
            "key": key,
            "heading": heading,
            "tables": [
                _table(request, state, dimension, label, with_revenue, lazy=index > 0)
                for index, (dimension, label) in enumerate(tabs)
            ],
        }
        for key, heading, tabs in SECTIONS
    ]


def _chips(state: DashboardState) -> list[dict]:
    chips = []
    for text, flt in zip(state.filter_texts, state.filters, strict=True):
        chips.append(
            {
                "dimension": DIMENSION_LABELS.get(flt.dimension, flt.dimension),
                "operator": FILTER_OPERATORS[flt.op],
                "value": value_label(flt.dimension, flt.value),
                "remove_url": state.without("filter_texts", text),
            }
        )
    return chips


# Goals and funnel


def _goals(state: DashboardState) -> list[dict]:
    if not state.goals:
        return []
    rows = reports.goals(state.site, state.period, list(state.goals), state.filters)
    return [
        {
            **row,
            "rate": show("percent", row["conversion_rate"]),
            "revenue": show("money", row["revenue_micros"]),
            "remove_url": state.without("goals", row["goal"]),
        }
        for row in rows
    ]


def _funnel(state: DashboardState) -> list[dict]:
    if len(state.steps) < 2:
        return [{"step": step, "remove_url": state.without("steps", step)} for step in state.steps]
    rows = reports.funnel(state.site, state.period, list(state.steps), state.window_hours, state.filters)
    top = rows[0]["visitors"] or 1
    return [
        {
            **row,
            "share": round(100 * row["visitors"] / top),
            "from_previous": show("percent", row["conversion_from_previous"]),
            "from_start": show("percent", row["conversion_from_start"]),
            "remove_url": state.without("steps", row["step"]),
        }
        for row in rows
    ]


def _has_data(site, current: dict) -> bool:
    """Whether the site ever received an event (asked of the store only when the period is empty)."""
    if current["visits"] or current["events"]:
        return True
    today = datetime.now(ZoneInfo(site.timezone)).date()
    query = reports.make_query(site, reports.Period(date(2000, 1, 1), today + timedelta(days=1)))
    totals = get_store().totals(query)
    return bool(totals.visits or totals.events)


# Pages


@workspace_page()
def dashboard(request, pk: int):
    site, state = _site_and_state(request, pk)
    summary = reports.summary(site, state.period, state.filters)
    context = {
        "site": site,
        "state": state,
        "realtime": reports.realtime(site),
        "has_data": bool(state.filter_texts) or _has_data(site, summary["current"]),
        "sites": services.list_sites(request.member.workspace),
        **rights(request.member),
    }
    if not context["has_data"]:
        return render(request, "analytics/dashboard.html", {**context, **install_context(site)})
    chart = series(state)
    context.update(
        cards=_cards(summary),
        chart={key: chart[key] for key in ("labels", "series")},
        chart_rows=list(zip(chart["labels"], *(entry["data"] for entry in chart["series"]), strict=True)),
        range_hidden=state.hidden("start", "end"),
        window_hidden=state.hidden("window"),
        clear_filters_url=state.query(filter_texts=()),
        chips=_chips(state),
        sections=_sections(request, state, with_revenue=bool(summary["current"]["revenue_micros"])),
        goals=_goals(state),
        # the funnel (the slowest query of the page) loads after the page
        funnel=_funnel(state) if len(state.steps) < 2 else [],
        funnel_url=page_url(request, "funnel", site.pk) + state.query() if len(state.steps) > 1 else "",
        max_goals=MAX_GOALS,
        max_steps=MAX_STEPS,
        export_goals=_export_url(request, state, "goals"),
        export_funnel=_export_url(request, state, "funnel"),
        export_timeseries=_export_url(request, state, "timeseries"),
    )
    return render(request, "analytics/dashboard.html", context)


@workspace_page()
def realtime(request, pk: int):
    """The realtime count alone, for the dashboard's HTMX poll."""
    site = services.get_site(request.member.workspace, pk)
    return render(request, "analytics/_realtime.html", {"site": site, "realtime": reports.realtime(site)})


@workspace_page()
def panel(request, pk: int, table: str):
    """The rows of one breakdown tab, fetched when the tab is first opened."""
    site, state = _site_and_state(request, pk)
    labels = {dimension: label for _, _, tabs in SECTIONS for dimension, label in tabs}
    if table not in labels:
        raise Http404
    with_revenue = request.GET.get("revenue") == "1"
    context = {"table": _table(request, state, table, labels[table], with_revenue)}
    return render(request, "analytics/_breakdown_panel.html", context)


@workspace_page()
def funnel_rows(request, pk: int):
    """The funnel's rows, fetched by the dashboard once it is shown."""
    _site, state = _site_and_state(request, pk)
    return render(request, "analytics/_funnel_rows.html", {"state": state, "funnel": _funnel(state)})


@workspace_page()
def export(request, pk: int, table: str):
    """One table of the dashboard as CSV (UTF-8 with BOM, formula-safe), with the dashboard's state."""
    site, state = _site_and_state(request, pk)
    if table in reports.BREAKDOWNS:
        headers, rows = _breakdown_csv(state, table)
    elif table == "timeseries":
        headers, rows = _timeseries_csv(state)
    elif table == "goals":
        goals = reports.goals(site, state.period, list(state.goals), state.filters) if state.goals else []
        headers = ["goal", "visitors", "conversions", "conversion_rate", "revenue"]
        rows = [
            [g["goal"], g["visitors"], g["conversions"], g["conversion_rate"], money(g["revenue_micros"])]
            for g in goals
        ]
    elif table == "funnel":
        headers = ["step", "visitors", "drop_off", "conversion_from_previous", "conversion_from_start"]
        rows = [[row[key] for key in headers] for row in _funnel(state)] if len(state.steps) >= 2 else []
    else:
        raise Http404
    name = f"{site.domain}-{table}-{state.period.start.isoformat()}-{state.period.end.isoformat()}.csv"
    return file_answer(csvio.write_rows(headers, rows), "text/csv; charset=utf-8", name.replace(":", "_"))


def _breakdown_csv(state: DashboardState, dimension: str):
    rows = reports.breakdown(state.site, state.period, dimension, state.filters, EXPORT_ROWS)
    columns = columns_of(dimension, with_revenue=True)
    if dimension not in EVENT_DIMENSIONS:
        columns = (*columns[:2], Column("pageviews", ""), *columns[2:])
    headers = [dimension, *(column.key.removesuffix("_micros") for column in columns)]
    return headers, [
        [row["value"], *(raw(column.kind, row[column.key]) for column in columns)] for row in rows
    ]


def _timeseries_csv(state: DashboardState):
    data = series(state)
    headers = [data["interval"], "visitors", "visits", "pageviews"]
    visitors, pageviews = (entry["data"] for entry in data["series"])
    rows = zip(data["buckets"], visitors, data["visits"], pageviews, strict=True)
    return headers, [list(row) for row in rows]
