"""Template context: the member and workspace of the page, the workspaces to switch to, the navigation.

On pages outside ``/w/<slug>/`` (account, outbox) the workspace remembered in the session keeps
the navigation in place.
"""

from django.conf import settings

from netmark.core.services import memberships
from netmark.web import navigation as nav
from netmark.web.access import WORKSPACE_SESSION_KEY


def _remembered(request, found):
    slug = request.session.get(WORKSPACE_SESSION_KEY) if hasattr(request, "session") else None
    return next((member for member in found if member.workspace.slug == slug), found[0] if found else None)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "member": None,
            "workspace": None,
            "workspaces": [],
            "nav_groups": [],
            "languages": settings.LANGUAGES,
        }
    found = memberships(user)
    member = getattr(request, "member", None) or _remembered(request, found)
    return {
        "member": member,
        "workspace": getattr(member, "workspace", None),
        "workspaces": [m.workspace for m in found],
        "nav_groups": nav.build(member, request.path),
        "languages": settings.LANGUAGES,
    }
