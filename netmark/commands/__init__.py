"""The ``netmark`` command line's sub-commands, one module per group; ``netmark.cli`` wires them.

Commands parse, resolve who acts (``base.Context``), call one service and print; the logic lives
in the apps' services, ``netmark.operations`` and ``netmark.demo``.
"""

from netmark.commands import analytics, exchange, operator, plans, serve, workspaces
from netmark.contacts import cli as contacts_cli
from netmark.links import cli as links_cli
from netmark.mailing import cli as mailing_cli
from netmark.reports import cli as reports_cli
from netmark.roi import cli as roi_cli

MODULES = [
    serve,
    operator,
    workspaces,
    plans,
    exchange,
    analytics,
    links_cli,
    contacts_cli,
    roi_cli,
    mailing_cli,
    reports_cli,
]
