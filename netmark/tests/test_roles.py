"""ROLE: the role table holds for every API operation (ARCHITECTURE.md, "Roles").

One declarative table says who may do what: a rule per tag (reads, writes, deletes) and exceptions
per operation. Every operation of the OpenAPI document times every role is one test: a role the rule
allows gets 2xx, any other role 403 with nothing changed. An operation the table cannot classify
fails until it is added. The table restates the architecture on purpose instead of importing
``netmark.core.roles``, so the code is checked against the specification.
"""

import pytest

from netmark.core.roles import Role
from netmark.tests.apiwalk import api_client, operations
from netmark.tests.seeding import Seeder
from netmark.tests.snapshots import dump

pytestmark = pytest.mark.django_db

OWNER, PLANNER, IMPLEMENTER, VIEWER = Role.OWNER, Role.PLANNER, Role.IMPLEMENTER, Role.VIEWER

# Who holds each right (ARCHITECTURE.md, "Roles").
WHO = {
    "anyone": {OWNER, PLANNER, IMPLEMENTER, VIEWER},
    "self": {OWNER, PLANNER, IMPLEMENTER, VIEWER},  # on the member's own records (me, own tokens)
    "administer": {OWNER},  # members, tokens of others, workspace settings, SMTP and integrations
    "plan": {OWNER, PLANNER},  # positioning, channels, plans, channel planner
    "execute": {OWNER, PLANNER, IMPLEMENTER},  # links, QR, sites, emails, posts, forms, contacts
    "evaluate": {OWNER, PLANNER},  # implementers: own plans only (the cells use another member's plan)
    "erase": {OWNER},  # delete or erase data, export a whole workspace
}

# Per tag: the rule for reads (GET), writes (POST, PUT, PATCH) and deletes.
TAGS = {
    "positioning": ("anyone", "plan", "erase"),
    "planning": ("anyone", "plan", "erase"),
    "webhooks": ("administer", "administer", "administer"),
    "analytics": ("anyone", "execute", "erase"),
    "links": ("anyone", "execute", "erase"),
    "contacts": ("anyone", "execute", "erase"),
    "capture": ("anyone", "execute", "erase"),  # forms and landing pages are execution
    "roi": ("anyone", "execute", "erase"),  # costs and their imports are execution
    "attribution": ("anyone", "anyone", "anyone"),  # reads; an uploaded file is compared, not stored
    "mailing": ("anyone", "execute", "execute"),  # suppressions: execution roles; viewers read
    "mailing-settings": ("administer", "administer", "administer"),  # SMTP servers, DKIM keys
    "reports": ("anyone", "evaluate", "erase"),
}

# Operations whose rule differs from their tag's, or whose tag has no rule.
OPERATIONS = {
    "GET /api/v1/me": "self",
    "GET /api/v1/me/workspaces": "self",
    "GET /api/v1/members": "anyone",
    "POST /api/v1/members": "administer",
    "PATCH /api/v1/members/{member_id}": "administer",
    "DELETE /api/v1/members/{member_id}": "administer",
    "GET /api/v1/tokens": "self",
    "POST /api/v1/tokens": "self",
    "DELETE /api/v1/tokens/{token_id}": "self",
    "GET /api/v1/audit": "administer",
    "PUT /api/v1/plans/{plan_id}/lessons": "evaluate",
    "POST /api/v1/calendar/feed/reset": "administer",
    "PATCH /api/v1/link-conventions": "plan",
    "GET /api/v1/contacts/export": "execute",  # personal data in bulk
    "GET /api/v1/contacts/{contact_id}/export": "erase",  # an access request
    "POST /api/v1/segments/count": "anyone",  # a read: counting a filter changes nothing
    "GET /api/v1/segments/{segment_id}/export": "execute",  # personal data in bulk
    "GET /api/v1/forms/{form_id}/submissions/export": "execute",  # personal data in bulk
    "POST /api/v1/currency-rates": "plan",
    "PATCH /api/v1/currency-rates/{rate_id}": "plan",
    "POST /api/v1/plans/{plan_id}/evaluations": "evaluate",
    "PATCH /api/v1/evaluations/{evaluation_id}": "evaluate",
    "DELETE /api/v1/mailing-lists/{list_id}": "erase",  # removes every subscription of the list
    "DELETE /api/v1/sequences/{sequence_id}": "erase",  # removes every enrollment of the sequence
}


def rule_for(op) -> str | None:
    if op.label in OPERATIONS:
        return OPERATIONS[op.label]
    for tag in op.tags:
        if tag in TAGS:
            reads, writes, deletes = TAGS[tag]
            return {"GET": reads, "DELETE": deletes}.get(op.method, writes)
    return None


ALL = operations()
CELLS = [(op, role) for op in ALL for role in Role.values]


def test_every_operation_is_in_the_role_table():
    unclassified = [op.label for op in ALL if rule_for(op) is None]
    assert unclassified == [], "add these to TAGS or OPERATIONS in test_roles.py"


@pytest.mark.parametrize(("op", "role"), CELLS, ids=[f"{role}-{op.label}" for op, role in CELLS])
def test_role_table_cell(team_a, op, role):
    rule = rule_for(op)
    if rule is None:
        pytest.fail(f"{op.label} is not in the role table")
    actor = api_client(team_a, role)
    # Records reached through the path are the actor's own for "self" rules, else the owner's.
    seeder = Seeder(actor if rule == "self" else api_client(team_a, OWNER), "a")
    path = seeder.concrete(op.path)
    body = seeder.factory.body(op.body_schema) if op.body_schema else None
    skip = ("core.AuditEntry", "core.ApiToken")  # refusals may be logged; tokens record their use
    before = dump(team_a.workspace, skip=skip)
    query = seeder.factory.query(op)
    response = seeder.send_repairing(op, path, body, client=actor, query=query)
    if role in WHO[rule]:
        assert 200 <= response.status_code < 300, response.content[:500]
    else:
        assert (response.status_code, response.json()["code"]) == (403, "forbidden")
        assert dump(team_a.workspace, skip=skip) == before


def test_implementer_records_lessons_on_a_plan_they_own(team_a):
    """The one "own plans" cell of the table: implementers evaluate the plans they own."""
    implementer = team_a.member(IMPLEMENTER)
    seeder = Seeder(api_client(team_a, OWNER), "a")
    plan = seeder.create(next(op for op in ALL if op.label == "POST /api/v1/plans"))
    owner_patch = api_client(team_a, OWNER).patch(
        f"/api/v1/plans/{plan['id']}", {"owner_id": implementer.pk}, content_type="application/json"
    )
    response = api_client(team_a, IMPLEMENTER).put(
        f"/api/v1/plans/{plan['id']}/lessons",
        {"lessons_learned": "早鸟价有效"},
        content_type="application/json",
    )
    assert (owner_patch.status_code, response.status_code) == (200, 200)
    assert response.json()["lessons_learned"] == "早鸟价有效"
