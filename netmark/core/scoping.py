"""The only way to reach workspace-owned rows. It fails closed.

``scoped(Model, workspace)`` refuses a missing workspace and a model that is not workspace-owned;
``get_for(Model, workspace, pk)`` raises ``NotFound`` for unknown ids and another workspace's ids
alike, so the API answers 404 and never reveals that a foreign record exists.
"""

from django.db.models import Model, QuerySet

from netmark.core.errors import NotFound
from netmark.core.models import Workspace, WorkspaceOwned


class ScopeError(RuntimeError):
    """A programming error: a query was attempted without a workspace."""


def scoped(model: type[Model], workspace: Workspace | None) -> QuerySet:
    if not (isinstance(model, type) and issubclass(model, WorkspaceOwned)):
        raise ScopeError(f"{model!r} is not workspace-owned")
    if workspace is None or workspace.pk is None:
        raise ScopeError(f"no workspace given for {model.__name__}")
    return model.unscoped.filter(workspace_id=workspace.pk)


def get_for(model: type[Model], workspace: Workspace, pk, *, queryset: QuerySet | None = None):
    """The ``model`` row with ``pk`` in ``workspace``, or ``NotFound``."""
    base = queryset if queryset is not None else scoped(model, workspace)
    try:
        return base.filter(workspace_id=workspace.pk).get(pk=int(pk))
    except (model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None
