"""``/mail/hooks/<provider>/<key>/``: provider webhooks in (HOOK-IN). POST only, no cookie, no
CSRF token (the signature is the authority; on test_csrf.py's allow-list).

Unknown hooks answer 404; a bad or missing signature 401, a stale timestamp 401 as well (a replay
looks like a forgery to the sender), a body the provider never sends 400; a redelivery 200 with
no second effect, so the provider stops retrying. Nothing here tells whether an address exists.
"""

import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from netmark.analytics import services as analytics
from netmark.core import ratelimit
from netmark.core.errors import NotFound, RateLimited
from netmark.core.securitylog import log_security
from netmark.mailing import hooks, providers, sealing

log = logging.getLogger("netmark.mailing")
MAX_BODY = 1_048_576
MISSES_PER_MINUTE = 30


def _answer(status: int, code: str, **extra) -> JsonResponse:
    response = JsonResponse({"code": code, **extra}, status=status)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_POST
def provider_hook(request, provider: str, key: str):
    ip = analytics.client_ip(request.META)
    try:
        hook = hooks.find_hook(provider, key)
    except NotFound:
        log_security("mail_hook_unknown", ip, provider=provider[:20])
        try:
            ratelimit.hit("mail-hook-miss", ip, limit=MISSES_PER_MINUTE)
        except RateLimited as exc:
            response = _answer(429, "rate_limited")
            response["Retry-After"] = str(exc.retry_after)
            return response
        return _answer(404, "not_found")
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        return _answer(413, "too_large")
    try:
        received = hooks.receive(hook, request.headers, request.body)
    except (providers.BadSignature, providers.Stale) as error:
        log_security("mail_hook_bad_signature", ip, provider=hook.provider, workspace=hook.workspace_id,
                     reason=type(error).__name__)  # fmt: skip
        return _answer(401, "bad_signature")
    except providers.Malformed:
        return _answer(400, "malformed")
    except sealing.Unreadable:  # SECRET_KEY changed: the owner must paste the secret again
        log.error("provider webhook %s: its secret cannot be unsealed", hook.pk)
        return _answer(503, "unavailable")
    return _answer(200, "ok", applied=received.applied, duplicates=received.duplicates)
