"""ISO: no cross-workspace read or write through the API (shared/RELIABILITY.md).

Workspace A gets one record of every kind through its own API, with a canary in every text field.
Then every operation of the OpenAPI document is called as each role of workspace B: list routes must
not show the canary, A's ids (in paths, query strings and bodies) must answer exactly like ids that
do not exist (404 for a role allowed to act), and afterwards A's rows are unchanged and no row of
any workspace points into another. New routes are covered without editing this file.
"""

import pytest

from netmark.core.roles import Role
from netmark.tests.apiwalk import (
    UNKNOWN_ID,
    Operation,
    api_client,
    call,
    collection_of_param,
    non_null,
    operations,
    text_of,
)
from netmark.tests.seeding import CannotSeed, Seeder, ValueFactory, seed_everything
from netmark.tests.snapshots import cross_workspace_links, dump

pytestmark = pytest.mark.django_db

# Operations B must not call, with the reason (e.g. one that would end B's own session).
NOT_REPLAYED: dict[str, str] = {}


class ProbeIds:
    """Ids for a body: B's own records, except ``field``, which gets A's id (or one that exists nowhere)."""

    def __init__(self, own: Seeder, field: str | None = None, foreign: Seeder | None = None):
        self.own, self.field, self.foreign = own, field, foreign

    def id_for_field(self, name: str) -> int:
        if name != self.field:
            return self.own.id_for_field(name)
        return self.foreign.id_for_field(name) if self.foreign else UNKNOWN_ID


def owner_sees_own_records(team, seeder: Seeder) -> list[str]:
    """Guards against a vacuous pass: A's owner does see the canary and does reach A's ids."""
    client, problems = api_client(team, Role.OWNER), []
    for op in operations():
        if op.method != "GET":
            continue
        try:
            path = seeder.concrete(op.path)
        except CannotSeed as exc:
            problems.append(f"{op.label}: {exc}")
            continue
        response = call(client, "GET", path, query=seeder.factory.query(op))
        if response.status_code != 200:
            problems.append(f"{op.label} as A's owner answered {response.status_code}")
        elif op.path in seeder.records and "canary-a" not in text_of(response).lower():
            problems.append(f"{op.label} as A's owner does not show A's canary")
    return problems


def foreign_id_query(op: Operation, a: Seeder) -> dict:
    """Query parameters naming A's records (``?owner_id=<A's member>``)."""
    query = {}
    for param in op.query_params(required_only=False):
        if param["name"].endswith("_id"):
            query[param["name"]] = a.id_for_field(param["name"])
    return query


def unknown_path(op: Operation) -> str:
    path = op.path
    for param in op.path_params:
        schema = next(p["schema"] for p in op.parameters if p["name"] == param)
        value = UNKNOWN_ID if schema.get("type") == "integer" else "no-such-record"
        path = path.replace("{" + param + "}", str(value), 1)
    return path


def is_shared(op: Operation, a: Seeder, b: Seeder) -> bool:
    """A path whose every value B's own listing shows too (a catalogue shared by all workspaces)."""
    for param in op.path_params:
        collection = collection_of_param(op.path, param)
        if a.value_for_param(op.path, param) != b.value_for_param(op.path, param):
            return False
        if collection in a.creators:
            return False
    return True


class Replay:
    """Every operation as one member of B, with A's ids wherever an id goes, one place at a time."""

    def __init__(self, client, role: str, a: Seeder, b: Seeder):
        self.client, self.role, self.a, self.b = client, role, a, b
        self.factory = ValueFactory("b", b)
        self.problems: list[str] = []

    def run(self, op: Operation) -> None:
        if op.path_params and is_shared(op, self.a, self.b):
            self.read_without_canary(op, self.a.concrete(op.path))
        elif op.path_params:
            self.foreign_path(op)
        elif op.method == "GET":
            self.read_without_canary(op, op.path)
        else:
            self.foreign_body(op)

    def fail(self, op: Operation, message: str, response) -> None:
        got = f"{response.status_code} {response.content[:200]!r}"
        self.problems.append(f"{op.label} as B's {self.role}: {message} (got {got})")

    def check_common(self, op: Operation, response) -> None:
        if response.status_code >= 500:
            self.fail(op, "server error", response)
        if "canary-a" in text_of(response).lower():
            self.fail(op, "shows A's canary", response)

    def read_without_canary(self, op: Operation, path: str) -> None:
        query = self.b.factory.query(op)
        for extra in ({}, foreign_id_query(op, self.a)):
            self.check_common(op, call(self.client, "GET", path, query={**query, **extra}))

    def body(self, op: Operation, ids: ProbeIds, counter: int) -> dict | None:
        if not op.body_schema:
            return None
        self.factory.counter, self.factory.id_source = counter, ids
        return self.factory.body(op.body_schema)

    def foreign_path(self, op: Operation) -> None:
        """A's ids in the path (the body refers to B's own records)."""
        body = self.body(op, ProbeIds(self.b), self.factory.counter)
        query = self.b.factory.query(op)
        self.compare(op, (self.a.concrete(op.path), body), (unknown_path(op), body), query)

    def foreign_body(self, op: Operation) -> None:
        """A's id in one body field at a time; a body without ids just acts on B's own workspace."""
        start = self.factory.counter
        plain = self.body(op, ProbeIds(self.b), start)
        probed = [name for name in id_fields(op) if self.body(op, ProbeIds(self.b, name), start) != plain]
        if not probed:
            self.check_common(op, call(self.client, op.method, op.path, plain))
        for name in probed:
            foreign = self.body(op, ProbeIds(self.b, name, self.a), start)
            unknown = self.body(op, ProbeIds(self.b, name), start)
            self.compare(op, (op.path, foreign), (op.path, unknown), {})

    def compare(self, op: Operation, foreign: tuple, unknown: tuple, query: dict) -> None:
        """A's ids must answer exactly like unknown ids: 404 (422 naming the field), 403 for a role
        that may not act at all."""
        probed = {key for key in foreign[1] or {} if foreign[1][key] != unknown[1][key]}
        for _attempt in range(6):
            response = call(self.client, op.method, foreign[0], foreign[1], query)
            control = call(self.client, op.method, unknown[0], unknown[1], query)
            fields = {key.split(".")[0] for key in error_fields(response)} - probed
            if not fields or not fields <= set(foreign[1] or {}):
                break
            # The body was refused before any id was looked at: drop what it names and retry.
            foreign = (foreign[0], without(foreign[1], fields, op))
            unknown = (unknown[0], without(unknown[1], fields, op))
        self.check_common(op, response)
        allowed = {404, 422} if probed else {404}
        allowed |= set() if self.role == Role.OWNER else {403}
        if response.status_code not in allowed:
            self.fail(op, f"A's ids must answer {sorted(allowed)}", response)
        if (response.status_code, response.content) != (control.status_code, control.content):
            self.fail(op, f"A's ids answer unlike unknown ids ({control.status_code})", response)


def id_fields(op: Operation) -> list[str]:
    """Names of the id fields anywhere in the request body (``channel_account_id`` in ``channels[]``)."""
    found: list[str] = []

    def walk(schema: dict) -> None:
        schema = non_null(schema)
        for name, prop in schema.get("properties", {}).items():
            if name.endswith(("_id", "_ids")) and name not in found:
                found.append(name.removesuffix("s") if name.endswith("_ids") else name)
            walk(prop)
        if schema.get("type") == "array":
            walk(schema.get("items", {}))

    walk(op.body_schema or {})
    return found


def error_fields(response) -> dict:
    if response.status_code != 422:
        return {}
    return response.json().get("fields", {})


def without(body: dict, fields: set, op: Operation) -> dict:
    required = set(op.body_schema.get("required", ()))
    return {key: value for key, value in body.items() if key not in fields or key in required}


@pytest.mark.parametrize("role", Role.values)
def test_workspace_b_cannot_read_or_change_workspace_a_through_any_api_route(team_a, team_b, role, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000  # the walk sends more than a client would in a minute
    a, problems = seed_everything(team_a, "a")
    b, problems_b = seed_everything(team_b, "b")
    problems += problems_b + owner_sees_own_records(team_a, a)
    a.frozen = True
    before = dump(team_a.workspace)
    replay, visited = Replay(api_client(team_b, role), role, a, b), set()
    ordered = sorted(operations(), key=lambda op: (op.method == "DELETE", op.method != "GET"))
    for op in ordered:
        if op.label in NOT_REPLAYED:
            continue
        try:
            replay.run(op)
            visited.add(op.label)
        except CannotSeed as exc:
            problems.append(f"{op.label}: {exc}")
    problems += replay.problems
    assert problems == [], "\n".join(problems)
    assert {op.label for op in operations()} - visited - set(NOT_REPLAYED) == set()
    assert dump(team_a.workspace) == before
    assert cross_workspace_links() == []
