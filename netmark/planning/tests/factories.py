"""Test data for planning: Chinese names and mixed scripts by default."""

import datetime
from decimal import Decimal

from netmark.planning import services

START = datetime.date(2026, 3, 2)  # a Monday


def make_channel(
    member, *, name: str = "公众号 云岭茶业 Official", channel_type: str = "wechat_official", **fields
):
    fields.setdefault("monthly_budget", Decimal("5000.00"))
    return services.create_channel_account(member, channel_type=channel_type, name=name, **fields)


def make_plan(member, *, name: str = "春茶上新 Spring launch", **fields):
    fields.setdefault("objective", "让白领知道明前龙井上市")
    fields.setdefault("starts_on", START)
    fields.setdefault("ends_on", START + datetime.timedelta(days=13))
    return services.create_plan(member, name=name, **fields)


def plan_body(**fields) -> dict:
    """A JSON body for POST /api/v1/plans."""
    body = {
        "name": "中秋礼盒推广",
        "objective": "中秋前卖出 500 盒礼盒",
        "starts_on": "2026-09-01",
        "ends_on": "2026-09-25",
    }
    body.update(fields)
    return body
