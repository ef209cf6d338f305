"""Checks on API input every route shares, answered with a 422 before any handler runs.

- NUL characters: PostgreSQL cannot store U+0000 in text and no marketer means to send one;
  catching it once here answers every route alike instead of a 500 from the database.
- A query parameter is given once, except those that routes declare as lists (``REPEATABLE``:
  the report filters, goals and funnel steps of analytics).
- JSON bodies of ``/api/v1/`` are objects: a list or a bare value is refused, never half-applied.
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


_NO_BODY = object()
REPEATABLE = frozenset({"filter", "goal", "step"})


class ApiTextGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/v1/") and (refusal := self._refusal(request)):
            field, message = refusal
            body = {
                "code": "validation_error",
                "message": message,
                "fields": {field: message} if field else {},
            }
            return JsonResponse(body, status=422)
        return self.get_response(request)

    def _refusal(self, request) -> tuple[str, str] | None:
        for key, values in request.GET.lists():
            if len(values) > 1 and key not in REPEATABLE:
                return key, _("Give this query parameter once.")
            if "\x00" in key or any("\x00" in value for value in values):
                return key.replace("\x00", ""), _("Text may not contain NUL characters.")
        data = self._json_body(request)
        if data is _NO_BODY:
            return None
        if not isinstance(data, dict):
            return "", _("The request body must be a JSON object.")
        if field := find_nul(data):
            return field, _("Text may not contain NUL characters.")
        return None

    @staticmethod
    def _json_body(request):
        if request.content_type != "application/json" or request.method in ("GET", "HEAD", "OPTIONS"):
            return _NO_BODY
        try:
            raw = request.body
        except Exception:  # noqa: BLE001 - oversize bodies are answered by the body-limit middleware
            return _NO_BODY
        if not raw.strip():
            return _NO_BODY
        try:
            return json.loads(raw)
        except ValueError:
            return _NO_BODY  # malformed JSON: the API answers 400 with its own message
