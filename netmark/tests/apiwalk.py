"""Walk the API from its OpenAPI document: every operation, its parameters and request schema."""

import contextlib
import functools
import json
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.test import Client

API_PREFIX = "/api/v1"
PARAM = re.compile(r"\{([^}]+)\}")
UNKNOWN_ID = 2_000_000_000


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    tags: tuple[str, ...]
    parameters: tuple[dict, ...]
    body_schema: dict | None
    body_type: str | None
    statuses: frozenset[int]

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def path_params(self) -> list[str]:
        return PARAM.findall(self.path)

    @property
    def creates(self) -> bool:
        """A POST answering 201 on a collection (a path that also lists, or has members)."""
        if self.method != "POST" or 201 not in self.statuses:
            return False
        routes = {(op.method, op.path) for op in operations()}
        return ("GET", self.path) in routes or any(path.startswith(self.path + "/{") for _m, path in routes)

    def query_params(self, *, required_only: bool) -> list[dict]:
        return [p for p in self.parameters if p["in"] == "query" and (p.get("required") or not required_only)]


@functools.cache
def openapi() -> dict:
    from netmark.api import api

    return api.get_openapi_schema()


def resolve(schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = openapi()["components"]["schemas"][name]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return resolve({**schema["allOf"][0], **{k: v for k, v in schema.items() if k != "allOf"}})
    return schema


def operations() -> list[Operation]:
    found = []
    for path, item in openapi()["paths"].items():
        for method, spec in item.items():
            content = spec.get("requestBody", {}).get("content", {})
            body_type = next(iter(content), None)
            found.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    operation_id=spec["operationId"],
                    tags=tuple(spec.get("tags", ())),
                    parameters=tuple(spec.get("parameters", ())),
                    body_schema=resolve(content[body_type]["schema"]) if body_type else None,
                    body_type=body_type,
                    statuses=frozenset(int(code) for code in spec["responses"]),
                )
            )
    return found


def singular(segment: str) -> str:
    word = segment.replace("-", "_")
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def collection_of_param(path: str, param: str) -> str:
    """``/api/v1/plans/{plan_id}/status`` and ``plan_id`` -> ``/api/v1/plans``."""
    return path[: path.index("/{" + param + "}")]


def non_null(schema: dict) -> dict:
    schema = resolve(schema)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            branches = [resolve(s) for s in schema[key] if resolve(s).get("type") != "null"]
            merged = {k: v for k, v in schema.items() if k != key}
            return {**branches[0], **merged} if branches else merged
    return schema


def text_of(response) -> str:
    """The response body as text, with JSON's \\u escapes decoded, for canary searches."""
    text = response.content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json") and response.content:
        with contextlib.suppress(ValueError):
            text += json.dumps(response.json(), ensure_ascii=False)
    return text


def api_client(team, role: str) -> Client:
    """The member's API client; a server error comes back as a 500 response to report, not raised."""
    return Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {team.token(role)}")


def call(client: Client, method: str, path: str, body=None, query: dict | None = None):
    if method == "GET":
        return client.get(path, query or {})
    if query:
        path = f"{path}?{urlencode(query)}"
    if isinstance(body, dict) and any(hasattr(value, "read") for value in body.values()):
        return client.post(path, body)  # an upload: multipart/form-data
    if body is None:
        return client.generic(method, path)
    return client.generic(method, path, json.dumps(body), content_type="application/json")
