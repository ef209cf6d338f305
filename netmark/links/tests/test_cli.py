"""``netmark link list|create|export|import|qr`` run in-process through ``netmark.cli.main``."""

import json
import shlex

import pytest

from netmark import cli, commands
from netmark.core.scoping import scoped
from netmark.links import cli as links_cli
from netmark.links.models import Link
from netmark.links.tests.qrread import modules, svg_modules

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def link_commands(monkeypatch):
    """The ``link`` commands, whether or not ``netmark.commands.MODULES`` lists them yet."""
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    if links_cli not in commands.MODULES:
        monkeypatch.setattr(commands, "MODULES", [*commands.MODULES, links_cli])


@pytest.fixture
def run(capsysbinary, team_a):
    def run_cli(line: str):
        code = cli.main(["--workspace", team_a.workspace.slug, *shlex.split(line)])
        captured = capsysbinary.readouterr()
        return code, captured.out, captured.err.decode()

    return run_cli


def test_create_and_list_links(run, team_a, plan, weibo):
    code, out, err = run(
        f"link create --plan {plan.pk} --channel 云岭茶业微博 --destination https://a.example/"
        " --utm-content 'Top Banner' --json"
    )
    assert code == 0, err
    made = json.loads(out)
    link = scoped(Link, team_a.workspace).get()
    assert (made["code"], made["utm_content"], made["short_url"]) == (
        link.code,
        "top-banner",
        f"http://127.0.0.1:8000/s/{link.code}",
    )
    code, out, _err = run(f"link list --plan {plan.pk} --json")
    assert [row["code"] for row in json.loads(out)] == [link.code]
    assert json.loads(out)[0]["clicks"] == 0


def test_create_refuses_bad_destinations_with_exit_code_1(run, team_a, plan, weibo):
    code, _out, err = run(f"link create --plan {plan.pk} --channel weibo --destination javascript:alert(1)")
    assert code == 1
    assert "destination: Enter an http:// or https:// address." in err
    assert not scoped(Link, team_a.workspace).exists()


def test_export_then_import_round_trip(run, tmp_path, team_a, plan, weibo, link):
    target = tmp_path / "links.csv"
    assert run(f"link export {target} --chinese-headers")[0] == 0
    assert target.read_bytes().startswith(b"\xef\xbb\xbf" + "短码".encode())
    new = tmp_path / "new.csv"
    new.write_bytes(f"推广计划,渠道,目标网址\r\n{plan.name},{weibo.pk},https://b.example/\r\n".encode("gbk"))
    code, out, err = run(f"link import {new} --json")
    assert (code, json.loads(out)) == (0, {"created": 1, "updated": 0, "unchanged": 0}), err
    assert run(f"link import {target}")[0] == 0
    assert scoped(Link, team_a.workspace).count() == 2


def test_qr_writes_png_and_svg_of_the_short_url(run, tmp_path, link):
    import segno

    expected = [
        list(row) for row in segno.make_qr(f"http://127.0.0.1:8000/s/{link.code}?qr=1", error="m").matrix
    ]
    png, svg = tmp_path / "qr.png", tmp_path / "qr.svg"
    assert run(f"link qr {link.code} {png} --scale 5")[0] == 0
    assert modules(png.read_bytes(), scale=5, border=4) == expected
    assert run(f"link qr {link.pk} {svg}")[0] == 0
    assert svg_modules(svg.read_text(), border=4) == expected
    code, _out, err = run("link qr NoSuchCode9")
    assert code == 1 and "No link of this workspace" in err
