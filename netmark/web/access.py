"""Access to workspace pages under ``/w/<slug>/``: the signed-in user's membership decides.

``workspace_page`` resolves the membership (404 when the user has none: existence is not
revealed), sets ``request.member``, checks the role table and turns domain errors into pages.
While the view runs, times are shown in the workspace's time zone, and members who never chose a
language see the workspace's language. The workspace is remembered in the session so pages
outside ``/w/<slug>/`` (account, outbox) keep its navigation.
"""

import zoneinfo
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone, translation

from netmark.core.errors import NotFound, PermissionDenied
from netmark.core.roles import Capability, require
from netmark.core.services import member_for

WORKSPACE_SESSION_KEY = "netmark_workspace"


def workspace_time_zone(workspace) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(workspace.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def apply_workspace_language(request, workspace) -> None:
    """The workspace's language for members who never chose one with the language switch."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    language = workspace.language if workspace.language in dict(settings.LANGUAGES) else None
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language


def _run(view, request, args, kwargs):
    with timezone.override(workspace_time_zone(request.member.workspace)):
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        return response


def workspace_page(capability: Capability = Capability.READ):
    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            try:
                request.member = member_for(request.user, slug)
            except NotFound:
                raise Http404 from None
            if request.session.get(WORKSPACE_SESSION_KEY) != slug:
                request.session[WORKSPACE_SESSION_KEY] = slug
            apply_workspace_language(request, request.member.workspace)
            try:
                require(request.member, capability)
                return _run(view, request, args, kwargs)
            except NotFound:
                raise Http404 from None
            except PermissionDenied as exc:
                return render(request, "web/forbidden.html", {"message": exc.message}, status=403)

        return wrapper

    return decorate
