"""Token authentication for the REST API: ``Authorization: Bearer nmk_...``.

The token decides the workspace: API routes carry no workspace in their path.
"""

import logging

from django.conf import settings
from ninja.security import HttpBearer

from netmark.core.errors import Unauthenticated
from netmark.core.ratelimit import hit
from netmark.core.services import authenticate_token

security_log = logging.getLogger("netmark.security")


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        try:
            member = authenticate_token(token)
        except Unauthenticated:
            security_log.warning("api_bad_token ip=%s path=%s", client_ip(request), _safe(request.path))
            raise
        hit("api-token", str(member.api_token_id), limit=settings.API_RATE_LIMIT_PER_MINUTE)
        request.member = member
        return member


def _safe(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")[:200]
