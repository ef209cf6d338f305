"""Per-request context: where changes come from (ui or api) and the client IP, for the audit log."""

from netmark.core import audit


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "api" if request.path.startswith("/api/") else "ui"
        with audit.via(channel, request.META.get("REMOTE_ADDR") or None):
            return self.get_response(request)
