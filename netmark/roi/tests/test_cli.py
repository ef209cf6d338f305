"""``netmark roi ...`` run in-process through ``netmark.cli.main``."""

import json
from pathlib import Path

import pytest

from netmark.analytics.tests.helpers import make_site
from netmark.roi.tests.test_journeys import DAY, issue_example

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


def test_attribution_of_a_site_prints_every_model_and_exports_both_csvs(run, team_a, tmp_path):
    site = make_site(team_a.workspace, timezone="Asia/Shanghai")
    issue_example(site)
    line = f"roi attribution --site {site.pk} --start {DAY} --end {DAY} --goal event:Purchase"
    code, out, err = run(line + " --json")
    assert code == 0, err
    answer = json.loads(out)
    markov = {row["channel"]: round(row["credit"]["markov"]["conversions"], 6) for row in answer["channels"]}
    assert (answer["conversions"], markov) == (1, {"email": 0.4, "search": 0.2, "social": 0.4})
    code, out, _err = run(line)
    header = out.decode().splitlines()[0].split()
    assert code == 0 and header[:3] == ["channel", "first_touch", "last_touch"] and b"email" in out
    paths, credit = tmp_path / "paths.csv", tmp_path / "credit.csv"
    assert run(f"{line} --export {credit} --export-paths {paths}")[0] == 0
    assert "search > social > email" in paths.read_text(encoding="utf-8-sig")
    assert credit.read_bytes().startswith(b"\xef\xbb\xbf") and b"markov" in credit.read_bytes()


def test_attribution_of_a_paths_file_needs_no_site(run, tmp_path):
    upload = tmp_path / "paths.csv"
    upload.write_text("path,conversions,value,null\n百度 > 微信,2,600,1\n微信,1,100,3\n", encoding="utf-8")
    code, out, err = run(f"roi attribution --paths {upload} --json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["conversions"] == 3
    last_touch = {row["channel"]: row["credit"]["last_touch"]["conversions"] for row in answer["channels"]}
    assert last_touch == {"百度": 0, "微信": 3}


def test_attribution_refuses_bad_input_and_other_workspaces_sites(run, team_a, team_b, tmp_path):
    foreign = make_site(team_b.workspace)
    code, _out, err = run(f"roi attribution --site {foreign.pk}")
    assert code != 0 and "not found" in err.lower()
    code, _out, err = run("roi attribution --paths - --site 1")
    assert code == 2 and "not allowed with" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("path,conversions\n,x\n")
    code, _out, err = run(f"roi attribution --paths {bad}")
    assert code == 1 and "row 2" in err
    own = make_site(team_a.workspace, domain="own.example.com")
    code, _out, err = run(f"roi attribution --site {own.pk} --lookback-days 900")
    assert code == 1 and "0 to 365 days" in err
    code, _out, err = run(f"roi attribution --site {own.pk} --goal pricing")
    assert code == 1 and "event:<name> or page:<path pattern>" in err
