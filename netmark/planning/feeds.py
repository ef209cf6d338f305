"""The public iCalendar feed of a workspace's plans: ``GET /feeds/<token>.ics``.

The token is the only credential (signed for the ``calendar-feed`` purpose); unknown, forged and
revoked tokens answer the same 404. Requests are rate limited per client address.
"""

import logging

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from netmark.core.errors import NotFound, RateLimited
from netmark.core.ratelimit import hit
from netmark.planning import services

security_log = logging.getLogger("netmark.security")
FEED_REQUESTS_PER_MINUTE = 60


@require_GET
def calendar_feed(request, token: str):
    address = request.META.get("REMOTE_ADDR", "")
    try:
        hit("calendar-feed", address, limit=FEED_REQUESTS_PER_MINUTE)
    except RateLimited as exc:
        return HttpResponse(status=429, headers={"Retry-After": str(exc.retry_after)})
    try:
        workspace = services.workspace_for_feed(token)
    except NotFound:
        security_log.warning("calendar_feed_bad_token ip=%s", address)
        raise Http404 from None
    response = HttpResponse(services.ical_feed(workspace), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="netmark-plans.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
