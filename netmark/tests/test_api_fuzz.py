"""API: the API never crashes on bad input and always answers what its OpenAPI document declares.

Schemathesis reads ``/api/v1/openapi.json`` from the WSGI application and sends generated requests,
valid and invalid, to every operation as a workspace owner, with every built-in check (server
errors, status codes, content types, response schemas, headers, acceptance of valid and rejection of
invalid data, authentication) plus one of ours: no stack trace in any body.

A schema-valid request may be refused (422) only for a rule JSON Schema cannot state, and then the
error may name only the fields ``SEMANTIC_RULES`` lists for that operation, with the rule's reason.
"""

import os
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance

from netmark.core.roles import Role
from netmark.core.textguard import find_nul
from netmark.wsgi import application

# Examples per operation and mode; the whole walk stays within about two minutes on two cores.
EXAMPLES = int(os.environ.get("NETMARK_FUZZ_EXAMPLES", "12"))
CATALOGUE = "channel type codes come from the channel catalogue (data, not schema)"
RECURRENCE = "the recurrence rule must give a date between the plan's start and end"
ENDS = "a plan may not end before it starts"
SSRF = "the address policy refuses private and special addresses, in any spelling (SSRF)"
EMAIL = "an email address must pass Django's validator (domain and local-part rules a pattern cannot state)"
NUL = "Text may not contain NUL characters."
URL = "Django's URL validator checks host names (label lengths, IDN) beyond what a pattern states"
ONCE = "a KPI or a channel appears once per plan (uniqueness across list items)"
LINK_RULES = {
    "destination": URL + "; a destination may not be another short link",
    "utm_campaign": "the promotion's own UTM campaign may hold characters a UTM value cannot (e.g. Chinese)",
    "utm_medium": "the workspace's naming conventions may restrict the mediums",
}
MAPPING_RULES = {"__all__": "a mapping names at least one UTM value (one matching everything is refused)"}
# Uploads a generated file cannot satisfy: the file must be a CSV with the right columns.
CSV_UPLOADS = {"POST /api/v1/links/import"}
PLAN_RULES = {
    "recurrence": RECURRENCE,
    "ends_on": ENDS,
    "targets.N.kpi": ONCE,
    "channels.N.channel_account_id": ONCE,
}
ZONE = "a time zone must be one the IANA database knows (data, not schema)"
SITE_RULES = {"timezone": ZONE, "domain": "the model checks the cleaned host name again (label rules)"}
RANGE = {"start": "a report's start may not follow its end, and a report covers at most three years"}
REPORT_RULES = {
    "recipients": EMAIL,
    "sections": "section keys come from the section registry (data, not schema)",
    "plan_id": "a per-promotion report needs a promotion",
}
SEMANTIC_RULES = {
    "POST /api/v1/reports": REPORT_RULES,
    "PATCH /api/v1/reports/{report_id}": REPORT_RULES,
    "POST /api/v1/sites": SITE_RULES,
    "PATCH /api/v1/sites/{site_id}": SITE_RULES,
    "GET /api/v1/sites/{site_id}/summary": RANGE,
    "GET /api/v1/sites/{site_id}/timeseries": RANGE,
    "GET /api/v1/sites/{site_id}/breakdown": RANGE,
    "GET /api/v1/sites/{site_id}/goals": RANGE,
    "GET /api/v1/sites/{site_id}/funnel": {**RANGE, "steps": "a funnel has 2 to 8 steps"},
    "POST /api/v1/conversions": {
        "items.N": "a conversion lies within the last 7 days, and a revenue needs its currency",
    },
    "POST /api/v1/products": {"url": URL},
    "PATCH /api/v1/products/{product_id}": {"url": URL},
    "POST /api/v1/members": {"email": EMAIL},
    "POST /api/v1/audiences": {"channel_presence": CATALOGUE},
    "PATCH /api/v1/audiences/{audience_id}": {"channel_presence": CATALOGUE},
    "POST /api/v1/channels": {"channel_type": CATALOGUE},
    "PATCH /api/v1/channels/{channel_id}": {"channel_type": CATALOGUE},
    "GET /api/v1/calendar": {"end": "the end may not precede the start"},
    "POST /api/v1/plans": PLAN_RULES,
    "PATCH /api/v1/plans/{plan_id}": PLAN_RULES,
    "POST /api/v1/links": LINK_RULES,
    "PATCH /api/v1/links/{link_id}": LINK_RULES,
    "POST /api/v1/utm-mappings": MAPPING_RULES,
    "PATCH /api/v1/utm-mappings/{mapping_id}": MAPPING_RULES,
    "POST /api/v1/webhooks": {"url": SSRF},
    "PATCH /api/v1/webhooks/{webhook_id}": {"url": SSRF},
}
STACK_TRACE_MARKERS = ("Traceback (most recent call last)", 'File "/', "django.core.exceptions")

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
schema.config.generation.update(
    modes=list(GenerationMode), max_examples=EXAMPLES, deterministic=True, allow_extra_parameters=False
)


@schemathesis.check
def no_stack_trace(ctx, response, case):
    body = response.content.decode("utf-8", "replace")
    for marker in STACK_TRACE_MARKERS:
        if marker in body:
            raise AssertionError(f"the response body shows a stack trace ({marker!r})")


@schemathesis.check
def valid_data_accepted(ctx, response, case):
    """Schemathesis' positive_data_acceptance, except the 422s of ``SEMANTIC_RULES``."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        allowed = SEMANTIC_RULES.get(case.operation.label, {})
        fields = response.json().get("fields", {}) if response.status_code == 422 else {}
        code = response.json().get("code") if response.status_code == 422 else None
        if case.operation.label in CSV_UPLOADS and code in {"csv_error", "import_failed"}:
            return None  # a generated file is rarely a CSV with the right columns (core/csvio.py)
        if fields and {re.sub(r"\.\d+\.", ".N.", name) for name in fields} <= set(allowed):
            return None
        if (
            fields
            and set(fields.values()) == {NUL}
            and (find_nul(case.body) or find_nul(dict(case.query or {})))
        ):
            return None  # every route refuses NUL characters (core/textguard.py); JSON Schema cannot say so
        raise


@pytest.fixture
def transaction_kept_across_requests():
    """The WSGI handler closes "obsolete" connections after each request, and a connection inside the
    test's transaction looks obsolete: on PostgreSQL that would end the test's transaction. Django's
    test client does the same as this fixture."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def owner_token(team_a, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000  # the fuzzer is not an abusive client
    return team_a.token(Role.OWNER)


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_api_answers_as_its_openapi_document_declares(case, owner_token, transaction_kept_across_requests):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {owner_token}"},
        additional_checks=[no_stack_trace, valid_data_accepted],
        excluded_checks=[positive_data_acceptance],
    )
