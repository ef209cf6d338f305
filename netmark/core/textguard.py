"""Refuse NUL characters in API input with a 422 before any handler runs.

PostgreSQL cannot store U+0000 in text and no marketer means to send one; catching it once here
answers every route alike instead of a 500 from the database (SQLite would store it silently).
"""

import json

from django.http import JsonResponse
from django.utils.translation import gettext as _


def find_nul(value, path: str = "") -> str | None:
    """The dotted path of the first string (or key) holding U+0000, or None."""
    if isinstance(value, str):
        return path or "body" if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        child = f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and "\x00" in key:
            return child
        if found := find_nul(item, child):
            return found
    return None


class ApiTextGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and (field := self._nul_field(request)):
            message = _("Text may not contain NUL characters.")
            body = {"code": "validation_error", "message": message, "fields": {field: message}}
            return JsonResponse(body, status=422)
        return self.get_response(request)

    @staticmethod
    def _nul_field(request) -> str | None:
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return key.replace("\x00", "")
        if request.content_type != "application/json" or request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        try:
            raw = request.body
        except Exception:  # noqa: BLE001 - oversize bodies are answered by the API's own 413 handler
            return None
        if b"\\u0000" not in raw.lower():
            return None
        try:
            return find_nul(json.loads(raw))
        except ValueError:
            return None  # malformed JSON: the API answers 400 with its own message
