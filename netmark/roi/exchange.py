"""CSV exports of every roi table: UTF-8 with BOM, formula triggers escaped (core.csvio, CSV-OUT).

Imported campaign names are user-controlled text; ``csvio.write_rows`` defuses ``= + - @`` and
control characters at the start of a cell, while plain numbers (a negative profit) stay numbers.
"""

import codecs

from netmark.core import csvio
from netmark.roi import services

COST_COLUMNS = [
    "id", "date", "kind", "promotion", "channel", "amount", "currency", "description", "platform", "account",
    "campaign", "ad_group", "impressions", "clicks", "conversions", "utm_campaign", "order_id",
    "order_amount", "order_status", "role", "hours", "hourly_rate",
]  # fmt: skip
RATE_COLUMNS = ["currency", "rate", "effective_on", "source"]
MAPPING_COLUMNS = ["platform", "account", "campaign", "promotion", "channel"]
CHANNEL_COLUMNS = [
    "channel", "cost", "people_cost", "people_hours", "ad_clicks", "ad_conversions", "visits", "conversions",
    "revenue", "roi", "roas", "cpa",
]  # fmt: skip
KPI_COLUMNS = ["kpi", "label", "unit", "expected", "actual", "difference", "percent", "status"]
EVALUATION_COLUMNS = [
    "promotion", "period_start", "period_end", "status", "cost", "revenue", "roi", "worked", "did_not_work",
    "to_change",
]  # fmt: skip
ERROR_COLUMNS = ["row", "column", "message"]


def _cost_row(cost) -> dict:
    row = {name: getattr(cost, name, None) for name in COST_COLUMNS}
    row.update(
        {
            "date": cost.spent_on,
            "promotion": cost.plan.name if cost.plan_id else "",
            "channel": cost.channel_account.name if cost.channel_account_id else "",
        }
    )
    return row


def export_costs(workspace, **filters) -> bytes:
    costs = services.list_costs(workspace, **filters).order_by("spent_on", "id")
    return csvio.write_rows(COST_COLUMNS, (_cost_row(cost) for cost in costs.iterator(chunk_size=2000)))


def export_rates(workspace) -> bytes:
    rates = services.list_rates(workspace).order_by("currency", "effective_on")
    return csvio.write_rows(RATE_COLUMNS, ({n: getattr(r, n) for n in RATE_COLUMNS} for r in rates))


def export_mappings(workspace) -> bytes:
    rows = (
        {
            "platform": m.platform,
            "account": m.account,
            "campaign": m.campaign,
            "promotion": m.plan.name,
            "channel": m.channel_account.name if m.channel_account_id else "",
        }
        for m in services.list_mappings(workspace)
    )
    return csvio.write_rows(MAPPING_COLUMNS, rows)


def _channel_rows(rows) -> list[dict]:
    return [{**row, "channel": row["name"]} for row in rows]


def export_channel_performance(report: dict) -> bytes:
    return csvio.write_rows(CHANNEL_COLUMNS, _channel_rows(report["channels"]))


def export_evaluation(result: dict) -> bytes:
    """The KPI table, then the money and channel tables, in one file separated by a blank line."""
    money = result["money"]
    kpis = csvio.write_rows(KPI_COLUMNS, result["kpis"])
    totals = csvio.write_rows(list(money), [money])
    channels = csvio.write_rows(CHANNEL_COLUMNS, _channel_rows(result["channels"]))
    bom = len(codecs.BOM_UTF8)
    return kpis + b"\r\n" + totals[bom:] + b"\r\n" + channels[bom:]


def export_evaluations(workspace, **filters) -> bytes:
    rows = []
    for evaluation in services.list_evaluations(workspace, **filters):
        money = (evaluation.numbers or {}).get("money", {})
        rows.append(
            {
                "promotion": evaluation.plan.name,
                "period_start": evaluation.period_start,
                "period_end": evaluation.period_end,
                "status": evaluation.status,
                "cost": money.get("cost"),
                "revenue": money.get("revenue"),
                "roi": money.get("roi"),
                "worked": evaluation.worked,
                "did_not_work": evaluation.did_not_work,
                "to_change": evaluation.to_change,
            }
        )
    return csvio.write_rows(EVALUATION_COLUMNS, rows)


def export_import_errors(cost_import) -> bytes:
    return csvio.write_rows(ERROR_COLUMNS, cost_import.errors)
