"""What every sub-command shares: the global options, who acts, and how results are printed.

Global options (accepted before or after the sub-command): ``--workspace <slug>`` (optional when
the installation has exactly one workspace), ``--as <email>`` (act with that member's role; without
it the operator acts as an owner) and ``--json`` (machine-readable output on stdout). Progress and
errors go to stderr, so ``--json`` output can be piped.
"""

import argparse
import json
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from netmark.core import services
from netmark.core.errors import NetmarkError, NotFound, ValidationFailed
from netmark.core.models import Workspace

MAX_INPUT_BYTES = 50 * 1024 * 1024


class UsageError(Exception):
    """Bad usage (exit code 2): a missing option, a file that cannot be read."""


def common_options(*, suppress: bool) -> argparse.ArgumentParser:
    """The global options; sub-parsers use ``suppress`` so an unset option keeps the top-level value."""
    parent = argparse.ArgumentParser(add_help=False)

    def default(value):
        return argparse.SUPPRESS if suppress else value

    parent.add_argument(
        "--workspace", metavar="SLUG", default=default(None), help=_("the workspace to act on")
    )
    parent.add_argument(
        "--as",
        dest="as_email",
        metavar="EMAIL",
        default=default(None),
        help=_("act with this member's role (default: the operator, as owner)"),
    )
    parent.add_argument(
        "--json", action="store_true", default=default(False), help=_("machine-readable output")
    )
    return parent


class Commands:
    """Builds ``netmark <noun> <verb>`` parsers; each leaf parser carries its handler."""

    def __init__(self, subparsers, common: argparse.ArgumentParser):
        self.subparsers = subparsers
        self.common = common
        self.nouns: dict[str, argparse._SubParsersAction] = {}

    def command(self, name: str, handler: Callable, help_text: str) -> argparse.ArgumentParser:
        parser = self.subparsers.add_parser(
            name, parents=[self.common], help=help_text, description=help_text
        )
        parser.set_defaults(handler=handler)
        return parser

    def verb(self, noun: str, verb: str, handler: Callable, help_text: str) -> argparse.ArgumentParser:
        if noun not in self.nouns:
            noun_parser = self.subparsers.add_parser(
                noun, parents=[self.common], help=noun_help().get(noun, "")
            )
            self.nouns[noun] = noun_parser.add_subparsers(title=_("commands"), metavar="<verb>")
            noun_parser.set_defaults(usage_parser=noun_parser)
        parser = self.nouns[noun].add_parser(
            verb, parents=[self.common], help=help_text, description=help_text
        )
        parser.set_defaults(handler=handler)
        return parser


def noun_help() -> dict[str, str]:
    return {
        "workspace": _("workspaces: create, list"),
        "member": _("members of a workspace: add, list"),
        "token": _("API tokens: create"),
        "plan": _("promotion plans: list, show, create, export, import"),
        "positioning": _("products, audiences and messages: export, import"),
        "channel": _("channel accounts: export, import"),
        "link": _("tracked links: list, create, export, import, qr"),
        "analytics": _("web analytics: process, sites, summary, breakdown, goals, funnel"),
        "contact": _("contacts: list, import, export"),
        "roi": _("costs and evaluation: import, costs, evaluate, channels, evaluations, due"),
        "mailing": _(
            "email: smtp-test, dkim-generate, suppressions, lists, subscribe, campaigns, campaign-start, "
            "campaign-pause, campaign-resume, campaign-cancel, campaign-progress, campaign-export"
        ),
    }


class Context:
    """The parsed arguments plus the acting member, resolved on first use."""

    def __init__(self, args: argparse.Namespace, stdout=None, stderr=None):
        self.args = args
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    @cached_property
    def workspace(self) -> Workspace:
        slug = getattr(self.args, "workspace", None)
        if slug:
            workspace = Workspace.objects.filter(slug=slug).first()
            if workspace is None:
                raise NotFound(_("No workspace has the slug %(slug)s.") % {"slug": slug})
            return workspace
        workspaces = list(Workspace.objects.all()[:2])
        if len(workspaces) != 1:
            raise UsageError(_("Pass --workspace <slug> (see `netmark workspace list`)."))
        return workspaces[0]

    @cached_property
    def member(self):
        email = getattr(self.args, "as_email", None)
        if not email:
            return services.operator_member(self.workspace)
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise NotFound(
                _("No member of %(workspace)s has this email.") % {"workspace": self.workspace.slug}
            )
        return services.member_for(user, self.workspace.slug)

    # Output

    def emit(self, data, text: str | None = None) -> None:
        """``data`` as JSON with ``--json``; otherwise ``text`` (or ``data`` as plain lines)."""
        if self.json:
            print(json.dumps(data, ensure_ascii=False, indent=2, default=str), file=self.stdout)
        else:
            print(text if text is not None else data, file=self.stdout)

    def table(self, rows: Sequence[dict], columns: Sequence[str], *, empty: str) -> None:
        if self.json:
            self.emit(list(rows))
        elif not rows:
            print(empty, file=self.stdout)
        else:
            print(format_table(rows, columns), file=self.stdout)

    def progress(self, message: str) -> None:
        print(message, file=self.stderr, flush=True)

    def bar(self, label: str, done: int, total: int) -> None:
        """A progress bar on a terminal, one line per finished step otherwise."""
        share = done / total if total else 1.0
        if self.stderr.isatty():
            filled = int(share * 30)
            end = "\n" if done >= total else ""
            print(
                f"\r{label:<14} [{'#' * filled}{'.' * (30 - filled)}] {share:>4.0%}",
                end=end,
                file=self.stderr,
            )
            self.stderr.flush()
        elif done >= total:
            self.progress(f"{label}: {_('done')}")

    def fail(self, error: NetmarkError) -> None:
        if self.json:
            body = {"code": error.code, "message": error.message, "fields": error.fields}
            print(json.dumps(body, ensure_ascii=False, indent=2), file=self.stderr)
            return
        print(f"{_('Error')}: {error.message}", file=self.stderr)
        for row_error in getattr(error, "errors", None) or []:
            print(f"  {row_error}", file=self.stderr)
        if not getattr(error, "errors", None):
            for name, message in error.fields.items():
                print(f"  {name}: {message}", file=self.stderr)


def check_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed(fields={"email": _("Enter a valid email address.")}) from None
    return email


def read_input(path: str) -> bytes:
    """The bytes of ``path`` (``-`` for stdin), bounded so a huge file is refused before reading."""
    if path == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    else:
        file = Path(path)
        if not file.is_file():
            raise UsageError(_("No such file: %(path)s") % {"path": path})
        if file.stat().st_size > MAX_INPUT_BYTES:
            raise UsageError(_("%(path)s is larger than 50 MB.") % {"path": path})
        data = file.read_bytes()
    if len(data) > MAX_INPUT_BYTES:
        raise UsageError(_("The input is larger than 50 MB."))
    return data


def write_output(path: str | None, data: bytes, context: Context) -> None:
    """Writes ``data`` to ``path``, or to stdout when no path (or ``-``) is given."""
    if not path or path == "-":
        context.stdout.flush()
        buffer = getattr(context.stdout, "buffer", None)
        if buffer is not None:
            buffer.write(data)
            buffer.flush()
        else:
            context.stdout.write(data.decode("utf-8-sig"))
        return
    Path(path).write_bytes(data)
    context.progress(_("Wrote %(path)s (%(bytes)d bytes).") % {"path": path, "bytes": len(data)})


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def format_table(rows: Iterable[dict], columns: Sequence[str]) -> str:
    """Rows as aligned text columns; Chinese characters count as two columns wide."""
    cells = [[str(column) for column in columns]]
    cells += [["" if row.get(column) is None else str(row.get(column)) for column in columns] for row in rows]
    widths = [max(_width(line[index]) for line in cells) for index in range(len(columns))]
    return "\n".join(
        "  ".join(cell + " " * (widths[index] - _width(cell)) for index, cell in enumerate(line)).rstrip()
        for line in cells
    )
