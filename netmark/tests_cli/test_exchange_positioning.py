"""Positioning CSV: export, all-or-nothing import with row errors, idempotent re-import."""

import codecs
from decimal import Decimal

import pytest

from netmark.core import csvio
from netmark.core.errors import PermissionDenied
from netmark.core.models import AuditEntry
from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.positioning import services
from netmark.positioning.exchange import export_positioning, import_positioning
from netmark.positioning.models import Audience, Message, Product

CHINESE_FILE = (
    "类型,名称,价格,毛利率,活跃渠道,产品,受众,价值主张,支撑点\r\n"
    "产品,云岭普洱 357g,268.00,45,,,,,\r\n"
    "受众,都市白领,,,微博=60；知乎=40,,,,\r\n"
    '信息,下午茶提神,,,,云岭普洱 357g,都市白领,一杯醒神,"古树原料\n三年陈化"\r\n'
)


def test_chinese_headers_create_products_audiences_and_messages(team_a):
    result = import_positioning(team_a.member(Role.PLANNER), CHINESE_FILE.encode("gb18030"))
    assert result.as_dict() == {"created": 3, "updated": 0, "unchanged": 0}
    product = scoped(Product, team_a.workspace).get()
    assert (product.name, product.price, product.margin_percent) == ("云岭普洱 357g", Decimal("268.00"), 45)
    assert scoped(Audience, team_a.workspace).get().channel_presence == {"weibo": 60, "zhihu": 40}
    message = scoped(Message, team_a.workspace).get()
    assert (message.product, message.audience) == (product, scoped(Audience, team_a.workspace).get())
    assert message.proof_points == ["古树原料", "三年陈化"]


def test_reimporting_the_same_file_changes_nothing(team_a):
    import_positioning(team_a.owner, CHINESE_FILE.encode())
    result = import_positioning(team_a.owner, CHINESE_FILE.encode())
    assert result.as_dict() == {"created": 0, "updated": 0, "unchanged": 3}
    assert scoped(Product, team_a.workspace).count() == 1
    assert scoped(Message, team_a.workspace).count() == 1


def test_reimport_updates_by_name(team_a):
    import_positioning(team_a.owner, CHINESE_FILE.encode())
    result = import_positioning(team_a.owner, "kind,name,price\nproduct,云岭普洱 357g,298\n".encode())
    assert result.as_dict() == {"created": 0, "updated": 1, "unchanged": 0}
    assert scoped(Product, team_a.workspace).get().price == Decimal("298.00")


def test_export_then_import_into_another_workspace_reproduces_the_records(team_a, team_b):
    import_positioning(team_a.owner, CHINESE_FILE.encode())
    data = export_positioning(team_a.workspace)
    assert data.startswith(codecs.BOM_UTF8)
    assert import_positioning(team_b.owner, data).as_dict() == {"created": 3, "updated": 0, "unchanged": 0}
    message = scoped(Message, team_b.workspace).get()
    assert (message.title, message.product.name, message.proof_points) == (
        "下午茶提神",
        "云岭普洱 357g",
        ["古树原料", "三年陈化"],
    )
    assert scoped(Audience, team_b.workspace).get().channel_presence == {"weibo": 60, "zhihu": 40}
    assert scoped(Product, team_a.workspace).count() == 1


def test_a_bad_row_rolls_back_every_row_and_reports_each_problem(team_a):
    data = (
        "kind,name,price,channel_presence\n"
        "product,白茶,88,\n"
        "product,红茶,很多,\n"
        "audience,学生,,myspace=10\n"
        "gadget,x,,\n"
        "message,开学季,,\n"
    ).encode()
    with pytest.raises(csvio.ImportFailed) as failure:
        import_positioning(team_a.owner, data)
    assert [(error.row, error.column) for error in failure.value.errors] == [
        (3, "price"),
        (4, "channel_presence"),
        (5, "kind"),
        (6, "audience"),
        (6, "product"),
    ]
    assert not scoped(Product, team_a.workspace).exists()
    assert not scoped(AuditEntry, team_a.workspace).filter(action="product.created").exists()


def test_service_validation_errors_are_reported_on_their_row(team_a):
    data = "kind,name,status\nproduct,白茶,active\nproduct,红茶,sold-out\n".encode()
    with pytest.raises(csvio.ImportFailed) as failure:
        import_positioning(team_a.owner, data)
    assert [(error.row, error.column) for error in failure.value.errors] == [(3, "status")]
    assert not scoped(Product, team_a.workspace).exists()


def test_a_name_twice_in_the_file_is_refused(team_a):
    with pytest.raises(csvio.ImportFailed) as failure:
        import_positioning(team_a.owner, b"kind,name\nproduct,A\nproduct,A\n")
    assert [(error.row, error.column) for error in failure.value.errors] == [(3, "name")]


def test_viewer_cannot_import(team_a):
    with pytest.raises(PermissionDenied):
        import_positioning(team_a.member(Role.VIEWER), CHINESE_FILE.encode())
    assert not scoped(Product, team_a.workspace).exists()


def test_export_escapes_formulas_typed_into_names(team_a):
    services.create_product(team_a.owner, name='=HYPERLINK("http://phish.example","领券")')
    rows = csvio.read_rows(export_positioning(team_a.workspace))
    assert rows[0]["name"] == '\'=HYPERLINK("http://phish.example","领券")'


def test_export_holds_only_the_workspaces_own_records(team_a, team_b):
    services.create_product(team_b.owner, name="B 的秘密茶")
    assert "B 的秘密茶".encode() not in export_positioning(team_a.workspace)
