"""``netmark contact score show|recompute|rules``: lead scoring from the command line.

``show ID`` prints the contact's score now with one line per rule that gave points; ``recompute``
scores the whole workspace (as the daily job does); ``rules`` lists the rules. Registered by
``contacts.cli``.
"""

from django.utils.translation import gettext as _

from netmark.commands.base import Commands, Context, UsageError
from netmark.contacts import scoring, scoring_rules, services
from netmark.core.roles import Capability, require

ACTIONS = ("show", "recompute", "rules")


def register(commands: Commands) -> None:
    parser = commands.verb("contact", "score", score_command, _("lead scores: show, recompute, rules"))
    parser.add_argument("action", choices=ACTIONS)
    parser.add_argument("contact", nargs="?", type=int, help=_("the contact's id (show)"))


def score_command(context: Context) -> int:
    require(context.member, Capability.READ)
    return {"show": _show, "recompute": _recompute, "rules": _rules}[context.args.action](context)


def _show(context: Context) -> int:
    if context.args.contact is None:
        raise UsageError(_("Give the contact's id."))
    contact = services.get_contact(context.workspace, context.args.contact)
    found = scoring.score_contact(contact)
    lines = [f"{line['rule']}: {line['points']} ({line['why']})" for line in found.lines]
    text = "\n".join([_("Score %(score)s") % {"score": found.total}, *lines])
    context.emit({"contact_id": contact.pk, "score": found.total, "explanation": found.lines}, text)
    return 0


def _recompute(context: Context) -> int:
    require(context.member, Capability.EXECUTE)
    result = scoring.recompute(context.workspace, member=context.member)
    text = _("%(contacts)s contacts scored, %(changed)s scores changed, %(moved)s stages moved up.") % {
        "contacts": result["contacts"],
        "changed": result["changed"],
        "moved": result["stages_moved"],
    }
    context.emit(result, text)
    return 0


def _rules(context: Context) -> int:
    rows = [
        {"id": rule.pk, "name": rule.name, "kind": rule.kind, "points": rule.points, "active": rule.is_active}
        for rule in scoring_rules.list_rules(context.workspace)
    ]
    context.table(rows, ["id", "name", "kind", "points", "active"], empty=_("No scoring rules yet."))
    return 0
