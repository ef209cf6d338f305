"""Domain errors. Services raise these; ``netmark/api.py`` maps them to HTTP once.

Every error carries a stable ``code``, a human ``message`` and optional per-field messages, which
is exactly the API's one error body ``{"code", "message", "fields"}``.
"""

from django.utils.translation import gettext_lazy as _


class NetmarkError(Exception):
    status = 400
    code = "bad_request"
    default_message = _("The request could not be processed.")

    def __init__(self, message=None, *, fields: dict[str, str] | None = None, code: str | None = None):
        self.message = str(message if message is not None else self.default_message)
        self.fields = {key: str(value) for key, value in (fields or {}).items()}
        if code:
            self.code = code
        super().__init__(self.message)


class ValidationFailed(NetmarkError):
    status = 422
    code = "validation_error"
    default_message = _("Some values are not valid.")


class NotFound(NetmarkError):
    """Unknown ids and other workspaces' ids alike: existence is never revealed."""

    status = 404
    code = "not_found"
    default_message = _("Not found.")


class PermissionDenied(NetmarkError):
    status = 403
    code = "forbidden"
    default_message = _("Your role does not allow this.")


class Conflict(NetmarkError):
    status = 409
    code = "conflict"
    default_message = _("This conflicts with an existing record.")


class TooLarge(NetmarkError):
    status = 413
    code = "too_large"
    default_message = _("The request body is too large.")


class RateLimited(NetmarkError):
    status = 429
    code = "rate_limited"
    default_message = _("Too many requests; slow down.")

    def __init__(self, message=None, *, retry_after: int = 60, **kwargs):
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class Unauthenticated(NetmarkError):
    status = 401
    code = "unauthenticated"
    default_message = _("A valid API token is required.")


class Unavailable(NetmarkError):
    """A backing store is down for now (503 with Retry-After); nothing was accepted."""

    status = 503
    code = "unavailable"
    default_message = _("This service is unavailable for now; try again shortly.")
    retry_after = 30
