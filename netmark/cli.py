"""The ``netmark`` command: ``netmark <noun> <verb>`` plus the operator verbs (ARCHITECTURE.md).

Exit codes: 0 ok, 1 failure (a domain error: its message and field errors go to stderr), 2 bad
usage. Every command runs inside ``audit.via("cli")``, so the audit log says where changes came
from; without ``--as`` the operator acts as an owner of the workspace.
"""

import argparse
import os
import sys

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def _language() -> str:
    """Chinese messages for a Chinese locale (``LANG=zh_CN.UTF-8``), English otherwise."""
    locale = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
    return "zh-hans" if locale.lower().startswith("zh") else "en"


def build_parser() -> argparse.ArgumentParser:
    from django.utils.translation import gettext as _

    from netmark import __version__
    from netmark.commands import MODULES
    from netmark.commands.base import Commands, common_options

    parser = argparse.ArgumentParser(
        prog="netmark",
        parents=[common_options(suppress=False)],
        description=_("netmark: plan, run and evaluate network marketing."),
        epilog=_("Examples: netmark serve | netmark plan list --workspace yunling-tea | netmark backup"),
    )
    parser.add_argument("--version", action="version", version=f"netmark {__version__}")
    subparsers = parser.add_subparsers(title=_("commands"), metavar="<command>")
    commands = Commands(subparsers, common_options(suppress=True))
    for module in MODULES:
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netmark.settings")
    import django

    django.setup()
    from django.utils import translation

    translation.activate(_language())
    parser = build_parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    if not hasattr(args, "handler"):
        (getattr(args, "usage_parser", None) or parser).print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return run(args)
    except BrokenPipeError:
        # The reader (``| head``) went away: silence the flush at exit instead of a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE


def run(args: argparse.Namespace) -> int:
    from django.core.management import CommandError
    from django.db import DatabaseError
    from django.utils.translation import gettext as _

    from netmark.commands.base import Context, UsageError
    from netmark.core import audit
    from netmark.core.errors import NetmarkError

    context = Context(args)
    with audit.via("cli"):
        try:
            return args.handler(context) or EXIT_OK
        except NetmarkError as error:
            context.fail(error)
        except UsageError as error:
            print(f"netmark: {error}", file=sys.stderr)
            return EXIT_USAGE
        except CommandError as error:
            print(f"{_('Error')}: {error}", file=sys.stderr)
        except KeyboardInterrupt:
            return 130
        except DatabaseError:
            if not _unmigrated():
                raise
            print(_("netmark: the database is not set up yet: run `netmark migrate` first."), file=sys.stderr)
    return EXIT_FAILURE


def _unmigrated() -> bool:
    """Whether migrations are waiting: a fresh data folder explains a missing table."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


if __name__ == "__main__":
    sys.exit(main())
