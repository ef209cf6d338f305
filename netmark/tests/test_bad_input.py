"""Bad input on every API operation: malformed JSON answers 400, wrong types 422, unknown ids 404,
out-of-range numbers never crash, bodies over ``API_MAX_BODY_BYTES`` 413; always the one error body
``{"code", "message", "fields"}``, never a 5xx, never a stack trace."""

import pytest

from netmark.core.roles import Role
from netmark.tests.apiwalk import UNKNOWN_ID, api_client, call, non_null, operations
from netmark.tests.seeding import Seeder

pytestmark = pytest.mark.django_db

ALL = operations()
WITH_BODY = [op for op in ALL if op.body_type == "application/json"]
WITH_IDS = [op for op in ALL if any(param.endswith("_id") for param in op.path_params)]
HUGE = 10**30
WRONG_TYPE = {
    "string": 12345,
    "integer": "many",
    "number": "lots",
    "boolean": "maybe",
    "array": "x",
    "object": 7,
}


def label(op) -> str:
    return op.label


def assert_error_body(response, status: int) -> None:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert isinstance(body["message"], str) and body["message"]
    assert_no_stack_trace(response)


def assert_no_stack_trace(response) -> None:
    text = response.content.decode("utf-8", "replace")
    assert "Traceback" not in text and 'File "/' not in text


@pytest.fixture
def owner(team_a):
    client = api_client(team_a, Role.OWNER)
    return client, Seeder(client, "a")


@pytest.mark.parametrize("op", WITH_BODY, ids=label)
def test_malformed_json_answers_400(owner, op):
    client, seeder = owner
    path = seeder.concrete(op.path)
    response = client.generic(op.method, path, '{"name": "红茶', content_type="application/json")
    assert_error_body(response, 400)


@pytest.mark.parametrize("op", WITH_BODY, ids=label)
def test_wrong_types_answer_422_naming_the_fields(owner, op):
    client, seeder = owner
    properties = op.body_schema.get("properties", {})
    wrong = {name: WRONG_TYPE[non_null(schema).get("type", "object")] for name, schema in properties.items()}
    response = call(client, op.method, seeder.concrete(op.path), wrong)
    assert_error_body(response, 422)
    assert set(response.json()["fields"]) & set(properties)


@pytest.mark.parametrize("op", WITH_BODY, ids=label)
def test_a_body_that_is_not_an_object_answers_422(owner, op):
    client, seeder = owner
    response = call(client, op.method, seeder.concrete(op.path), ["红茶"])
    assert_error_body(response, 422)


@pytest.mark.parametrize("op", WITH_IDS, ids=label)
def test_unknown_ids_answer_404(owner, op):
    client, seeder = owner
    path = seeder.concrete(op.path, **{op.path_params[-1]: UNKNOWN_ID})
    body = seeder.factory.body(op.body_schema) if op.body_schema else None
    assert_error_body(call(client, op.method, path, body), 404)


@pytest.mark.parametrize("op", WITH_IDS, ids=label)
@pytest.mark.parametrize("number", [HUGE, -HUGE, 0])
def test_out_of_range_ids_in_the_path_answer_404_or_422(owner, op, number):
    client, seeder = owner
    path = seeder.concrete(op.path, **{param: number for param in op.path_params})
    body = seeder.factory.body(op.body_schema) if op.body_schema else None
    response = call(client, op.method, path, body)
    assert response.status_code in (404, 422), response.content[:300]
    assert_error_body(response, response.status_code)


QUERY_CASES = [
    (op, param["name"])
    for op in ALL
    for param in op.query_params(required_only=False)
    if non_null(param["schema"]).get("type") == "integer"
]


@pytest.mark.parametrize(("op", "name"), QUERY_CASES, ids=[f"{op.label}?{name}" for op, name in QUERY_CASES])
@pytest.mark.parametrize("number", [HUGE, -HUGE])
def test_out_of_range_numbers_in_the_query_answer_422_or_200(owner, op, name, number):
    client, seeder = owner
    query = seeder.factory.query(op)
    response = call(client, op.method, seeder.concrete(op.path), query={**query, name: number})
    assert response.status_code in (200, 422), response.content[:300]
    assert_no_stack_trace(response)


@pytest.mark.parametrize("op", WITH_BODY, ids=label)
def test_a_body_over_the_limit_answers_413(owner, op, settings):
    client, seeder = owner
    settings.API_MAX_BODY_BYTES = 2_000
    body = {name: "红" * 1_000 for name in op.body_schema.get("properties", {})} or {"padding": "红" * 1_000}
    assert_error_body(call(client, op.method, seeder.concrete(op.path), body), 413)


def test_the_default_limit_refuses_a_body_of_one_mebibyte_and_one_byte(team_a, settings):
    client = api_client(team_a, Role.OWNER)
    body = '{"name": "' + "x" * (settings.API_MAX_BODY_BYTES - 11) + '"}'
    assert len(body) == settings.API_MAX_BODY_BYTES + 1
    response = client.post("/api/v1/products", body, content_type="application/json")
    assert_error_body(response, 413)
    assert response.json()["code"] == "too_large"
