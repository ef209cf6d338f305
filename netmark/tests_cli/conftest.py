"""Fixtures for the command-line tests: English messages, a workspace with channel accounts, and
``run_cli`` calling ``netmark.cli.main`` in-process."""

import shlex

import pytest

from netmark import cli
from netmark.planning import services as planning


@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    """The CLI speaks Chinese under a Chinese locale; these tests read its English messages."""
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)


@pytest.fixture
def run_cli(capsys):
    """``run_cli("plan list --json")`` -> (exit code, stdout, stderr); the line is split like a shell's."""

    def run(command_line: str, *more: str):
        code = cli.main([*shlex.split(command_line), *more])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def weibo_account(team_a):
    return planning.create_channel_account(
        team_a.owner, channel_type="weibo", name="云岭茶业微博", monthly_budget="3000", monthly_hours="10"
    )
