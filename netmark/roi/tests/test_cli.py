"""``netmark roi ...`` run in-process through ``netmark.cli.main``."""

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture
def run(netmark_cli):
    return netmark_cli


def test_import_twice_then_list_and_export(run, tmp_path):
    sample = SAMPLES / "meta_ads_manager_campaigns_daily.csv"
    code, out, err = run(f"roi import {sample} --dry-run --json")
    assert code == 0, err
    assert json.loads(out)["summary"]["created"] == 38 and json.loads(out)["status"] == "previewed"
    assert run(f"roi import {sample} --json")[0] == 0
    code, out, _err = run(f"roi import {sample} --json")
    assert (code, json.loads(out)["summary"]["unchanged"]) == (0, 38)
    code, out, _err = run("roi costs --unmapped --json")
    assert code == 0 and len(json.loads(out)) == 38
    target = tmp_path / "costs.csv"
    assert run(f"roi costs --export {target}")[0] == 0
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_broken_file_exits_1_with_its_rows(run, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,account,campaign,cost\n2026-10-40,a,b,1\n")
    code, _out, err = run(f"roi import {bad}")
    assert code == 1 and "row 2" in err


def test_evaluate_and_channels(run, presale):
    code, out, err = run(f"roi evaluate {presale.pk} --json")
    assert code == 0, err
    assert json.loads(out)["money"]["roi"] is None
    code, out, _err = run(f"roi evaluate {presale.pk}")
    assert "roi: n/a" in out.decode()
    assert run("roi channels --start 2026-10-01 --end 2026-10-31 --json")[0] == 0
    assert run("roi channels --start 2026-10-31 --end 2026-10-01")[0] == 2
    assert run("roi evaluate 999999")[0] == 1


def test_due_creates_evaluations_once(run, presale):
    code, out, _err = run("roi due --json")
    assert code == 0 and json.loads(out)["created"] in (0, 1)
    code, out, _err = run("roi due --json")
    assert json.loads(out)["created"] == 0
