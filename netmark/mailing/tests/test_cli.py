"""``netmark mailing smtp-test|dkim-generate|suppressions`` run in-process through ``netmark.cli.main``."""

import json

import pytest

from netmark.mailing.models import DkimKey, Suppression

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(netmark_cli):
    def run_text(line: str):
        code, out, err = netmark_cli(line)
        return code, out.decode("utf-8"), err

    return run_text


def test_dkim_generate_prints_the_record(run):
    code, out, _err = run("mailing dkim-generate --domain yunling-tea.example --selector nm1 --json")
    record = json.loads(out)
    assert code == 0 and record["name"] == "nm1._domainkey.yunling-tea.example"
    assert DkimKey.unscoped.get(pk=record["id"]).public_key in record["value"]


def test_smtp_test_sends_through_the_local_server(run, server_row, smtp_server):
    code, out, _err = run(f"mailing smtp-test --server {server_row.name} --to me@qq.com")
    assert (code, out.strip()) == (0, "sent 250 2.0.0 Message accepted")
    assert len(smtp_server.messages) == 1
    code, out, _err = run(f"mailing smtp-test --server {server_row.pk} --to gone-1@qq.com --json")
    assert code == 1 and json.loads(out)["status"] == "permanent"


def test_suppressions_add_list_export_remove(run, tmp_path):
    assert run("mailing suppressions add Xiao@QQ.com --reason complaint")[0] == 0
    code, out, _err = run("mailing suppressions list")
    assert code == 0 and "xiao@qq.com" in out and "complaint" in out
    target = tmp_path / "s.csv"
    assert run(f"mailing suppressions export --file {target}")[0] == 0
    assert "xiao@qq.com,complaint" in target.read_bytes().decode("utf-8-sig")
    assert run("mailing suppressions remove xiao@qq.com")[0] == 0
    assert Suppression.unscoped.count() == 0
    code, _out, err = run("mailing suppressions remove xiao@qq.com")
    assert code == 1 and "not on the suppression list" in err
    assert run("mailing suppressions add")[0] == 2
