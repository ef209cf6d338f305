"""API: the API never crashes on bad input and always answers what its OpenAPI document declares.

Schemathesis reads ``/api/v1/openapi.json`` from the WSGI application and sends generated requests,
valid and invalid, to every operation as a workspace owner, with every built-in check (server
errors, status codes, content types, response schemas, headers, acceptance of valid and rejection of
invalid data, authentication) plus one of ours: no stack trace in any body.

A schema-valid request may be refused (422) only for a rule JSON Schema cannot state, and then the
error may name only the fields ``SEMANTIC_RULES`` lists for that operation, with the rule's reason.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance

from netmark.core.roles import Role
from netmark.wsgi import application

# Examples per operation and mode; the whole walk stays within about two minutes on two cores.
EXAMPLES = int(os.environ.get("NETMARK_FUZZ_EXAMPLES", "12"))
CATALOGUE = "channel type codes come from the channel catalogue (data, not schema)"
SEMANTIC_RULES = {
    "POST /api/v1/audiences": {"channel_presence": CATALOGUE},
    "PATCH /api/v1/audiences/{audience_id}": {"channel_presence": CATALOGUE},
    "POST /api/v1/channels": {"channel_type": CATALOGUE},
    "PATCH /api/v1/channels/{channel_id}": {"channel_type": CATALOGUE},
    "GET /api/v1/calendar": {"end": "the end may not precede the start"},
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
        named = set(response.json().get("fields", {})) if response.status_code == 422 else set()
        if named and named <= set(allowed):
            return None
        raise


@pytest.fixture
def owner_token(team_a, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000  # the fuzzer is not an abusive client
    return team_a.token(Role.OWNER)


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_api_answers_as_its_openapi_document_declares(case, owner_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {owner_token}"},
        additional_checks=[no_stack_trace, valid_data_accepted],
        excluded_checks=[positive_data_acceptance],
    )
