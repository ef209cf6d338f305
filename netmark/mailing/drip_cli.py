"""``netmark mailing sequences list|show|steps|activate|pause|enrollments|run``: drip sequences from
the command line (``steps`` replaces the steps from a JSON file: a list of {kind, config})."""

import json
from pathlib import Path

from django.utils.translation import gettext as _

from netmark.commands.base import Commands, Context, UsageError
from netmark.core.roles import Capability, require
from netmark.mailing import drip_services, drips

ACTIONS = ["list", "show", "steps", "activate", "pause", "enrollments", "run"]


def register(commands: Commands) -> None:
    parser = commands.verb("mailing", "sequences", sequences, _("list, edit and run drip sequences"))
    parser.add_argument("action", choices=ACTIONS, nargs="?", default="list")
    parser.add_argument("sequence", type=int, metavar="ID", nargs="?")
    parser.add_argument("--file", help=_("steps: a JSON file with the list of steps"))


def _need_id(context: Context) -> int:
    if context.args.sequence is None:
        raise UsageError(
            _("Give the sequence: netmark mailing sequences %(action)s ID") % {"action": context.args.action}
        )
    return context.args.sequence


def _steps_from(path: str | None) -> list:
    if not path:
        raise UsageError(_("Give --file with the steps as JSON."))
    try:
        steps = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(_("Cannot read the steps: %(error)s") % {"error": exc}) from None
    if not isinstance(steps, list) or not all(isinstance(step, dict) for step in steps):
        raise UsageError(_("The steps file holds a JSON list of objects with kind and config."))
    return steps


def sequences(context: Context) -> int:
    action = context.args.action
    if action == "list":
        found = drip_services.list_sequences(context.workspace)
        rows = [{"id": s.pk, "name": s.name, "status": s.status, "trigger": s.trigger,
                 **drip_services.state_counts(s)} for s in found]  # fmt: skip
        context.table(rows, ["id", "name", "status", "trigger", "active", "done", "exited"],
                      empty=_("No sequence yet."))  # fmt: skip
        return 0
    if action == "run":  # one pass of the periodic job, for installations without a running consumer
        require(context.member, Capability.EXECUTE)
        context.emit(drips.tick(), _("Ran the due steps."))
        return 0
    sequence_id = _need_id(context)
    if action in ("activate", "pause"):
        status = "active" if action == "activate" else "paused"
        sequence = drip_services.set_status(context.member, sequence_id, status)
        context.emit(
            {"id": sequence.pk, "status": sequence.status}, f"{sequence.pk} {sequence.get_status_display()}"
        )
        return 0
    if action == "steps":
        drip_services.replace_steps(context.member, sequence_id, _steps_from(context.args.file))
    sequence = drip_services.get_sequence(context.workspace, sequence_id)
    if action == "enrollments":
        found = drip_services.list_enrollments(sequence)[:1000]
        rows = [{"id": e.pk, "email": e.contact.email, "state": e.state, "position": e.position,
                 "next_run_at": e.next_run_at} for e in found]  # fmt: skip
        context.table(
            rows, ["id", "email", "state", "position", "next_run_at"], empty=_("Nobody has entered yet.")
        )
        return 0
    counts = drip_services.step_counts(sequence)
    rows = [{"position": s.position, "kind": s.kind, "active_here": counts.get(s.position, 0),
             "config": json.dumps(s.config, ensure_ascii=False)[:80]}
            for s in sequence.steps.all()]  # fmt: skip
    context.table(rows, ["position", "kind", "active_here", "config"], empty=_("No step yet."))
    return 0
