"""``netmark contact segment list|count|show|create|export|delete``: segments from the command line.

A filter is given as JSON text or ``@file.json`` (``--filter``); ``count`` answers the live count of a
filter (or of a saved segment), ``show`` a saved segment's contacts. Registered by ``contacts.cli``.
"""

import json
from pathlib import Path

from django.utils.translation import gettext as _

from netmark.commands.base import Commands, Context, UsageError, write_output
from netmark.contacts import exporting, segments
from netmark.contacts.models import Segment
from netmark.core.roles import Capability, require

ACTIONS = ("list", "count", "show", "create", "export", "delete")


def register(commands: Commands) -> None:
    parser = commands.verb(
        "contact", "segment", segment_command, _("segments: list, count, show, create, export, delete")
    )
    parser.add_argument("action", choices=ACTIONS)
    parser.add_argument(
        "segment", nargs="?", type=int, help=_("the segment's id (show, export, delete; count)")
    )
    parser.add_argument(
        "--filter", default="", metavar="JSON", help=_("a filter tree as JSON, or @file.json")
    )
    parser.add_argument("--name", default="", help=_("the new segment's name (create)"))
    parser.add_argument("--static", action="store_true", help=_("create a static list instead"))
    parser.add_argument("--limit", type=int, default=100, metavar="N")
    parser.add_argument("--output", "-o", default=None, metavar="FILE", help=_("where export writes"))


def _filter(raw: str) -> dict:
    if raw.startswith("@"):
        try:
            raw = Path(raw[1:]).read_text(encoding="utf-8")
        except OSError as error:
            raise UsageError(
                _("Cannot read %(file)s: %(error)s") % {"file": raw[1:], "error": error}
            ) from None
    try:
        tree = json.loads(raw)
    except ValueError:
        raise UsageError(_("--filter takes a JSON filter tree or @file.json.")) from None
    return tree


def _segment(context: Context) -> Segment:
    if context.args.segment is None:
        raise UsageError(_("Give the segment's id."))
    return segments.get_segment(context.workspace, context.args.segment)


def _contact_rows(contacts, limit: int) -> list[dict]:
    return [
        {"id": c.pk, "name": c.name, "email": c.email, "stage": c.stage}
        for c in contacts.order_by("-id")[:limit]
    ]


def segment_command(context: Context) -> int:
    args = context.args
    require(context.member, Capability.READ)
    if not 1 <= args.limit <= 10_000:
        raise UsageError(_("--limit takes a number from 1 to 10000."))
    handler = {
        "list": _list,
        "count": _count,
        "show": _show,
        "create": _create,
        "export": _export,
        "delete": _delete,
    }[args.action]
    return handler(context)


def _list(context: Context) -> int:
    rows = [{"id": s.pk, "name": s.name, "kind": s.kind} for s in segments.list_segments(context.workspace)]
    context.table(rows, ["id", "name", "kind"], empty=_("No segments yet."))
    return 0


def _count(context: Context) -> int:
    if context.args.filter:
        answer = segments.count_filter(context.workspace, _filter(context.args.filter))
        count = answer["count"]
    else:
        count = segments.segment_contacts(_segment(context)).count()
    context.emit({"count": count}, _("%(count)s contacts") % {"count": count})
    return 0


def _show(context: Context) -> int:
    contacts = segments.segment_contacts(_segment(context))
    context.table(
        _contact_rows(contacts, context.args.limit),
        ["id", "name", "email", "stage"],
        empty=_("No contact matches."),
    )
    return 0


def _create(context: Context) -> int:
    args = context.args
    kind = Segment.Kind.STATIC if args.static else Segment.Kind.DYNAMIC
    tree = _filter(args.filter) if args.filter else None
    segment = segments.create_segment(context.member, name=args.name, kind=kind, filter=tree)
    context.emit(
        {"id": segment.pk, "name": segment.name, "kind": segment.kind},
        _("Created segment %(id)s.") % {"id": segment.pk},
    )
    return 0


def _export(context: Context) -> int:
    require(context.member, Capability.EXECUTE)
    contacts = segments.segment_contacts(_segment(context))
    write_output(context.args.output, exporting.export_contacts(context.workspace, contacts), context)
    return 0


def _delete(context: Context) -> int:
    segment = _segment(context)
    segments.delete_segment(context.member, segment.pk)
    context.emit({"deleted": segment.pk}, _("Deleted segment %(id)s.") % {"id": segment.pk})
    return 0
