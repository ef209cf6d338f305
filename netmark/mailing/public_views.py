"""``/mail/unsubscribe/<token>/``: RFC 8058 one-click unsubscribe (UNSUB in shared/RELIABILITY.md).

A POST (``List-Unsubscribe=One-Click`` urlencoded or multipart, as mail clients send it, or the
button of the confirmation page) unsubscribes: the address joins the workspace's suppression list,
idempotently. It needs no cookie and no CSRF token (the signed token is the authority; the view is
on test_csrf.py's allow-list). A GET only shows the confirmation page: link scanners and prefetches
never unsubscribe anyone. Unknown and forged tokens answer one plain 404; an address that keeps
sending them is answered 429 for a while.
"""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from netmark.core import ratelimit
from netmark.core.errors import NotFound, RateLimited
from netmark.core.securitylog import log_security
from netmark.mailing import services

DEFAULT_MISSES_PER_MINUTE = 30


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _plain(status: int, text: str) -> HttpResponse:
    text = escape(text)
    body = f'<!doctype html><meta charset="utf-8"><title>{text}</title><p>{text}</p>'
    return _private(HttpResponse(body, status=status, content_type="text/html; charset=utf-8"))


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _miss(request) -> HttpResponse:
    limit = getattr(settings, "UNSUBSCRIBE_MISSES_PER_MINUTE", DEFAULT_MISSES_PER_MINUTE)
    ip = _client_ip(request)
    log_security("unsubscribe_bad_token", ip)
    try:
        ratelimit.hit("unsubscribe-miss", ip, limit=limit)
    except RateLimited as exc:
        response = _plain(429, _("Too many requests; slow down."))
        response["Retry-After"] = str(exc.retry_after)
        return response
    return _plain(404, _("Not found."))


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    try:
        target = services.read_token(token)
    except NotFound:
        return _miss(request)
    with translation.override(target.workspace.language):
        if request.method == "POST":
            services.unsubscribe(token)
            context = {"target": target, "done": True, "token": token}
        else:
            context = {"target": target, "done": False, "token": token}
        return _private(render(request, "mailing/unsubscribe.html", context))
