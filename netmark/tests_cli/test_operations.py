"""Backup and restore (SQLite online backup, manifest, zip slip, refusal to overwrite), first run."""

import io
import json
import os
import sqlite3
import stat
import tarfile
from contextlib import closing
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from netmark import operations
from netmark.core.errors import Conflict
from netmark.core.models import Member, Workspace
from netmark.core.scoping import scoped


def make_db(path: Path, name: str) -> Path:
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE core_workspace (id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("INSERT INTO core_workspace (name) VALUES (?)", [name])
        db.commit()
    return path


def names(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as db:
        return [row[0] for row in db.execute("SELECT name FROM core_workspace ORDER BY id")]


@pytest.fixture
def installation(tmp_path):
    data = tmp_path / "var"
    data.mkdir()
    files = {"netmark.db": make_db(data / "netmark.db", "云岭茶业"), "jobs.db": data / "jobs.db"}
    with closing(sqlite3.connect(files["jobs.db"])) as jobs:
        jobs.execute("CREATE TABLE task (id INTEGER PRIMARY KEY)")
    return files


def test_backup_archive_holds_a_manifest_and_consistent_copies(installation, tmp_path):
    archive = operations.backup_to(tmp_path / "backups", installation)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == ["jobs.db", "manifest.json", "netmark.db"]
        manifest = json.loads(tar.extractfile("manifest.json").read())
        tar.extract("netmark.db", tmp_path / "out", filter="data")
    assert (manifest["format"], manifest["version"], manifest["engine"]) == ("netmark-backup", 1, "sqlite")
    assert set(manifest["files"]) == {"netmark.db", "jobs.db"}
    assert names(tmp_path / "out" / "netmark.db") == ["云岭茶业"]


def test_backup_reports_progress_per_file(installation, tmp_path):
    seen = []
    operations.backup_to(tmp_path / "backups", installation, progress=lambda *step: seen.append(step))
    finished = {label for label, done, total in seen if done == total}
    assert finished == {"netmark.db", "jobs.db"}


def test_restore_brings_the_data_back_but_only_when_forced(installation, tmp_path):
    archive = operations.backup_to(tmp_path / "backups", installation)
    with closing(sqlite3.connect(installation["netmark.db"])) as db:
        db.execute("UPDATE core_workspace SET name = '改过了'")
        db.execute("INSERT INTO core_workspace (name) VALUES ('新的')")
        db.commit()
    with pytest.raises(Conflict):
        operations.restore_from(archive, installation)
    assert names(installation["netmark.db"]) == ["改过了", "新的"]
    assert operations.restore_from(archive, installation, force=True) == ["netmark.db", "jobs.db"]
    assert names(installation["netmark.db"]) == ["云岭茶业"]


def test_restore_into_an_empty_installation_needs_no_force(installation, tmp_path):
    archive = operations.backup_to(tmp_path / "backups", installation)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    targets = {"netmark.db": fresh / "netmark.db", "jobs.db": fresh / "jobs.db"}
    operations.restore_from(archive, targets)
    assert names(targets["netmark.db"]) == ["云岭茶业"]
    assert sorted(path.name for path in fresh.iterdir()) == ["jobs.db", "netmark.db"]


def hostile_archive(path: Path, member: tarfile.TarInfo, body: bytes = b"x") -> Path:
    manifest = json.dumps(
        {"format": "netmark-backup", "version": 1, "engine": "sqlite", "files": {}}
    ).encode()
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
        member.size = len(body) if member.isfile() else 0
        tar.addfile(member, io.BytesIO(body) if member.isfile() else None)
    return path


def symlink(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, target
    return info


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (tarfile.TarInfo("../evil.txt"), "The archive holds an unsafe path: ../evil.txt"),
        (
            tarfile.TarInfo("netmark.db/../../evil.txt"),
            "The archive holds an unsafe path: netmark.db/../../evil.txt",
        ),
        (tarfile.TarInfo("/tmp/evil.txt"), "The archive holds an unsafe path: /tmp/evil.txt"),
        (symlink("netmark.db", "/etc/passwd"), "The archive holds an unexpected entry: netmark.db"),
        (tarfile.TarInfo("evil.txt"), "The archive holds an unexpected entry: evil.txt"),
    ],
)
def test_restore_refuses_path_tricks_before_writing_anything(installation, tmp_path, member, message):
    archive = hostile_archive(tmp_path / "evil.tar.gz", member)
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(operations.OperationFailed) as failure:
        operations.restore_from(archive, installation, force=True)
    assert failure.value.message == message
    assert sorted(os.listdir(tmp_path)) == before
    assert not Path("/tmp/evil.txt").exists()
    assert names(installation["netmark.db"]) == ["云岭茶业"]


def test_restore_refuses_a_damaged_file(installation, tmp_path):
    archive = operations.backup_to(tmp_path / "backups", installation)
    with tarfile.open(archive) as tar:
        members = {member.name: (member, tar.extractfile(member).read()) for member in tar.getmembers()}
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(damaged, "w:gz") as tar:
        for name, (member, body) in members.items():
            if name == "netmark.db":
                body = body[:-1] + bytes([body[-1] ^ 1])
            tar.addfile(member, io.BytesIO(body))
    with pytest.raises(operations.OperationFailed) as failure:
        operations.restore_from(damaged, installation, force=True)
    assert failure.value.message == "netmark.db in the archive is damaged (checksum mismatch)."
    assert names(installation["netmark.db"]) == ["云岭茶业"]


def test_restore_refuses_what_is_not_a_backup(installation, tmp_path):
    not_gzip = tmp_path / "notes.tar.gz"
    not_gzip.write_text("hello")
    with pytest.raises(operations.OperationFailed) as failure:
        operations.restore_from(not_gzip, installation)
    assert failure.value.message == "notes.tar.gz is not a netmark backup archive."


def test_a_sqlite_backup_does_not_restore_into_postgresql(installation, tmp_path):
    archive = operations.backup_to(tmp_path / "backups", installation)
    with pytest.raises(operations.OperationFailed) as failure:
        operations.restore_from(archive, installation, postgres={"NAME": "netmark"}, force=True)
    assert failure.value.message == "This backup is for sqlite but this installation runs postgresql."


FAKE_TOOL = """#!/bin/sh
echo "$0 $*" >> "{log}"
echo "PGPASSWORD=$PGPASSWORD PGHOST=$PGHOST PGDATABASE=$PGDATABASE" >> "{log}"
for argument in "$@"; do
  case "$argument" in --file=*) printf 'PGDMP-fake' > "${{argument#--file=}}";; esac
done
"""


def test_postgresql_backup_and_restore_use_pg_dump_and_pg_restore_without_the_password_in_argv(
    installation, tmp_path, monkeypatch
):
    tools, log = tmp_path / "bin", tmp_path / "calls.log"
    tools.mkdir()
    for tool in ("pg_dump", "pg_restore"):
        (tools / tool).write_text(FAKE_TOOL.format(log=log))
        (tools / tool).chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:{os.environ['PATH']}")
    database = {"NAME": "netmark", "USER": "mk", "PASSWORD": "s3cret", "HOST": "127.0.0.1", "PORT": 5432}
    archive = operations.backup_to(tmp_path / "backups", installation, postgres=database)
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == ["jobs.db", "manifest.json", "netmark.pgdump"]
        assert json.loads(tar.extractfile("manifest.json").read())["engine"] == "postgresql"
    assert operations.restore_from(archive, installation, postgres=database, force=True) == [
        "netmark.pgdump",
        "jobs.db",
    ]
    calls = log.read_text().splitlines()
    tool, arguments = calls[0].split(" ", 1)
    assert (Path(tool).name, arguments.rsplit("=", 1)[0]) == (
        "pg_dump",
        "--format=custom --no-owner --no-privileges --file",
    )
    assert calls[1] == "PGPASSWORD=s3cret PGHOST=127.0.0.1 PGDATABASE=netmark"
    tool, arguments = calls[2].split(" ", 1)
    assert Path(tool).name == "pg_restore"
    assert arguments.startswith(
        "--no-owner --no-privileges --single-transaction --exit-on-error --clean --if-exists"
    )
    assert arguments.split()[-2] == "--dbname=netmark"
    assert all("s3cret" not in line for line in calls[0::2])


def test_create_admin_makes_a_superuser_with_a_printed_password(db):
    user, password = operations.create_admin(" Ops@Example.com ")
    assert (user.email, user.is_superuser, user.check_password(password)) == ("ops@example.com", True, True)
    with pytest.raises(Conflict):
        operations.create_admin("ops@example.com")


def test_first_run_creates_the_demo_and_an_admin_who_owns_it(db):
    credentials = operations.first_run("admin@localhost")
    assert list(credentials)[0] == "admin@localhost"
    assert len(credentials) == 5
    workspace = Workspace.objects.get()
    admin = scoped(Member, workspace).get(user__email="admin@localhost")
    assert (admin.role, admin.user.is_superuser) == ("owner", True)
    assert operations.first_run("admin@localhost") == {}
    assert get_user_model().objects.filter(is_superuser=True).count() == 1


def test_first_run_without_demo_creates_only_the_admin(db):
    assert list(operations.first_run("admin@localhost", with_demo=False)) == ["admin@localhost"]
    assert not Workspace.objects.exists()
