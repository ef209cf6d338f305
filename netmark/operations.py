"""Operator tasks: backup and restore, the first admin and first run, the process supervisor.

Backups are one ``.tar.gz`` holding ``manifest.json`` and the databases: each SQLite file
(records ``netmark.db``, events ``events.db`` and ``inbox.db``, jobs ``jobs.db``, when present)
copied with SQLite's online backup API, so the server may keep running; with PostgreSQL, a
``pg_dump -Fc`` of the
records database. Restore checks the archive before it touches anything: only known file names,
no absolute paths, no ``..``, no links (zip slip), checksums from the manifest; and it refuses to
overwrite a database that holds data unless forced. Stop the server before restoring.
"""

import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connections
from django.utils.translation import gettext as _

from netmark import __version__
from netmark.analytics.stores.columnar import reset_after_restore
from netmark.core import services as core
from netmark.core.errors import Conflict, NetmarkError, ValidationFailed
from netmark.core.models import Workspace

FORMAT, FORMAT_VERSION = "netmark-backup", 1
SQLITE_NAMES = ("netmark.db", "events.db", "inbox.db", "jobs.db")
PG_DUMP_NAME = "netmark.pgdump"
ALLOWED_MEMBERS = {"manifest.json", PG_DUMP_NAME, *SQLITE_NAMES}
DATA_TABLES = ("core_workspace", "auth_user")  # a database holding a row here is not empty
Progress = Callable[[str, int, int], None]


class OperationFailed(NetmarkError):
    status = 400
    code = "operation_failed"


def _quiet(label: str, done: int, total: int) -> None:
    """The default progress callback: says nothing."""


# What to back up


def sqlite_files() -> dict[str, Path]:
    """The SQLite files of this installation by archive name (present or not)."""
    files = {}
    records = connections["default"].settings_dict
    if records["ENGINE"].endswith("sqlite3"):
        files["netmark.db"] = Path(records["NAME"])
    events = settings.DATABASES.get("events")
    if events and events["ENGINE"].endswith("sqlite3"):
        files["events.db"] = Path(events["NAME"])
    else:
        files["events.db"] = Path(settings.DATA_DIR) / "events.db"
    if settings.HUEY.get("filename"):
        files["jobs.db"] = Path(settings.HUEY["filename"])
    return files


def postgres_settings() -> dict | None:
    records = connections["default"].settings_dict
    return dict(records) if records["ENGINE"].endswith("postgresql") else None


def _pg_env(database: dict) -> dict[str, str]:
    """libpq environment for ``database``: the password never appears on a command line."""
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if database.get(key):
            env[name] = str(database[key])
    env["PGDATABASE"] = str(database["NAME"])
    return env


# Backup


def backup(output_dir: Path | None = None, *, progress: Progress = _quiet) -> Path:
    """A backup archive of this installation in ``output_dir`` (default: ``<data dir>/backups``)."""
    target = Path(output_dir) if output_dir else Path(settings.DATA_DIR) / "backups"
    return backup_to(target, sqlite_files(), postgres=postgres_settings(), progress=progress)


def backup_to(
    output_dir: Path, files: dict[str, Path], *, postgres: dict | None = None, progress: Progress = _quiet
) -> Path:
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    archive = output_dir / f"netmark-backup-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".backup-") as work:
        copies: dict[str, Path] = {}
        if postgres is not None:
            copies[PG_DUMP_NAME] = _pg_dump(postgres, Path(work) / PG_DUMP_NAME, progress)
        for name, path in files.items():
            if name == "netmark.db" and postgres is not None:
                continue
            if path.exists():
                copies[name] = _sqlite_copy(path, Path(work) / name, name, progress)
        if "netmark.db" not in copies and PG_DUMP_NAME not in copies:
            raise OperationFailed(_("There is no records database to back up."))
        _write_archive(archive, copies, engine="postgresql" if postgres else "sqlite")
    os.chmod(archive, 0o600)
    return archive


def _sqlite_copy(source: Path, target: Path, label: str, progress: Progress) -> Path:
    def report(status, remaining, total):
        progress(label, total - remaining, total)

    with closing(sqlite3.connect(source, timeout=30)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst, pages=256, progress=report)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the archive
        if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise OperationFailed(_("The copy of %(name)s failed its integrity check.") % {"name": label})
    return target


def _pg_dump(database: dict, target: Path, progress: Progress) -> Path:
    progress(PG_DUMP_NAME, 0, 1)
    command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"]
    _run(command, database)
    progress(PG_DUMP_NAME, 1, 1)
    return target


def _run(command: list[str], database: dict) -> None:
    try:
        done = subprocess.run(  # noqa: S603 - fixed PostgreSQL tools, no shell; arguments are paths
            command, env=_pg_env(database), capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise OperationFailed(_("%(tool)s is not installed.") % {"tool": command[0]}) from None
    if done.returncode != 0:
        raise OperationFailed(f"{command[0]}: {done.stderr.strip()[-500:]}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_archive(archive: Path, copies: dict[str, Path], *, engine: str) -> None:
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "netmark_version": __version__,
        "created_at": datetime.now(UTC).isoformat(),
        "engine": engine,
        "files": {
            name: {"bytes": path.stat().st_size, "sha256": _sha256(path)} for name, path in copies.items()
        },
    }
    body = json.dumps(manifest, indent=2).encode()
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size, info.mtime, info.mode = len(body), int(datetime.now(UTC).timestamp()), 0o600
        tar.addfile(info, io.BytesIO(body))
        for name, path in copies.items():
            tar.add(path, arcname=name, recursive=False)


# Restore


def restore(archive: Path, *, force: bool = False, progress: Progress = _quiet) -> list[str]:
    """Restores this installation from ``archive``; returns the names of the restored files."""
    return restore_from(
        Path(archive), sqlite_files(), postgres=postgres_settings(), force=force, progress=progress
    )


def restore_from(
    archive: Path,
    files: dict[str, Path],
    *,
    postgres: dict | None = None,
    force: bool = False,
    progress: Progress = _quiet,
) -> list[str]:
    with _open_archive(archive) as tar:
        members = _checked_members(tar)
        manifest = _manifest(tar, members)
        _check_engine(manifest, postgres)
        if not force and _holds_data(files, postgres):
            raise Conflict(_("The database already holds data; pass --force to overwrite it."))
        target_dir = files["netmark.db"].parent if "netmark.db" in files else Path(settings.DATA_DIR)
        _check_space(target_dir, manifest)
        with tempfile.TemporaryDirectory(dir=target_dir, prefix=".restore-") as work:
            tar.extractall(work, members=[members[name] for name in manifest["files"]], filter="data")
            _verify(Path(work), manifest)
            connections.close_all()
            for name in manifest["files"]:
                progress(name, 0, 1)
                if name == PG_DUMP_NAME:
                    _pg_restore(postgres, Path(work) / name, force=force)
                else:
                    _sqlite_restore(Path(work) / name, files[name])
                    if name == "events.db":
                        reset_after_restore(files[name])
                progress(name, 1, 1)
    return list(manifest["files"])


def _open_archive(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError):
        raise OperationFailed(
            _("%(name)s is not a netmark backup archive.") % {"name": archive.name}
        ) from None


def _checked_members(tar: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    """The archive's members by name; any path trick, link or unknown name refuses the archive."""
    members = {}
    for member in tar.getmembers():
        path = PurePosixPath(member.name)
        if (
            path.is_absolute()
            or ".." in path.parts
            or member.name.startswith(("/", "\\"))
            or "\\" in member.name
        ):
            raise OperationFailed(_("The archive holds an unsafe path: %(name)s") % {"name": member.name})
        if not member.isfile() or member.name not in ALLOWED_MEMBERS or member.name in members:
            raise OperationFailed(
                _("The archive holds an unexpected entry: %(name)s") % {"name": member.name}
            )
        members[member.name] = member
    if "manifest.json" not in members:
        raise OperationFailed(_("The archive has no manifest."))
    return members


def _manifest(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo]) -> dict:
    if members["manifest.json"].size > 1 << 20:
        raise OperationFailed(_("The archive's manifest is too large."))
    try:
        manifest = json.loads(tar.extractfile(members["manifest.json"]).read())
        files = manifest["files"]
        valid = (
            manifest["format"] == FORMAT and manifest["version"] == FORMAT_VERSION and isinstance(files, dict)
        )
    except (ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise OperationFailed(_("The archive's manifest is not a netmark backup manifest."))
    for name, entry in files.items():
        if name not in members or name == "manifest.json" or members[name].size != entry.get("bytes"):
            raise OperationFailed(_("The archive does not match its manifest: %(name)s") % {"name": name})
    return manifest


def _check_engine(manifest: dict, postgres: dict | None) -> None:
    wanted = "postgresql" if postgres is not None else "sqlite"
    if manifest.get("engine") != wanted:
        raise OperationFailed(
            _("This backup is for %(archive)s but this installation runs %(here)s.")
            % {"archive": manifest.get("engine"), "here": wanted}
        )


def _check_space(target_dir: Path, manifest: dict) -> None:
    """Room for the unpacked files and the restored copies, checked before unpacking anything."""
    needed = 2 * sum(int(entry.get("bytes") or 0) for entry in manifest["files"].values())
    if needed > shutil.disk_usage(target_dir).free:
        raise OperationFailed(_("Not enough free disk space to restore this backup."))


def _verify(work: Path, manifest: dict) -> None:
    for name, entry in manifest["files"].items():
        if _sha256(work / name) != entry.get("sha256"):
            raise OperationFailed(
                _("%(name)s in the archive is damaged (checksum mismatch).") % {"name": name}
            )


def _holds_data(files: dict[str, Path], postgres: dict | None) -> bool:
    if postgres is not None:
        return _postgres_holds_data()
    path = files.get("netmark.db")
    if path is None or not path.exists() or path.stat().st_size == 0:
        return False
    with closing(sqlite3.connect(path, timeout=30)) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return any(
            db.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0]  # noqa: S608 - fixed names
            for table in DATA_TABLES
            if table in tables
        )


def _postgres_holds_data() -> bool:
    with connections["default"].cursor() as cursor:
        for table in DATA_TABLES:
            cursor.execute("SELECT to_regclass(%s)", [table])
            if cursor.fetchone()[0] is None:
                continue
            cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')  # noqa: S608 - fixed names
            if cursor.fetchone()[0]:
                return True
    return False


def _sqlite_restore(source: Path, target: Path) -> None:
    """Copies ``source`` into ``target`` with the backup API, so open readers see a consistent file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target, timeout=30)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")


def _pg_restore(database: dict, dump: Path, *, force: bool) -> None:
    command = ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    if force:
        command += ["--clean", "--if-exists"]
    _run([*command, f"--dbname={database['NAME']}", str(dump)], database)


# First admin and first run


def create_admin(email: str) -> tuple[object, str]:
    """A new superuser with a random password, returned once."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed(fields={"email": _("Enter a valid email address.")}) from None
    if get_user_model().objects.filter(email__iexact=email).exists():
        raise Conflict(
            fields={"email": _("A user with this email exists; use `netmark manage changepassword`.")}
        )
    password = secrets.token_urlsafe(16)
    user, _created = core.find_or_create_user(email, password=password)
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user, password


def first_run(admin_email: str, *, with_demo: bool = True) -> dict[str, str]:
    """On an installation without workspaces: the demo workspace and a first admin who owns it.

    Returns ``{email: password}`` to print once; empty when the installation was already set up.
    """
    if Workspace.objects.exists():
        return {}
    credentials: dict[str, str] = {}
    workspace = None
    if with_demo:
        from netmark.demo import create_demo

        workspace, credentials = create_demo()
    if not get_user_model().objects.filter(is_superuser=True).exists():
        user, password = create_admin(admin_email)
        credentials = {user.email: password, **credentials}
        if workspace is not None:
            core.add_member(core.operator_member(workspace), user.email, "owner")
    return credentials
