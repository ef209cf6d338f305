"""The one permission table (ARCHITECTURE.md, "Roles"). UI, API and CLI all ask ``require``."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _

from netmark.core.errors import PermissionDenied


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    PLANNER = "planner", _("Planner")
    IMPLEMENTER = "implementer", _("Implementer")
    VIEWER = "viewer", _("Viewer")


class Capability(StrEnum):
    READ = "read"
    ADMINISTER = "administer"  # members, tokens, workspace settings, SMTP and integrations
    PLAN = "plan"  # positioning, channels, plans, channel planner
    EXECUTE = "execute"  # links, QR, sites, emails, posts, forms, contacts, imports
    EVALUATE = "evaluate"  # evaluation and lessons, reports, share links (implementer: own plans)
    ERASE = "erase"  # delete or erase data, export a whole workspace


PERMISSIONS: dict[Capability, frozenset[str]] = {
    Capability.READ: frozenset(Role.values),
    Capability.ADMINISTER: frozenset({Role.OWNER}),
    Capability.PLAN: frozenset({Role.OWNER, Role.PLANNER}),
    Capability.EXECUTE: frozenset({Role.OWNER, Role.PLANNER, Role.IMPLEMENTER}),
    Capability.EVALUATE: frozenset({Role.OWNER, Role.PLANNER, Role.IMPLEMENTER}),
    Capability.ERASE: frozenset({Role.OWNER}),
}


def can(member, capability: Capability, *, owner_id: int | None = None) -> bool:
    """Whether ``member`` holds ``capability``.

    Implementers evaluate only plans they own: pass ``owner_id`` (the plan owner's member id).
    """
    if member is None or member.role not in PERMISSIONS[capability]:
        return False
    if capability is Capability.EVALUATE and member.role == Role.IMPLEMENTER:
        return owner_id is not None and owner_id == member.pk
    return True


def require(member, capability: Capability, *, owner_id: int | None = None) -> None:
    if not can(member, capability, owner_id=owner_id):
        raise PermissionDenied()
