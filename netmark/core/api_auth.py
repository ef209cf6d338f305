"""Token authentication for the REST API: ``Authorization: Bearer nmk_...``.

The token decides the workspace: API routes carry no workspace in their path.
"""

from django.conf import settings
from ninja.security import HttpBearer

from netmark.core.errors import RateLimited, Unauthenticated
from netmark.core.ratelimit import hit
from netmark.core.securitylog import log_member_event
from netmark.core.services import authenticate_token


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        try:
            member = authenticate_token(token)
        except Unauthenticated:
            log_member_event("api_bad_token", request)
            raise
        request.member = member
        try:
            hit("api-token", str(member.api_token_id), limit=settings.API_RATE_LIMIT_PER_MINUTE)
        except RateLimited:
            log_member_event("rate_limited", request)
            raise
        return member
