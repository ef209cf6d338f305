"""The installed ``netmark`` console script in child processes, on a fresh SQLite data folder."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

NETMARK = Path(sys.executable).with_name("netmark")
LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def clean_environment(data_dir: Path) -> dict[str, str]:
    """Only a data folder is configured, so SQLite is used even when the suite runs on PostgreSQL."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("NETMARK_")}
    env.update({"NETMARK_DATA_DIR": str(data_dir), "LANG": "C.UTF-8"})
    env.pop("LC_ALL", None)
    return env


@pytest.fixture
def environment(tmp_path) -> dict[str, str]:
    """A fresh installation with no database yet."""
    return clean_environment(tmp_path / "var")


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("template") / "var"
    netmark(clean_environment(data_dir), "migrate")
    return data_dir / "netmark.db"


@pytest.fixture
def installed(tmp_path, migrated_database) -> dict[str, str]:
    """An installation whose database is migrated (a copy of one migrated once per module)."""
    (tmp_path / "var").mkdir()
    shutil.copyfile(migrated_database, tmp_path / "var" / "netmark.db")
    return clean_environment(tmp_path / "var")


def netmark(environment, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(NETMARK), *arguments], env=environment, capture_output=True, text=True, timeout=300, check=False
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def slugs(environment) -> list[str]:
    return [row["slug"] for row in json.loads(netmark(environment, "workspace", "list", "--json").stdout)]


def test_console_script_help(environment):
    done = netmark(environment, "--help")
    assert done.stdout.startswith("usage: netmark")


def test_a_command_before_migrate_says_to_migrate_instead_of_a_traceback(environment):
    done = netmark(environment, "workspace", "list", check=False)
    assert done.returncode == 1
    assert done.stderr.strip() == "netmark: the database is not set up yet: run `netmark migrate` first."


def test_migrate_then_list_workspaces_as_json(environment):
    netmark(environment, "migrate")
    assert slugs(environment) == []
    netmark(environment, "workspace", "create", "云岭茶业", "--slug", "yunling")
    assert slugs(environment) == ["yunling"]


def test_backup_then_restore_brings_the_data_back(installed, tmp_path):
    environment = installed
    netmark(environment, "workspace", "create", "A 茶业", "--slug", "a")
    archive = json.loads(netmark(environment, "backup", "--output", str(tmp_path / "b"), "--json").stdout)[
        "archive"
    ]
    netmark(environment, "workspace", "create", "B 茶业", "--slug", "b")
    refused = netmark(environment, "restore", archive, check=False)
    assert refused.returncode == 1
    assert "The database already holds data; pass --force to overwrite it." in refused.stderr
    assert slugs(environment) == ["a", "b"]
    netmark(environment, "restore", archive, "--force")
    assert slugs(environment) == ["a"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> int:
    try:
        with LOOPBACK.open(url, timeout=2) as response:
            return response.status
    except OSError:
        return 0


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_serve_sets_up_a_first_run_serves_pages_and_stops_on_sigterm(installed, tmp_path):
    environment = installed
    port = free_port()
    log = (tmp_path / "serve.out").open("w+")
    server = subprocess.Popen(
        [str(NETMARK), "serve", "--port", str(port), "--workers", "1"],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while get(f"http://127.0.0.1:{port}/healthz") != 200 and time.monotonic() < deadline:
            assert server.poll() is None, (tmp_path / "serve.out").read_text()
            time.sleep(0.3)
        assert get(f"http://127.0.0.1:{port}/healthz") == 200
        assert get(f"http://127.0.0.1:{port}/static/admin/css/base.css") == 200
        children = children_of(server.pid)
        assert len(children) == 3  # granian, the Huey consumer, the event processor
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    output = (tmp_path / "serve.out").read_text()
    assert "First run: these passwords are shown once; store them now." in output
    assert "admin@localhost" in output and "owner@yunling-tea.example" in output
    for pid in children:
        assert not Path(f"/proc/{pid}").exists()
