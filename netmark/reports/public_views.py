"""The client's read-only page of one report run: no sign-in, nothing else of the workspace."""

from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache

from netmark.core.errors import NotFound
from netmark.reports import services


@never_cache
def shared_report(request, token: str):
    try:
        run = services.run_for_token(token)
    except NotFound:
        raise Http404 from None
    with translation.override(run.report.language):
        response = render(request, "reports/shared.html", {"run": run, "language": run.report.language})
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
