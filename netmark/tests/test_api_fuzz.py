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
CSV_UPLOADS = {
    "POST /api/v1/links/import",
    "POST /api/v1/contact-imports",
    "POST /api/v1/contact-imports/preview",
    "POST /api/v1/cost-imports",
    "POST /api/v1/attribution/paths",
}
PLAN_RULES = {
    "recurrence": RECURRENCE,
    "ends_on": ENDS,
    "targets.N.kpi": ONCE,
    "channels.N.channel_account_id": ONCE,
}
ZONE = "a time zone must be one the IANA database knows (data, not schema)"
SITE_RULES = {"timezone": ZONE, "domain": "the model checks the cleaned host name again (label rules)"}
SMTP_RULES = {
    "host": SSRF + "; a host name follows DNS label rules",
    "from_email": EMAIL,
    "unsubscribe_mailbox": EMAIL,
    "domain_limits": "recipient domains follow DNS label rules",
}
MAILBOX_RULES = {
    "host": SSRF + "; a host name follows DNS label rules",
    "folder": "a folder name is stripped before it is checked, and may not be blank",
    "processed_folder": "moving processed reports needs a processed folder other than the one read",
    "other_folder": "the folder for other mail must differ from the one read",
}
RANGE = {"start": "a report's start may not follow its end, and a report covers at most three years"}
REPORT_RULES = {
    "recipients": EMAIL,
    "sections": "section keys come from the section registry (data, not schema)",
    "plan_id": "a per-promotion report needs a promotion",
}
CONTACT_RULES = {
    "email": "an email address is normalised and must be local@domain.tld (docs/contacts.md)",
    "phone": "a phone number must normalise to one number of 5 to 17 digits (docs/contacts.md)",
    "name": "text is NFKC-normalised before its length is checked",
    "custom": "custom fields are defined per workspace (data, not schema)",
    "tags": "tags are NFKC-normalised before their length is checked",
}
CONTACT_RULES["custom.<key>"] = "a custom value must fit its field's type and choices (data, not schema)"
for _name in ("title", "city", "language", "source", "wechat_id", "company_name"):
    CONTACT_RULES[_name] = CONTACT_RULES["name"]
INTERACTION_RULES = {
    "kind": "interaction types are registered by apps (data, not schema); only some are logged by hand",
    "payload.text": "a note, call or meeting needs text",
    "payload.minutes": "minutes must be a whole number",
    "payload.amount": "an amount must be a number",
    "payload": "a payload has at most 50 keys",
    "occurred_at": "a time needs its time zone",
}
CUSTOM_FIELD_RULES = {
    "key": "a key is lower-case letters, digits and _, starting with a letter",
    "choices": "a choice field needs 1 to 100 non-empty choices",
    "label": "text is NFKC-normalised before its length is checked",
}
CAPTURE_BLANK = "names and titles are NFKC-normalised and may not be blank"
CAPTURE_FORM_RULES = {
    "fields": "a form needs an email or a phone field and every required custom field (data, not schema)",
    "fields.N.key": "a key names a contact field or one of the workspace's custom fields, once (data)",
    "fields.N.kind": "a field's kind follows from its key (text fields may be textareas)",
    "fields.N.label": "labels are checked after NFKC normalisation",
    "redirect_url": "a redirect needs a host that urllib parses (beyond the pattern)",
    "name": CAPTURE_BLANK,
    "tags": "tags are NFKC-normalised; blank ones are dropped",
}
CAPTURE_PAGE_RULES = {"image_url": CAPTURE_FORM_RULES["redirect_url"], "title": CAPTURE_BLANK}
SEMANTIC_RULES = {
    "POST /api/v1/forms": CAPTURE_FORM_RULES,
    "PATCH /api/v1/forms/{form_id}": CAPTURE_FORM_RULES,
    "POST /api/v1/landing-pages": CAPTURE_PAGE_RULES,
    "PATCH /api/v1/landing-pages/{page_id}": CAPTURE_PAGE_RULES,
    "POST /api/v1/contacts": CONTACT_RULES,
    "PATCH /api/v1/contacts/{contact_id}": CONTACT_RULES,
    "POST /api/v1/contacts/{contact_id}/merge": {"other_id": "a contact cannot be merged with itself"},
    "POST /api/v1/contacts/{contact_id}/interactions": INTERACTION_RULES,
    "GET /api/v1/contacts/{contact_id}/timeline": {"before": "a cursor must be one the API gave"},
    "POST /api/v1/custom-fields": CUSTOM_FIELD_RULES,
    "PATCH /api/v1/custom-fields/{field_id}": CUSTOM_FIELD_RULES,
    "POST /api/v1/contact-imports": {
        "mapping": "the mapping must be a JSON object of headers and field names"
    },
    "POST /api/v1/contact-imports/preview": {
        "mapping": "the mapping must be a JSON object of headers and field names"
    },
    "POST /api/v1/contact-tags": {"name": "a tag's name is NFKC-normalised and may not be blank"},
    "POST /api/v1/companies": {"name": "a company's name is NFKC-normalised and may not be blank"},
    "PATCH /api/v1/companies/{company_id}": {
        "name": "a company's name is NFKC-normalised and may not be blank"
    },
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
    "POST /api/v1/smtp-servers": SMTP_RULES,
    "PATCH /api/v1/smtp-servers/{server_id}": SMTP_RULES,
    "POST /api/v1/smtp-servers/{server_id}/test": {"email": EMAIL},
    "POST /api/v1/dkim-keys": {"domain": "a domain follows DNS label rules"},
    "POST /api/v1/bounce-mailboxes": MAILBOX_RULES,
    "PATCH /api/v1/bounce-mailboxes/{mailbox_id}": MAILBOX_RULES,
    "POST /api/v1/suppressions": {"email": EMAIL},
    "PATCH /api/v1/webhooks/{webhook_id}": {"url": SSRF},
}
FILTER = "a segment's filter tree names fields, operators and values per workspace (data, not schema)"
SEGMENT_RULES = {
    "filter": FILTER,
    "filter.<node>": FILTER,
    "name": "a segment's name may not be blank",
}
SEMANTIC_RULES.update(
    {
        "POST /api/v1/segments": SEGMENT_RULES,
        "PATCH /api/v1/segments/{segment_id}": SEGMENT_RULES,
        "POST /api/v1/segments/count": SEGMENT_RULES,
        "POST /api/v1/segments/{segment_id}/members": {
            "contact_ids": "members are contacts of the workspace, added to a static list (data, not schema)"
        },
    }
)
SCORING_RULES = {
    "interaction_kind": "an interaction rule names a registered timeline type (data, not schema)",
    "condition": "a field rule's condition is a segment filter tree (data, not schema)",
    "condition.<node>": "a field rule's condition is a segment filter tree (data, not schema)",
    "name": "a scoring rule's name may not be blank",
    "path": "a page-visits rule names a page path",
}
SEMANTIC_RULES.update(
    {
        "POST /api/v1/scoring-rules": SCORING_RULES,
        "PATCH /api/v1/scoring-rules/{rule_id}": SCORING_RULES,
        "PATCH /api/v1/scoring/settings": {
            "lead_at": "the lead threshold may not exceed the qualified one",
        },
    }
)
PEOPLE_TIME = (
    "people time is priced from hours above 0, an hourly rate and a role; other kinds need an amount"
)
COST_RULES = {name: PEOPLE_TIME for name in ("amount", "hours", "hourly_rate", "role")}
IMPORTED = "an imported cost changes only its promotion, channel and description"
COST_PATCH_RULES = {**COST_RULES, **{name: IMPORTED for name in ("kind", "spent_on", "currency")}}
OWN_CURRENCY = {
    "currency": "the workspace's own currency converts at 1 and takes no rate",
    "rate": "a currency rate is above 0",
}
PERIOD = {
    "start": "a period's first day may not follow its last",
    "end": "a period covers at most ten years",
}
SEQUENCE_RULES = {
    "trigger_value": "a form, tag or date trigger needs its value (the form id, tag or field)",
    "mailing_list_id": "a 'subscribed' sequence needs its list",
}
SEMANTIC_RULES.update(
    {
        "POST /api/v1/sequences": SEQUENCE_RULES,
        "PATCH /api/v1/sequences/{sequence_id}": SEQUENCE_RULES,
        "PUT /api/v1/sequences/{sequence_id}/steps": {
            "steps.N.config": "a step's config depends on its kind (docs/mailing.md, Drip sequences)"
        },
    }
)
SEMANTIC_RULES.update(
    {
        "POST /api/v1/costs": COST_RULES,
        "PATCH /api/v1/costs/{cost_id}": COST_PATCH_RULES,
        "POST /api/v1/currency-rates": OWN_CURRENCY,
        "PATCH /api/v1/currency-rates/{rate_id}": OWN_CURRENCY,
        "GET /api/v1/plans/{plan_id}/roi-evaluation": PERIOD,
        "GET /api/v1/plans/{plan_id}/roi-evaluation/export": PERIOD,
        "GET /api/v1/channel-performance": PERIOD,
        "GET /api/v1/channel-performance/export": PERIOD,
    }
)
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
        names = {re.sub(r"^custom\..+$", "custom.<key>", re.sub(r"\.\d+\.", ".N.", name)) for name in fields}
        names = {re.sub(r"^(filter|condition)\..+$", r"\1.<node>", name) for name in names}
        if fields and names <= set(allowed):
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
