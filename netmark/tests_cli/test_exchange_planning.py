"""Channel account and plan CSV: flattened budgets and targets, all-or-nothing, idempotent re-import."""

import datetime
from decimal import Decimal

import pytest

from netmark.core import csvio
from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.planning import services
from netmark.planning.exchange import (
    export_channel_accounts,
    export_plans,
    import_channel_accounts,
    import_plans,
)
from netmark.planning.models import ChannelAccount, Plan

ACCOUNTS_FILE = (
    "名称,渠道类型,月预算,月工时,启用\r\n"
    "云岭茶业微博,微博,5000,20,是\r\n"
    '茶园公众号,wechat_official,"1,200.50",12.5,否\r\n'
)
PLANS_FILE = (
    "名称,推广目标,状态,开始日期,结束日期,重复规则,预算:云岭茶业微博,预算:wechat_official,预期:leads\r\n"
    "秋茶上新,拉新 200 人,planned,2026-10-12,2026/10/25,,3000,800,200\r\n"
    "每周茶话,复购,进行中,2026-10-05,2026-11-30,FREQ=WEEKLY;BYDAY=MO,500,,\r\n"
)


@pytest.fixture
def accounts(team_a):
    import_channel_accounts(team_a.owner, ACCOUNTS_FILE.encode("gb18030"))
    return {account.name: account for account in scoped(ChannelAccount, team_a.workspace)}


def test_gbk_channel_accounts_import_with_chinese_headers_and_type_names(team_a, accounts):
    weibo, wechat = accounts["云岭茶业微博"], accounts["茶园公众号"]
    assert (weibo.channel_type.code, weibo.monthly_budget, weibo.monthly_hours, weibo.is_active) == (
        "weibo",
        Decimal("5000.00"),
        Decimal("20.0"),
        True,
    )
    assert (wechat.channel_type.code, wechat.monthly_budget, wechat.is_active) == (
        "wechat_official",
        Decimal("1200.50"),
        False,
    )


def test_channel_accounts_round_trip_and_reimport_is_unchanged(team_a, accounts):
    data = export_channel_accounts(team_a.workspace)
    assert csvio.read_rows(data)[0] == {
        "name": "云岭茶业微博",
        "channel_type": "weibo",
        "handle": "",
        "monthly_budget": "5000.00",
        "currency": "CNY",
        "monthly_hours": "20.0",
        "is_active": "true",
        "notes": "",
    }
    result = import_channel_accounts(team_a.owner, data)
    assert result.as_dict() == {"created": 0, "updated": 0, "unchanged": 2}


def test_unknown_channel_type_fails_the_whole_account_import(team_a):
    data = "name,channel_type\n微博,weibo\n我的空间,myspace\n".encode()
    with pytest.raises(csvio.ImportFailed) as failure:
        import_channel_accounts(team_a.owner, data)
    assert [(error.row, error.column) for error in failure.value.errors] == [(3, "channel_type")]
    assert not scoped(ChannelAccount, team_a.workspace).exists()


def test_plans_import_with_flattened_budgets_and_targets(team_a, accounts):
    result = import_plans(team_a.member(Role.PLANNER), PLANS_FILE.encode())
    assert result.as_dict() == {"created": 2, "updated": 0, "unchanged": 0}
    autumn = scoped(Plan, team_a.workspace).get(name="秋茶上新")
    assert (autumn.status, autumn.starts_on, autumn.ends_on) == (
        "planned",
        datetime.date(2026, 10, 12),
        datetime.date(2026, 10, 25),
    )
    budgets = {item.channel_account.name: item.budget for item in autumn.channels.all()}
    assert budgets == {"云岭茶业微博": Decimal("3000.00"), "茶园公众号": Decimal("800.00")}
    assert [(target.kpi, target.target) for target in autumn.targets.all()] == [("leads", Decimal("200"))]
    weekly = scoped(Plan, team_a.workspace).get(name="每周茶话")
    assert (weekly.status, weekly.recurrence, weekly.occurrences.count()) == (
        "running",
        "FREQ=WEEKLY;BYDAY=MO",
        9,
    )


def test_plans_export_flattens_channels_and_targets_and_reimports_unchanged(team_a, accounts):
    import_plans(team_a.owner, PLANS_FILE.encode())
    data = export_plans(team_a.workspace)
    rows = {row["name"]: row for row in csvio.read_rows(data)}
    assert rows["秋茶上新"]["budget:云岭茶业微博"] == "3000.00"
    assert rows["秋茶上新"]["budget:茶园公众号"] == "800.00"
    assert rows["秋茶上新"]["target:leads"] == "200"
    assert rows["每周茶话"]["budget:茶园公众号"] == ""
    assert import_plans(team_a.owner, data).as_dict() == {"created": 0, "updated": 0, "unchanged": 2}


def test_plan_reimport_updates_budgets_by_name(team_a, accounts):
    import_plans(team_a.owner, PLANS_FILE.encode())
    result = import_plans(team_a.owner, "name,budget:云岭茶业微博\n秋茶上新,4500\n".encode())
    assert result.as_dict() == {"created": 0, "updated": 1, "unchanged": 0}
    plan = scoped(Plan, team_a.workspace).get(name="秋茶上新")
    assert services.plan_budget_total(plan) == Decimal("4500.00")
    assert scoped(Plan, team_a.workspace).count() == 2


def test_plan_rows_with_errors_roll_back_the_good_rows(team_a, accounts):
    data = (
        "name,objective,starts_on,ends_on,recurrence,product,target:leads\n"
        "好计划,拉新,2026-10-01,2026-10-31,,,100\n"
        "坏日期,拉新,2026-10-31,2026-10-01,,,\n"
        "坏规则,拉新,2026-10-01,2026-10-31,FREQ=SOMETIMES,,\n"
        "坏产品,拉新,2026-10-01,2026-10-31,,不存在的茶,\n"
        ",拉新,明天,2026-10-31,,,很多\n"
    ).encode()
    with pytest.raises(csvio.ImportFailed) as failure:
        import_plans(team_a.owner, data)
    assert [(error.row, error.column) for error in failure.value.errors] == [
        (5, "product"),
        (6, "name"),
        (6, "starts_on"),
        (6, "target:leads"),
    ]
    assert not scoped(Plan, team_a.workspace).exists()
    data = data.replace("坏产品,拉新,2026-10-01,2026-10-31,,不存在的茶,\n".encode(), b"").replace(
        ",拉新,明天,2026-10-31,,,很多\n".encode(), b""
    )
    with pytest.raises(csvio.ImportFailed) as failure:
        import_plans(team_a.owner, data)
    assert [(error.row, error.column) for error in failure.value.errors] == [
        (3, "ends_on"),
        (4, "recurrence"),
    ]
    assert not scoped(Plan, team_a.workspace).exists()


def test_unknown_budget_account_or_kpi_column_is_refused_at_the_header(team_a, accounts):
    with pytest.raises(csvio.ImportFailed) as failure:
        import_plans(team_a.owner, b"name,budget:myspace,target:happiness\nx,1,2\n")
    assert [(error.row, error.column) for error in failure.value.errors] == [
        (1, "budget:myspace"),
        (1, "target:happiness"),
    ]


def test_implementer_cannot_import_plans(team_a, accounts):
    from netmark.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_plans(team_a.member(Role.IMPLEMENTER), PLANS_FILE.encode())
    assert not scoped(Plan, team_a.workspace).exists()
