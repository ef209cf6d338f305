"""The REST API: one NinjaAPI at /api/v1/, each app's router mounted here, errors mapped once.

Every error answers the one body ``{"code", "message", "fields"}`` (ARCHITECTURE.md, "Conventions").
"""

import logging

from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from netmark import __version__
from netmark.analytics.api import router as analytics_router
from netmark.analytics.stores import StoreUnavailable
from netmark.capture.api import router as capture_router
from netmark.contacts.api import router as contacts_router
from netmark.core.api import router as core_router
from netmark.core.api_auth import TokenAuth
from netmark.core.errors import NetmarkError, PermissionDenied, RateLimited, Unavailable
from netmark.core.securitylog import log_member_event
from netmark.core.webhooks_api import router as webhooks_router
from netmark.links.api import router as links_router
from netmark.mailing.api import router as mailing_router
from netmark.mailing.api import smtp_router as mailing_settings_router
from netmark.mailing.campaign_api import router as mailing_campaigns_router
from netmark.mailing.drip_api import router as mailing_sequences_router
from netmark.mailing.inbox_api import router as mailing_inbox_router
from netmark.planning.api import router as planning_router
from netmark.positioning.api import router as positioning_router
from netmark.reports.api import router as reports_router
from netmark.roi.api import router as roi_router
from netmark.roi.attribution_api import router as attribution_router

log = logging.getLogger("netmark")

api = NinjaAPI(
    title="netmark API",
    version=__version__,
    description=(
        "Workspace-scoped REST API. Authenticate with `Authorization: Bearer <token>`; the token decides "
        "the workspace. Errors answer `{code, message, fields}`."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
)


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


@api.exception_handler(NetmarkError)
def netmark_error(request, exc: NetmarkError):
    if isinstance(exc, PermissionDenied):
        log_member_event("api_denied", request)
    response = api.create_response(request, error_body(exc.code, exc.message, exc.fields), status=exc.status)
    if isinstance(exc, RateLimited | Unavailable):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(StoreUnavailable)
def store_unavailable(request, exc):
    log.warning("event store unavailable: %s", exc)
    return netmark_error(request, Unavailable())


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    fields = {}
    for error in exc.errors:
        location = [
            str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query", "path")
        ]
        fields[".".join(location) or "body"] = error.get("msg", "invalid")
    return api.create_response(
        request, error_body("validation_error", "Some values are not valid.", fields), status=422
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return api.create_response(
        request, error_body("unauthenticated", "A valid API token is required."), status=401
    )


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
    return api.create_response(request, error_body(code, str(exc.message)), status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, error_body("not_found", "Not found."), status=404)


@api.exception_handler(OverflowError)
def number_out_of_range(request, exc):
    """A number the database cannot hold (an id or amount past 64 bits) is bad input, not a crash."""
    return api.create_response(
        request, error_body("validation_error", "A number is out of range.", {}), status=422
    )


@api.exception_handler(DataError)
def data_out_of_range(request, exc):
    return number_out_of_range(request, exc)


@api.exception_handler(RequestDataTooBig)
def too_big(request, exc):
    return api.create_response(request, error_body("too_large", "The request body is too large."), status=413)


api.add_router("/", core_router)
api.add_router("/", webhooks_router)
api.add_router("/", positioning_router)
api.add_router("/", planning_router)
api.add_router("/", links_router)
api.add_router("/", analytics_router)
api.add_router("/", contacts_router)
api.add_router("/", capture_router)
api.add_router("/", roi_router)
api.add_router("/", attribution_router)
api.add_router("/", mailing_router)
api.add_router("/", mailing_settings_router)
api.add_router("/", mailing_campaigns_router)
api.add_router("/", mailing_sequences_router)
api.add_router("/", mailing_inbox_router)
api.add_router("/", reports_router)
