"""Workspace settings: members, invitations, API tokens and the audit log.

Members, invitations and the audit log are for owners (``Capability.ADMINISTER``). Every member
manages their own API tokens (the API needs one and only its holder can create it); owners also
see and revoke everyone's.
"""

from django.contrib import messages as flash
from django.contrib.auth import get_user_model, login
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from netmark.core import invitations, services
from netmark.core.errors import Conflict, NotFound, ValidationFailed
from netmark.core.models import ApiToken, AuditEntry, Member
from netmark.core.roles import Capability, Role, can
from netmark.core.scoping import scoped
from netmark.web.access import workspace_page
from netmark.web.forms import (
    InvitationForm,
    MemberAddForm,
    NewPasswordForm,
    RoleForm,
    TokenForm,
    apply_domain_error,
)

AUDIT_PAGE_SIZE = 50


def _back(request, name: str):
    return redirect(name, slug=request.member.workspace.slug)


@workspace_page(Capability.ADMINISTER)
def members(request):
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.add_member(
                request.member, form.cleaned_data["email"], form.cleaned_data["role"]
            )
        except (ValidationFailed, Conflict) as exc:
            apply_domain_error(form, exc)
        else:
            flash.success(request, _("%(email)s is now a member.") % {"email": member.user.email})
            if not member.user.has_usable_password():
                flash.info(
                    request, _("They have no password yet: they can choose one with “Forgot your password?”.")
                )
            return _back(request, "settings_members")
    rows = scoped(Member, request.member.workspace).select_related("user").order_by("user__email")
    return render(
        request, "web/settings/members.html", {"form": form, "members": rows, "roles": Role.choices}
    )


@require_POST
@workspace_page(Capability.ADMINISTER)
def member_role(request, member_id: int):
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            member = services.change_role(request.member, member_id, form.cleaned_data["role"])
            flash.success(
                request,
                _("%(email)s is now %(role)s.")
                % {"email": member.user.email, "role": member.get_role_display()},
            )
        except (Conflict, ValidationFailed) as exc:
            flash.error(request, exc.message)
    else:
        flash.error(request, _("Choose a role."))
    return _back(request, "settings_members")


@require_POST
@workspace_page(Capability.ADMINISTER)
def member_remove(request, member_id: int):
    try:
        services.remove_member(request.member, member_id)
        flash.success(request, _("The member is removed."))
    except Conflict as exc:
        flash.error(request, exc.message)
    return _back(request, "settings_members")


@workspace_page(Capability.ADMINISTER)
def invitation_list(request):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.send_invitation(
                request.member, form.cleaned_data["email"], form.cleaned_data["role"]
            )
        except ValidationFailed as exc:
            apply_domain_error(form, exc)
        else:
            flash.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return _back(request, "settings_invitations")
    pending = invitations.pending_invitations(request.member.workspace).select_related("invited_by__user")
    return render(request, "web/settings/invitations.html", {"form": form, "invitations": pending})


@require_POST
@workspace_page(Capability.ADMINISTER)
def invitation_withdraw(request, invitation_id: int):
    try:
        invitations.withdraw_invitation(request.member, invitation_id)
        flash.success(request, _("The invitation is withdrawn."))
    except Conflict as exc:
        flash.error(request, exc.message)
    return _back(request, "settings_invitations")


def _tokens_for(member):
    tokens = scoped(ApiToken, member.workspace).select_related("member__user")
    return tokens if can(member, Capability.ADMINISTER) else tokens.filter(member_id=member.pk)


@never_cache
@workspace_page(Capability.READ)
def tokens(request):
    """A new token's secret is rendered once, in the POST's own answer, and never stored."""
    form = TokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        _token, new_secret = services.create_token(request.member, form.cleaned_data["name"])
        form = TokenForm()
    context = {
        "form": form,
        "tokens": _tokens_for(request.member),
        "new_secret": new_secret,
        "sees_all": can(request.member, Capability.ADMINISTER),
    }
    return render(request, "web/settings/tokens.html", context)


@require_POST
@workspace_page(Capability.READ)
def token_revoke(request, token_id: int):
    token = services.revoke_token(request.member, token_id)
    flash.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return _back(request, "settings_tokens")


@workspace_page(Capability.ADMINISTER)
def audit_log(request):
    entries = scoped(AuditEntry, request.member.workspace)
    actions = list(entries.order_by("action").values_list("action", flat=True).distinct())
    action = request.GET.get("action", "")
    if action:
        entries = entries.filter(action=action)
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "web/settings/audit.html", {"page_obj": page, "actions": actions, "action": action}
    )


def _has_password(email: str) -> bool:
    user = get_user_model().objects.filter(email__iexact=email).first()
    return user is not None and user.has_usable_password()


@never_cache
def invitation_accept(request, token: str):
    """Signed in as the invited address: join. Signed out: sign in, or choose a first password."""
    try:
        invitation = invitations.invitation_from_token(token)
    except NotFound as exc:
        return render(request, "web/settings/invitation_invalid.html", {"message": exc.message}, status=404)
    user = request.user
    form = None
    if not user.is_authenticated and not _has_password(invitation.email):
        form = NewPasswordForm(request.POST or None, email=invitation.email)
    if request.method == "POST":
        try:
            member = _accept(request, token, form)
        except (NotFound, Conflict) as exc:
            flash.error(request, exc.message)
            member = None
        if member is not None:
            flash.success(request, _("Welcome to %(workspace)s.") % {"workspace": member.workspace.name})
            return redirect("dashboard", slug=member.workspace.slug)
    context = {
        "invitation": invitation,
        "form": form,
        "email_matches": user.is_authenticated and user.email.lower() == invitation.email.lower(),
    }
    return render(request, "web/settings/invitation_accept.html", context)


def _accept(request, token: str, form):
    """The new membership, or ``None`` while a password is still to be chosen (or to sign in)."""
    if request.user.is_authenticated:
        return invitations.accept_invitation(request.user, token)
    if form is None or not form.is_valid():
        return None
    member = invitations.accept_with_new_password(token, form.cleaned_data["password1"])
    login(request, member.user)
    return member
