"""``netmark workspace create|list``, ``netmark member add|list``, ``netmark token create``."""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from netmark.commands.base import Commands, Context, check_email
from netmark.core import services
from netmark.core.models import Member, Workspace
from netmark.core.roles import Capability, Role, require
from netmark.core.scoping import scoped


def register(commands: Commands) -> None:
    parser = commands.verb("workspace", "create", workspace_create, _("create a workspace"))
    parser.add_argument("name")
    parser.add_argument("--slug", help=_("the short name in URLs (default: from the name)"))
    parser.add_argument("--owner", metavar="EMAIL", help=_("the first owner (created when new)"))
    parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])
    parser.add_argument("--time-zone", default="Asia/Shanghai")
    parser.add_argument("--currency", default="CNY")
    commands.verb("workspace", "list", workspace_list, _("list workspaces"))

    parser = commands.verb("member", "add", member_add, _("add a member to the workspace"))
    parser.add_argument("email")
    parser.add_argument("role", choices=Role.values)
    commands.verb("member", "list", member_list, _("list the workspace's members"))

    parser = commands.verb("token", "create", token_create, _("create an API token for the --as member"))
    parser.add_argument("name")


def _workspace_row(workspace: Workspace, role: str | None = None) -> dict:
    row = {
        "slug": workspace.slug,
        "name": workspace.name,
        "language": workspace.language,
        "time_zone": workspace.time_zone,
        "currency": workspace.currency,
    }
    if role:
        row["role"] = role
    return row


def workspace_create(context: Context) -> int:
    args = context.args
    owner_user, password = None, None
    with transaction.atomic():  # a new owner is not left behind when the workspace is refused
        if args.owner:
            check_email(args.owner)
            if not get_user_model().objects.filter(email__iexact=args.owner.strip()).exists():
                password = secrets.token_urlsafe(12)
            owner_user, _created = services.find_or_create_user(args.owner, password=password)
        workspace = services.create_workspace(
            owner_user,
            args.name,
            slug=args.slug,
            language=args.language,
            time_zone=args.time_zone,
            currency=args.currency.upper(),
        )
    data = _workspace_row(workspace)
    text = _("Created workspace %(slug)s (%(name)s).") % {"slug": workspace.slug, "name": workspace.name}
    if password:
        data["owner"] = {"email": owner_user.email, "password": password}
        text += "\n" + _password_line(owner_user.email, password)
    context.emit(data, text)
    return 0


def _password_line(email: str, password: str) -> str:
    return _("Password for %(email)s (shown once): %(password)s") % {"email": email, "password": password}


def workspace_list(context: Context) -> int:
    """All workspaces for the operator; with ``--as``, the workspaces that person belongs to."""
    email = context.args.as_email
    if email:
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        rows = [_workspace_row(member.workspace, member.role) for member in services.memberships(user)]
    else:
        rows = [_workspace_row(workspace) for workspace in Workspace.objects.order_by("slug")]
    context.table(rows, ["slug", "name", "language", "currency"], empty=_("No workspaces yet."))
    return 0


def member_add(context: Context) -> int:
    email = context.args.email.strip()
    password = None
    if not get_user_model().objects.filter(email__iexact=email).exists():
        password = secrets.token_urlsafe(12)
    member = services.add_member(context.member, email, context.args.role, password=password)
    data = {"id": member.pk, "email": member.user.email, "role": member.role}
    text = _("Added %(email)s as %(role)s.") % {"email": member.user.email, "role": member.role}
    if password:
        data["password"] = password
        text += "\n" + _password_line(member.user.email, password)
    context.emit(data, text)
    return 0


def member_list(context: Context) -> int:
    require(context.member, Capability.READ)
    members = scoped(Member, context.workspace).select_related("user").order_by("user__email")
    rows = [
        {"id": member.pk, "email": member.user.email, "role": member.role, "joined": member.created_at.date()}
        for member in members
    ]
    context.table(rows, ["id", "email", "role", "joined"], empty=_("No members."))
    return 0


def token_create(context: Context) -> int:
    token, secret = services.create_token(context.member, context.args.name)
    data = {"id": token.pk, "name": token.name, "prefix": token.prefix, "token": secret}
    text = _("API token %(name)s for %(email)s (shown once):\n%(token)s") % {
        "name": token.name,
        "email": context.member.label,
        "token": secret,
    }
    context.emit(data, text)
    return 0
