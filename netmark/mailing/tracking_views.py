"""``/mail/t/o/<token>.gif``, ``/mail/t/c/<token>/``, ``/mail/t/h/<token>/``: open pixel, click
redirect and honeypot (TOKEN, REDIRECT). Thin: the token and the recording are ``tracking``'s.

The pixel answers the same GIF for every token, valid or not, so it tells nothing; a click with a
bad token answers a plain 404, and an address that keeps guessing is answered 429 for a while. A
HEAD is a check, not a visit: it records nothing. Bookkeeping never keeps a reader from the target.
"""

import logging

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from netmark.analytics import services as analytics
from netmark.core import ratelimit
from netmark.core.errors import NotFound, RateLimited
from netmark.core.securitylog import log_security
from netmark.mailing import tracking

log = logging.getLogger("netmark.mailing")
DEFAULT_MISSES_PER_MINUTE = 60
DEFAULT_RECORDS_PER_MINUTE = 600  # opens and clicks recorded per address and minute (per process)


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-cache, no-store, must-revalidate, private, max-age=0"
    response["Pragma"] = "no-cache"
    response["Expires"] = "0"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _plain(status: int, text: str) -> HttpResponse:
    text = escape(text)
    body = f'<!doctype html><meta charset="utf-8"><title>{text}</title><p>{text}</p>'
    return _private(HttpResponse(body, status=status, content_type="text/html; charset=utf-8"))


def _visitor(request) -> dict:
    return {"user_agent": request.headers.get("User-Agent", ""), "ip": analytics.client_ip(request.META)}


def _miss(request) -> HttpResponse:
    ip = analytics.client_ip(request.META)
    log_security("mail_tracking_bad_token", ip)
    try:
        limit = getattr(settings, "TRACKING_MISSES_PER_MINUTE", DEFAULT_MISSES_PER_MINUTE)
        ratelimit.hit("mail-tracking-miss", ip, limit=limit)
    except RateLimited as exc:
        response = _plain(429, _("Too many requests; slow down."))
        response["Retry-After"] = str(exc.retry_after)
        return response
    return _plain(404, _("Not found."))


def _quietly(function, *args, **kwargs):
    """Runs a recording; a failure other than a bad token is logged, never shown to the reader. An
    address over its per-minute share is answered as usual but not recorded (flood, not readers)."""
    ip = kwargs.get("ip", "")
    try:
        limit = getattr(settings, "TRACKING_RECORDS_PER_MINUTE", DEFAULT_RECORDS_PER_MINUTE)
        ratelimit.hit("mail-tracking-record", ip, limit=limit)
    except RateLimited:
        log_security("mail_tracking_throttled", ip)
        return None
    try:
        return function(*args, **kwargs)
    except NotFound:
        raise
    except Exception:  # noqa: BLE001 - the reader gets the image or the redirect regardless
        log.exception("mail tracking event not recorded")
        return None


@require_safe
def open_pixel(request, token: str):
    if request.method == "GET":
        try:
            _quietly(tracking.record_open, token, **_visitor(request))
        except NotFound:
            log_security("mail_tracking_bad_token", analytics.client_ip(request.META))
    return _private(HttpResponse(tracking.GIF, content_type="image/gif"))


@require_safe
def click(request, token: str):
    try:
        mark = tracking.read_token(tracking.CLICK, token)
    except NotFound:
        return _miss(request)
    if request.method == "GET":
        _quietly(tracking.record_click, token, **_visitor(request))
    return _private(HttpResponseRedirect(mark.url))


@require_safe
def honeypot(request, token: str):
    try:
        tracking.read_token(tracking.HONEYPOT, token)
    except NotFound:
        return _miss(request)
    if request.method == "GET":
        _quietly(tracking.record_click, token, honeypot=True, **_visitor(request))
    return _plain(200, _("Nothing here."))
