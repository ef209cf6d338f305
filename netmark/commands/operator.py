"""Operator verbs: ``migrate``, ``demo``, ``backup``, ``restore``, ``check``, ``createadmin``, ``manage``."""

import argparse
from pathlib import Path

from django.core.management import call_command, execute_from_command_line
from django.utils.translation import gettext as _

from netmark import operations
from netmark.commands.base import Commands, Context, UsageError
from netmark.demo import DEMO_SLUG, create_demo


def register(commands: Commands) -> None:
    commands.command("migrate", migrate, _("create or update the database tables"))
    parser = commands.command("demo", demo, _("create the demo workspace (云岭茶业 Yunling Tea) if missing"))
    parser.add_argument("--slug", default=DEMO_SLUG)
    parser = commands.command("backup", backup, _("back up the databases into a .tar.gz archive"))
    parser.add_argument(
        "--output", metavar="DIR", type=Path, help=_("folder for the archive (default: var/backups)")
    )
    parser = commands.command("restore", restore, _("restore the databases from a backup archive"))
    parser.add_argument("archive", type=Path)
    parser.add_argument("--force", action="store_true", help=_("overwrite a database that holds data"))
    parser = commands.command("check", check, _("run Django's system checks"))
    parser.add_argument("--deploy", action="store_true", help=_("also check production settings"))
    parser = commands.command("createadmin", createadmin, _("create a superuser with a random password"))
    parser.add_argument("email")
    parser = commands.command("manage", manage, _("run any Django management command"))
    parser.add_argument("arguments", nargs=argparse.REMAINDER, metavar="COMMAND ...")


def migrate(context: Context) -> int:
    context.progress(_("Migrating the database…"))
    call_command("migrate", interactive=False, verbosity=0)
    context.emit({"migrated": True}, _("The database is up to date."))
    return 0


def demo(context: Context) -> int:
    workspace, passwords = create_demo(context.args.slug)
    if not passwords:
        text = _("The demo workspace %(slug)s already exists; nothing changed.") % {"slug": workspace.slug}
    else:
        lines = [_("Created the demo workspace %(slug)s. Passwords (shown once):") % {"slug": workspace.slug}]
        lines += [f"  {email}  {password}" for email, password in passwords.items()]
        text = "\n".join(lines)
    context.emit({"workspace": workspace.slug, "passwords": passwords}, text)
    return 0


def backup(context: Context) -> int:
    context.progress(_("Backing up…"))
    archive = operations.backup(context.args.output, progress=context.bar)
    context.emit({"archive": str(archive), "bytes": archive.stat().st_size}, str(archive))
    return 0


def restore(context: Context) -> int:
    if not context.args.archive.is_file():
        raise UsageError(_("No such file: %(path)s") % {"path": context.args.archive})
    context.progress(_("Restoring from %(path)s…") % {"path": context.args.archive})
    restored = operations.restore(context.args.archive, force=context.args.force, progress=context.bar)
    context.emit({"restored": restored}, _("Restored: %(files)s.") % {"files": ", ".join(restored)})
    return 0


def check(context: Context) -> int:
    options = {"deploy": True, "fail_level": "WARNING"} if context.args.deploy else {}
    call_command("check", **options)
    return 0


def createadmin(context: Context) -> int:
    user, password = operations.create_admin(context.args.email)
    text = _("Superuser %(email)s created. Password (shown once): %(password)s") % {
        "email": user.email,
        "password": password,
    }
    context.emit({"email": user.email, "password": password}, text)
    return 0


def manage(context: Context) -> int:
    arguments = list(context.args.arguments)
    if arguments[:1] == ["--"]:
        arguments = arguments[1:]
    if not arguments:
        raise UsageError(_("Name a Django management command, e.g. `netmark manage showmigrations`."))
    try:
        execute_from_command_line(["netmark manage", *arguments])
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    return 0
