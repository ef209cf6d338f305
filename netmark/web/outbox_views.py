"""The outbox pages: a workspace owner's view (their workspace's mail) and the superuser's (all)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from netmark.core.roles import Capability
from netmark.web import outbox
from netmark.web.access import workspace_page

PAGE_SIZE = 50


def _list(request, workspace_slug: str | None):
    page = Paginator(outbox.messages(workspace_slug), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "enabled": outbox.is_enabled(), "all_mail": workspace_slug is None}
    return render(request, "web/settings/outbox.html", context)


def _detail(request, key: str, workspace_slug: str | None):
    message = outbox.message(key, workspace_slug)
    if message is None:
        raise Http404
    return render(
        request, "web/settings/outbox_message.html", {"message": message, "all_mail": workspace_slug is None}
    )


@workspace_page(Capability.ADMINISTER)
def workspace_outbox(request):
    return _list(request, request.member.workspace.slug)


@workspace_page(Capability.ADMINISTER)
def workspace_outbox_message(request, key: str):
    return _detail(request, key, request.member.workspace.slug)


def _superuser_only(request) -> None:
    if not request.user.is_superuser:
        raise Http404


@login_required
def installation_outbox(request):
    _superuser_only(request)
    return _list(request, None)


@login_required
def installation_outbox_message(request, key: str):
    _superuser_only(request)
    return _detail(request, key, None)
