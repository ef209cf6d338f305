"""``netmark`` operator and CSV commands in-process: demo, createadmin, check, manage, import/export."""

import codecs
import json

from django.contrib.auth import authenticate

from netmark.core import csvio
from netmark.core.scoping import scoped
from netmark.planning.models import ChannelAccount
from netmark.positioning import services as positioning
from netmark.positioning.models import Product


def test_demo_prints_passwords_once_then_nothing(run_cli, db):
    code, out, _err = run_cli("demo --json")
    assert code == 0
    first = json.loads(out)
    assert first["workspace"] == "yunling-tea"
    assert len(first["passwords"]) == 4
    code, out, _err = run_cli("demo")
    assert (code, out) == (0, "The demo workspace yunling-tea already exists; nothing changed.\n")


def test_demo_workspace_exports_and_reimports_unchanged(run_cli, db, tmp_path):
    run_cli("demo")
    for noun, rows in (("positioning", 10), ("channel", 5), ("plan", 5)):
        path = tmp_path / f"{noun}.csv"
        assert run_cli(f"{noun} export {path}")[0] == 0
        code, out, _err = run_cli(f"{noun} import {path} --json")
        assert (code, json.loads(out)) == (0, {"created": 0, "updated": 0, "unchanged": rows})


def test_createadmin_prints_a_password_that_logs_in(run_cli, db):
    code, out, _err = run_cli("createadmin ops@example.com --json")
    assert code == 0
    data = json.loads(out)
    user = authenticate(username="ops@example.com", password=data["password"])
    assert (user.is_superuser, user.is_staff) == (True, True)
    code, _out, err = run_cli("createadmin ops@example.com")
    assert code == 1
    assert "A user with this email exists" in err


def test_check_passes(run_cli, db):
    code, out, _err = run_cli("check")
    assert (code, out) == (0, "System check identified no issues (0 silenced).\n")


def test_manage_passes_commands_through_to_django(run_cli, db):
    code, out, _err = run_cli("manage showmigrations core")
    assert code == 0
    assert out.startswith("core\n [X] 0001_initial")
    code, _out, err = run_cli("manage nosuchcommand")
    assert code == 1
    assert "Unknown command: 'nosuchcommand'" in err


def test_gbk_channel_file_imports_from_the_command_line(run_cli, team_a, tmp_path):
    path = tmp_path / "渠道.csv"
    path.write_bytes("名称,渠道类型,月预算\r\n云岭茶业微博,微博,3000\r\n知乎专栏,知乎,0\r\n".encode("gbk"))
    code, out, err = run_cli(f"channel import {path} --as planner-a@example.com")
    assert code == 0
    assert out == "Imported: 2 created, 0 updated, 0 unchanged.\n"
    assert err.startswith("Checking and importing")
    assert sorted(scoped(ChannelAccount, team_a.workspace).values_list("channel_type__code", flat=True)) == [
        "weibo",
        "zhihu",
    ]


def test_a_failed_import_lists_every_row_error_and_applies_nothing(run_cli, team_a, tmp_path):
    path = tmp_path / "positioning.csv"
    path.write_text("kind,name,price\nproduct,白茶,88\nproduct,红茶,很多\nfruit,苹果,1\n", encoding="utf-8")
    code, out, err = run_cli(f"positioning import {path}")
    assert (code, out) == (1, "")
    assert err.splitlines()[1:] == [
        "Error: 2 row(s) have errors; nothing was imported.",
        "  row 3, price: Enter a number, e.g. 1200.50.",
        "  row 4, kind: Use product, audience or message.",
    ]
    assert not scoped(Product, team_a.workspace).exists()


def test_undecodable_file_is_refused_naming_the_line(run_cli, team_a, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"kind,name\nproduct,\xff\xfe\n")
    code, _out, err = run_cli(f"positioning import {path}")
    assert code == 1
    assert "Error: Line 2 is not valid UTF-8, UTF-16 or GBK/GB18030 text" in err


def test_missing_import_file_is_bad_usage(run_cli, team_a, tmp_path):
    code, _out, err = run_cli(f"plan import {tmp_path / 'nope.csv'}")
    assert code == 2
    assert "No such file" in err


def test_export_to_a_file_escapes_formulas(run_cli, team_a, tmp_path):
    positioning.create_product(team_a.owner, name="=cmd|' /C calc'!A0", description="-12.5")
    path = tmp_path / "out.csv"
    code, _out, err = run_cli(f"positioning export {path} --chinese-headers")
    assert code == 0
    assert err.startswith(f"Wrote {path}")
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    assert b"\r\n" in data
    row = csvio.read_rows(data)[0]
    assert (row["名称"], row["描述"]) == ("'=cmd|' /C calc'!A0", "-12.5")


def test_export_without_a_file_writes_csv_to_stdout(run_cli, team_a):
    positioning.create_product(team_a.owner, name="白茶")
    code, out, _err = run_cli("positioning export")
    assert code == 0
    assert out.splitlines()[1].startswith("product,白茶,")
