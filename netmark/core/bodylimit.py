"""Refuses API request bodies over ``settings.API_MAX_BODY_BYTES`` with 413 before anything reads them.

The answer is the API's one error body ``{"code", "message", "fields"}``. Bodies without a
``Content-Length`` are never read past it by Django, so the declared length is what counts.
"""

from django.conf import settings
from django.http import JsonResponse

from netmark.core.errors import TooLarge

API_PREFIX = "/api/"


class BodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX) and declared_length(request) > settings.API_MAX_BODY_BYTES:
            error = TooLarge()
            body = {"code": error.code, "message": error.message, "fields": {}}
            return JsonResponse(body, status=error.status)
        return self.get_response(request)


def declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads no body for an unreadable length either
