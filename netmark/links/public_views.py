"""``/s/<code>``: the public short link (REDIRECT in shared/RELIABILITY.md).

It redirects (302) only ever to the tagged URL netmark recorded for that exact code; nothing in the
request (query string, headers) changes where it leads. ``?qr=1`` (what QR codes encode) only
marks the click as a scan. Unknown and inactive codes answer the same plain 404 page, which tells
nothing; one address that keeps guessing codes is answered 429 for a while.
"""

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from netmark.core import ratelimit
from netmark.core.errors import RateLimited
from netmark.core.securitylog import log_security
from netmark.links import clicks, services

DEFAULT_MISSES_PER_MINUTE = 60


def _plain(status: int, text: str) -> HttpResponse:
    text = escape(text)
    body = f'<!doctype html><meta charset="utf-8"><title>{text}</title><p>{text}</p>'
    response = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _miss(request) -> HttpResponse:
    """Unknown and inactive codes look alike; an address that keeps missing is slowed down."""
    limit = getattr(settings, "SHORT_LINK_MISSES_PER_MINUTE", DEFAULT_MISSES_PER_MINUTE)
    ip = clicks.client_ip(request)
    try:
        ratelimit.hit("short-link-miss", ip, limit=limit)
    except RateLimited as exc:
        log_security("short_link_misses_throttled", ip)
        response = _plain(429, _("Too many requests; slow down."))
        response["Retry-After"] = str(exc.retry_after)
        return response
    return _plain(404, _("Not found."))


@require_safe
def short_link(request, code: str):
    link = services.resolve_code(code)
    if link is None:
        return _miss(request)
    if request.method == "GET":  # HEAD is a check, not a visit
        clicks.record_click(link, request, via_qr=request.GET.get("qr") == "1")
    response = HttpResponseRedirect(link.target_url)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
