"""Workspaces, members, invitations and API tokens.

Service functions take the acting ``member`` first, check the role table, validate, write in one
transaction and record the change in the audit log.
"""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from netmark.core import audit
from netmark.core.errors import Conflict, NotFound, Unauthenticated, ValidationFailed
from netmark.core.models import ApiToken, Invitation, Member, Workspace
from netmark.core.roles import Capability, Role, require
from netmark.core.scoping import get_for, scoped

TOKEN_PREFIX = "nmk_"  # noqa: S105 - a public prefix, not a secret
INVITATION_DAYS = 7


def operator_member(workspace: Workspace) -> Member:
    """The installation operator (CLI without ``--as``): acts as an owner, unsaved, audited as 'operator'."""
    return Member(workspace=workspace, role=Role.OWNER, user=None)


def memberships(user) -> list[Member]:
    if not user or not user.is_authenticated or not user.is_active:
        return []
    return list(Member.unscoped.filter(user=user).select_related("workspace").order_by("workspace__name"))


def member_for(user, slug: str) -> Member:
    """The user's membership of workspace ``slug``; ``NotFound`` when they have none."""
    if not user or not user.is_authenticated or not user.is_active:
        raise NotFound()
    try:
        return Member.unscoped.select_related("workspace", "user").get(user=user, workspace__slug=slug)
    except Member.DoesNotExist:
        raise NotFound() from None


def _unique_slug(name: str, wanted: str | None) -> str:
    base = slugify(wanted or name) or "workspace"
    if wanted and Workspace.objects.filter(slug=base).exists():
        raise Conflict(fields={"slug": _("This slug is taken.")})
    slug, counter = base[:50], 2
    while Workspace.objects.filter(slug=slug).exists():
        slug, counter = f"{base[:50]}-{counter}", counter + 1
    return slug


@transaction.atomic
def create_workspace(
    owner_user,
    name: str,
    *,
    slug: str | None = None,
    language: str = "zh-hans",
    time_zone: str = "Asia/Shanghai",
    currency: str = "CNY",
) -> Workspace:
    """A new workspace with ``owner_user`` (may be None from the CLI) as its first owner."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(fields={"name": _("A workspace needs a name.")})
    workspace = Workspace(
        name=name[:200],
        slug=_unique_slug(name, slug),
        language=language,
        time_zone=time_zone,
        currency=currency,
        feed_key=secrets.token_urlsafe(16),
    )
    try:
        workspace.full_clean()
    except ValidationError as exc:
        raise ValidationFailed(fields={k: " ".join(v) for k, v in exc.message_dict.items()}) from None
    workspace.save()
    actor = operator_member(workspace)
    if owner_user is not None:
        actor = Member.unscoped.create(workspace=workspace, user=owner_user, role=Role.OWNER)
    audit.record(actor, "workspace.created", workspace)
    return workspace


def find_or_create_user(email: str, *, password: str | None = None):
    """The user with ``email`` (case-insensitive), created with ``password`` or an unusable one."""
    email = (email or "").strip().lower()
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    if password:
        try:
            validate_password(password)
        except ValidationError as exc:
            raise ValidationFailed(fields={"password": " ".join(exc.messages)}) from None
    user = User(username=email[:150], email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user, True


@transaction.atomic
def add_member(actor: Member, email: str, role: str, *, password: str | None = None) -> Member:
    """Adds the user with ``email`` (creating it) to the actor's workspace with ``role``."""
    require(actor, Capability.ADMINISTER)
    _validate_role(role)
    _validate_email(email)
    user, _created = find_or_create_user(email, password=password)
    if scoped(Member, actor.workspace).filter(user=user).exists():
        raise Conflict(fields={"email": _("This person is already a member.")})
    member = Member.unscoped.create(workspace=actor.workspace, user=user, role=role)
    audit.record(actor, "member.added", member, {"role": role})
    return member


@transaction.atomic
def change_role(actor: Member, member_id, role: str) -> Member:
    require(actor, Capability.ADMINISTER)
    _validate_role(role)
    member = get_for(Member, actor.workspace, member_id)
    if member.role == Role.OWNER and role != Role.OWNER and _owner_count(actor.workspace) == 1:
        raise Conflict(_("A workspace keeps at least one owner."))
    changes = audit.diff(member, {"role": role})
    member.role = role
    member.save(update_fields=["role", "updated_at"])
    audit.record(actor, "member.role_changed", member, changes)
    return member


@transaction.atomic
def remove_member(actor: Member, member_id) -> None:
    require(actor, Capability.ADMINISTER)
    member = get_for(Member, actor.workspace, member_id)
    if member.role == Role.OWNER and _owner_count(actor.workspace) == 1:
        raise Conflict(_("A workspace keeps at least one owner."))
    audit.record(actor, "member.removed", member)
    member.delete()


def _owner_count(workspace) -> int:
    return scoped(Member, workspace).filter(role=Role.OWNER).count()


def _validate_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationFailed(fields={"role": _("Choose one of: %s.") % ", ".join(Role.values)})


def _validate_email(email: str) -> None:
    from django.core.validators import validate_email

    try:
        validate_email((email or "").strip())
    except ValidationError:
        raise ValidationFailed(fields={"email": _("Enter a valid email address.")}) from None


@transaction.atomic
def invite_member(actor: Member, email: str, role: str) -> Invitation:
    """An invitation valid for seven days; the caller mails the link from ``invitation_token``."""
    require(actor, Capability.ADMINISTER)
    _validate_role(role)
    _validate_email(email)
    invitation = Invitation.unscoped.create(
        workspace=actor.workspace,
        email=email.strip().lower(),
        role=role,
        invited_by_id=actor.pk,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    audit.record(actor, "member.invited", invitation, {"email": invitation.email, "role": role})
    return invitation


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_token(actor: Member, name: str) -> tuple[ApiToken, str]:
    """A new API token for the acting member; the secret is returned once and only its hash kept."""
    require(actor, Capability.READ)
    if actor.pk is None:
        raise ValidationFailed(_("Tokens belong to a member: pass --as <email>."))
    name = (name or "").strip()[:100] or "API token"
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.unscoped.create(
        workspace=actor.workspace, member=actor, name=name, prefix=secret[:12], digest=_digest(secret)
    )
    audit.record(actor, "token.created", token, {"name": name})
    return token, secret


@transaction.atomic
def revoke_token(actor: Member, token_id) -> ApiToken:
    """Members revoke their own tokens; owners revoke anyone's in their workspace."""
    queryset = scoped(ApiToken, actor.workspace)
    if actor.role != Role.OWNER:
        queryset = queryset.filter(member_id=actor.pk)
    token = get_for(ApiToken, actor.workspace, token_id, queryset=queryset)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit.record(actor, "token.revoked", token)
    return token


def authenticate_token(secret: str) -> Member:
    """The member behind an active token of an active user; ``Unauthenticated`` otherwise."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        raise Unauthenticated()
    token = (
        ApiToken.unscoped.select_related("member__user", "member__workspace")
        .filter(digest=_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.member.user.is_active:
        raise Unauthenticated()
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.unscoped.filter(pk=token.pk).update(last_used_at=now)
    member = token.member
    member.api_token_id = token.pk
    return member
