"""Invitations by email: send the signed link, list and withdraw pending ones, accept one.

The link carries ``signing.sign("invitation", pk)`` and points at ``settings.PUBLIC_URL``. Whoever
holds it proves they read the invited address, so accepting may also set the password of an
account that has none yet. Invitation emails carry an ``X-Netmark-Workspace`` header so the UI's
outbox shows a workspace owner only their own workspace's mail.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from netmark.core import audit, services, signing
from netmark.core.errors import Conflict, NotFound
from netmark.core.models import Invitation, Member
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped

PURPOSE = "invitation"
MAX_AGE_SECONDS = services.INVITATION_DAYS * 24 * 3600
WORKSPACE_HEADER = "X-Netmark-Workspace"


def pending_invitations(workspace):
    return scoped(Invitation, workspace).filter(accepted_at__isnull=True, expires_at__gt=timezone.now())


def accept_url(invitation: Invitation) -> str:
    token = signing.sign(PURPOSE, invitation.pk)
    return settings.PUBLIC_URL + reverse("invitation_accept", args=[token])


def send_invitation(actor: Member, email: str, role: str) -> Invitation:
    """Creates the invitation (``services.invite_member``) and mails the link in the workspace language."""
    invitation = services.invite_member(actor, email, role)
    workspace = actor.workspace
    context = {
        "workspace": workspace,
        "inviter": actor.label,
        "role": invitation.get_role_display,
        "url": accept_url(invitation),
        "days": services.INVITATION_DAYS,
    }
    with translation.override(workspace.language):
        subject = render_to_string("core/email/invitation_subject.txt", context).strip()
        body = render_to_string("core/email/invitation_body.txt", context)
    message = EmailMessage(
        subject=" ".join(subject.splitlines()),
        body=body,
        to=[invitation.email],
        headers={WORKSPACE_HEADER: workspace.slug},
    )
    message.send()
    return invitation


@transaction.atomic
def withdraw_invitation(actor: Member, invitation_id) -> None:
    require(actor, Capability.ADMINISTER)
    invitation = get_for(Invitation, actor.workspace, invitation_id)
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation was already accepted."))
    audit.record(actor, "invitation.withdrawn", invitation)
    invitation.delete()


def invitation_from_token(token: str) -> Invitation:
    """The pending, unexpired invitation behind ``token``; ``NotFound`` for anything else."""
    pk = signing.unsign(PURPOSE, token, max_age=MAX_AGE_SECONDS)
    invitation = Invitation.unscoped.select_related("workspace").filter(pk=pk).first()
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= timezone.now():
        raise NotFound(_("This invitation is no longer valid."))
    return invitation


@transaction.atomic
def accept_invitation(user, token: str) -> Member:
    """Makes ``user`` (whose address must be the invited one) a member with the invited role.

    A user who already belongs to the workspace keeps their role; the invitation is used up either way.
    """
    invitation = invitation_from_token(token)
    invitation = Invitation.unscoped.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise NotFound(_("This invitation is no longer valid."))
    if not user.is_active or user.email.strip().lower() != invitation.email.strip().lower():
        raise NotFound(_("This invitation is for another email address."))
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    member = scoped(Member, invitation.workspace).filter(user=user).first()
    if member is None:
        member = Member.unscoped.create(workspace=invitation.workspace, user=user, role=invitation.role)
        audit.record(member, "member.joined", member, {"role": member.role, "invitation": invitation.pk})
    return member


@transaction.atomic
def accept_with_new_password(token: str, password: str) -> Member:
    """For an invited address without a usable password: sets ``password`` and accepts.

    ``password`` must already have passed Django's validators (the form's ``SetPasswordForm``).
    """
    invitation = invitation_from_token(token)
    user, _created = services.find_or_create_user(invitation.email)
    if user.has_usable_password():
        raise Conflict(_("This address already has an account: sign in to accept."))
    user.set_password(password)
    user.save(update_fields=["password"])
    return accept_invitation(user, token)
