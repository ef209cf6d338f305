"""API: the API never crashes on bad input and always answers what its OpenAPI document declares.

Schemathesis reads ``/api/v1/openapi.json`` from the WSGI application and sends generated requests,
valid and invalid, to every operation as a workspace owner, with every built-in check (server
errors, status codes, content types, response schemas, headers, acceptance of valid and rejection of
invalid data, authentication) plus one of ours: no stack trace in any body.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode

from netmark.core.roles import Role
from netmark.wsgi import application

# Examples per operation and mode; the whole walk stays within about two minutes on two cores.
EXAMPLES = int(os.environ.get("NETMARK_FUZZ_EXAMPLES", "12"))
STACK_TRACE_MARKERS = ("Traceback (most recent call last)", 'File "/', "django.core.exceptions")

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
schema.config.generation.update(modes=list(GenerationMode), max_examples=EXAMPLES, deterministic=True)


@schemathesis.check
def no_stack_trace(ctx, response, case):
    body = response.content.decode("utf-8", "replace")
    for marker in STACK_TRACE_MARKERS:
        if marker in body:
            raise AssertionError(f"the response body shows a stack trace ({marker!r})")


@pytest.fixture
def owner_token(team_a, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000  # the fuzzer is not an abusive client
    return team_a.token(Role.OWNER)


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_api_answers_as_its_openapi_document_declares(case, owner_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {owner_token}"}, additional_checks=[no_stack_trace]
    )
