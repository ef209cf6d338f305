"""Snapshots of one workspace's rows, to prove that a walk changed nothing, and a check that no row
points at a record of another workspace."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import F, ForeignKey

from netmark.core.models import Workspace, WorkspaceOwned


def workspace_models() -> list:
    return sorted(
        (model for model in apps.get_models() if issubclass(model, WorkspaceOwned)),
        key=lambda model: model._meta.label,
    )


def dump(workspace: Workspace, *, skip: tuple[str, ...] = ()) -> dict:
    """Every row of ``workspace`` (with its many-to-many links), its members' users, and the workspace.

    ``skip`` names models (``"core.AuditEntry"``) left out, e.g. where a refused attempt is logged.
    """
    rows: dict[str, list] = {
        "workspace": list(Workspace.objects.filter(pk=workspace.pk).values()),
        "users": list(
            get_user_model()
            .objects.filter(memberships__workspace=workspace)
            .order_by("pk")
            .values("pk", "email", "password", "is_active", "is_staff", "is_superuser")
        ),
    }
    for model in workspace_models():
        if model._meta.label in skip:
            continue
        queryset = model.unscoped.filter(workspace_id=workspace.pk).order_by("pk")
        many = [f.name for f in model._meta.many_to_many]
        rows[model._meta.label] = [
            {**values, **{name: sorted(getattr(obj, name).values_list("pk", flat=True)) for name in many}}
            for obj, values in zip(queryset, queryset.values(), strict=True)
        ]
    return rows


def cross_workspace_links() -> list[str]:
    """Rows whose foreign keys (or many-to-many links) reach a record of another workspace."""
    found = []
    for model in workspace_models():
        for relation in model._meta.get_fields():
            target = getattr(relation, "related_model", None)
            if not (relation.concrete or relation.many_to_many) or relation.auto_created:
                continue
            if not (isinstance(target, type) and issubclass(target, WorkspaceOwned)):
                continue
            if not (isinstance(relation, ForeignKey) or relation.many_to_many):
                continue
            leaking = (
                model.unscoped.filter(**{f"{relation.name}__isnull": False})
                .exclude(**{f"{relation.name}__workspace_id": F("workspace_id")})
                .values_list("pk", flat=True)
            )
            found += [f"{model._meta.label}#{pk}.{relation.name}" for pk in leaking]
    return found
