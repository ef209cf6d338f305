"""``netmark contact list|import|export`` run in-process through ``netmark.cli.main``."""

import json
from pathlib import Path

import pytest

from netmark.contacts.models import Contact, ImportJob
from netmark.core.scoping import scoped

pytestmark = pytest.mark.django_db
GBK = Path(__file__).parent / "samples" / "contacts_excel_cn_gbk.csv"


@pytest.fixture
def run(netmark_cli):
    return netmark_cli


def test_import_list_and_export(run, team_a, tmp_path):
    code, out, _err = run(f"contact import {GBK} --dry-run --json")
    assert code == 0 and json.loads(out)["dry_run"]["error_count"] == 6
    assert not scoped(Contact, team_a.workspace).exists()
    code, out, _err = run(f"contact import {GBK} --json")
    report = json.loads(out)
    assert code == 0 and report["status"] == "done" and report["created"] > 20
    assert ImportJob.unscoped.get(pk=report["id"]).processed_rows == report["total"]
    code, out, _err = run("contact list --search 云岭 --json")
    assert code == 0 and [row["name"] for row in json.loads(out)] == ["张伟"]
    target = tmp_path / "contacts.csv"
    code, _out, _err = run(f"contact export {target}")
    assert code == 0 and target.read_bytes().startswith(b"\xef\xbb\xbf")


def test_viewer_cannot_import_and_bad_mapping_is_usage(run, team_a):
    code, _out, err = run(f"--as {team_a.member('viewer').user.email} contact import {GBK}")
    assert code == 1
    code, _out, err = run(f"contact import {GBK} --mapping '[1]'")
    assert code == 2 and "--mapping" in err


def test_segments_from_the_command_line(run, team_a, tmp_path):
    from netmark.contacts.tests.factories import make_contact

    make_contact(team_a.owner, name="张伟", email="zw@example.com", stage="qualified")
    make_contact(team_a.owner, name="王芳", email="wf@example.com", stage="lead")
    tree = tmp_path / "qualified.json"
    tree.write_text('{"op": "and", "rules": [{"field": "stage", "op": "eq", "value": "qualified"}]}')
    code, out, _err = run(f"contact segment count --filter @{tree} --json")
    assert code == 0 and json.loads(out) == {"count": 1}
    code, out, _err = run(f"contact segment create --name 合格 --filter @{tree} --json")
    segment_id = json.loads(out)["id"]
    code, out, _err = run(f"contact segment show {segment_id} --json")
    assert code == 0 and [row["name"] for row in json.loads(out)] == ["张伟"]
    target = tmp_path / "segment.csv"
    code, _out, _err = run(f"contact segment export {segment_id} -o {target}")
    assert code == 0 and "张伟" in target.read_bytes().decode("utf-8-sig")
    code, _out, err = run('contact segment count --filter \'{"op": "and", "rules": [{"field": "x"}]}\'')
    assert code == 1 and "filter.rules[0].field" in err
    code, _out, err = run("contact segment count --filter nope")
    assert code == 2 and "--filter" in err
