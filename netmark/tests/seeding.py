"""Request bodies built from the API's schemas, with a canary in every text field, and a seeder that
creates records through the API itself.

Ids are found by structure: in ``/plans/{plan_id}/channels/{channel_id}`` the ``plan_id`` is a record
created by ``POST /plans`` and ``channel_id`` one created by ``POST /plans/{plan_id}/channels`` (or, for
a collection without a create route, the first item its list route answers). A body field
``audience_id`` names the collection whose last segment is ``audiences``; ``ALIASES`` covers the rest.
"""

import functools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from netmark.tests.apiwalk import (
    PARAM,
    Operation,
    api_client,
    call,
    collection_of_param,
    non_null,
    operations,
    singular,
)

# Body fields whose name does not say which collection their id comes from.
ALIASES = {
    "owner_id": "/api/v1/members",
    "member_id": "/api/v1/members",
    "channel_account_id": "/api/v1/channels",
    "source_plan_id": "/api/v1/plans",
}


def _catalogue(path: str, key: str):
    return lambda factory: factory.seeder.lookup(path, key)


# Text fields that must hold a particular kind of value (the canary goes everywhere else).
HINTS = {
    "email": lambda factory: f"canary-{factory.label}-{factory.next()}@example.com",
    "role": lambda factory: "viewer",
    "time_zone": lambda factory: "Asia/Shanghai",
    "channel_type": _catalogue("/api/v1/channel-types", "code"),
    "kpi": _catalogue("/api/v1/kpis", "name"),
    "events": lambda factory: [],  # webhook subscriptions: every event
    "domain": lambda factory: f"site-{factory.label}-{factory.next()}.example.com",
    "timezone": lambda factory: "Asia/Shanghai",
    "dimension": lambda factory: "path",
    "ts": lambda factory: datetime.now(UTC).isoformat(),  # conversions reach at most a week back
    "goal": lambda factory: ["event:Signup"],
    # Audiences spend time somewhere and channels get hours, so the channel planner has a choice.
    "channel_presence": lambda factory: {"wechat_official": 80, "zhihu": 50, "email": 30},
    "monthly_hours": lambda factory: "40",
    "step": lambda factory: ["page:/", "event:Signup"],
    "recipients": lambda factory: [HINTS["email"](factory)],  # reports: a list of addresses
    "sections": lambda factory: ["plans", "lessons"],  # reports: registered section keys
    # CSV uploads: a header the links import accepts and no rows (an import of nothing succeeds).
    # Aggregated attribution paths (compared, not stored).
    "paths": lambda factory: SimpleUploadedFile(
        "paths.csv", b"path,conversions\r\nC1 > C2,1\r\n", "text/csv"
    ),
    "file": lambda factory: SimpleUploadedFile("upload.csv", b"plan,channel,destination\r\n", "text/csv"),
    # contact merges: another contact of the same team (a contact cannot merge with itself)
    "other_id": lambda factory: factory.seeder.create(factory.seeder.creators["/api/v1/contacts"])["id"],
    # Cost imports: the template's header and no rows, named with the canary; kept as a preview.
    "report": lambda factory: SimpleUploadedFile(
        f"{factory.canary}.csv", b"date,account,campaign,ad_group,cost,currency\r\n", "text/csv"
    ),
    "dry_run": lambda factory: True,
    # Scoring rules: an interaction rule needs a registered timeline type.
    "interaction_kind": lambda factory: "form_submission",
    # Segments: a filter tree whose one condition carries the canary (stored, and shown back).
    "filter": lambda factory: {
        "op": "and",
        "rules": [{"field": "name", "op": "contains", "value": factory.canary}],
    },
}
# Collections filled by events rather than a create route: the create route that causes one.
TRIGGERS = {
    "deliveries": "/api/v1/plans",  # a webhook delivery follows plan.created
    "evaluations": "/api/v1/plans/{plan_id}/evaluations",  # made for a plan's ended occurrences
}
FORMATS = {
    "date": "2026-03-02",
    "date-time": "2026-03-02T09:30:00+08:00",
    "time": "09:30:00",
    "uuid": "3f6c3f9e-5a1b-4c3d-9e2f-1a2b3c4d5e6f",
}
OMIT = object()


class CannotSeed(Exception):
    """The walker could not build what an operation needs; the message says what to teach it."""


@dataclass
class ValueFactory:
    """Builds values from JSON schemas: text gets the canary, ids come from the seeder."""

    label: str
    seeder: "Seeder"
    counter: int = 0
    id_source: "Seeder | None" = None  # whose ids go into *_id fields (another team's for replays)

    @property
    def canary(self) -> str:
        return f"CANARY-{self.label}-🍵-金丝猴"

    def next(self) -> int:
        self.counter += 1
        return self.counter

    def text(self, schema: dict) -> str:
        value = f"{self.canary} {self.next()}"
        value = value[: schema.get("maxLength", len(value))]
        return value + "x" * max(0, schema.get("minLength", 0) - len(value))

    def body(self, schema: dict) -> dict:
        return self.object(schema)

    def query(self, op: Operation) -> dict:
        """Values for the operation's required query parameters."""
        return {
            p["name"]: self.value(p["name"], p["schema"], required=True)
            for p in op.query_params(required_only=True)
        }

    def object(self, schema: dict) -> dict:
        required = set(schema.get("required", ()))
        result = {}
        for name, prop in schema.get("properties", {}).items():
            try:
                value = self.value(name, prop, required=name in required)
            except CannotSeed:
                if name in required:
                    raise
                value = OMIT
            if value is not OMIT:
                result[name] = value
        return result

    def value(self, name: str, schema: dict, *, required: bool):
        schema = non_null(schema)
        if name in HINTS and "properties" not in schema:  # a hint is for a value, not a whole object
            return HINTS[name](self)
        if name.endswith("_id") and schema.get("type") == "integer":
            return self.reference(name, required=required)
        if name.endswith("_ids") and schema.get("type") == "array":
            single = self.reference(name[:-1], required=required)
            return OMIT if single is OMIT else [single]
        return self.plain(name, schema)

    def reference(self, name: str, *, required: bool):
        source = self.id_source or self.seeder
        try:
            return source.id_for_field(name)
        except CannotSeed:
            if required:
                raise
            return OMIT

    def plain(self, name: str, schema: dict):
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type")
        if kind == "string":
            return self.string(name, schema)
        if kind in ("integer", "number"):
            return schema["default"] if "default" in schema else number(schema, kind)
        if kind == "boolean":
            return schema.get("default", True)
        if kind == "array":
            return self.array(name, schema)
        if kind == "object" or "properties" in schema:
            return self.object(schema) if "properties" in schema else schema.get("default", {})
        return schema.get("default", OMIT)

    def string(self, name: str, schema: dict):
        if schema.get("format") in FORMATS:
            return FORMATS[schema["format"]]
        if schema.get("format") in ("uri", "url") or name == "url" or name.endswith("_url"):
            return f"https://example.com/canary-{self.label}/{self.next()}"
        if "pattern" in schema:
            text = self.text(schema)  # a JSON Schema pattern searches; a pattern like \S admits the canary
            if re.search(schema["pattern"], text):
                return text
            return schema["default"] if "default" in schema else pattern_example(schema["pattern"])
        if schema.get("format") == "binary":
            return OMIT
        return self.text(schema)

    def array(self, name: str, schema: dict):
        items = non_null(schema.get("items", {}))
        count = max(1, schema.get("minItems", 0))
        values = [self.value(singular(name), items, required=True) for _ in range(count)]
        return OMIT if any(v is OMIT for v in values) else values


def number(schema: dict, kind: str):
    value = 1
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    if low is not None and value <= low:
        value = low + (1 if "exclusiveMinimum" in schema else 0)
    if high is not None and value >= high:
        value = high - (1 if "exclusiveMaximum" in schema else 0)
    return int(value) if kind == "integer" else value


@functools.cache
def pattern_example(pattern: str) -> str:
    """The simplest string matching ``pattern`` (the first alternative of ``^(a|b)$``, else hypothesis)."""
    simple = re.fullmatch(r"\^\(([\w\-.]+)(?:\|[\w\-.|]+)?\)\$", pattern)
    if simple:
        return simple.group(1)
    from hypothesis import find, settings, strategies

    matching = strategies.from_regex(pattern, fullmatch=True)
    return find(matching, lambda value: True, settings=settings(database=None))


@dataclass
class Seeder:
    """Creates one record per collection through the API, dependencies first (one team's view)."""

    client: Client
    label: str
    records: dict[str, dict] = field(default_factory=dict)
    frozen: bool = False  # once frozen, nothing more is created (the record dump stays valid)
    _creating: set = field(default_factory=set)

    def __post_init__(self):
        self.factory = ValueFactory(self.label, self)
        self.creators = {op.path: op for op in operations() if op.creates}
        self.lists = {op.path: op for op in operations() if op.method == "GET" and not op.path.endswith("}")}

    def id_for_field(self, name: str) -> int:
        return self.record(self.collection_for_field(name))["id"]

    def collection_for_field(self, name: str) -> str:
        if name in ALIASES:
            return ALIASES[name]
        stem = name.removesuffix("_id")
        matches = sorted(
            (path.count("{"), path)
            for path in {*self.creators, *self.lists}
            if singular(path.rsplit("/", 1)[-1]) == stem
        )
        if not matches:
            raise CannotSeed(f"no collection for the field {name!r}: add it to ALIASES in apiwalk.py")
        return matches[0][1]

    def record(self, collection: str) -> dict:
        """A record of ``collection`` (a path pattern), created on first use."""
        if collection not in self.records:
            if self.frozen:
                raise CannotSeed(f"team {self.label} has no record of {collection}")
            if collection in self.creators:
                self.records[collection] = self.create(self.creators[collection])
            else:
                self.records[collection] = self.first_listed(collection)
        return self.records[collection]

    def value_for_param(self, path: str, param: str):
        record = self.record(collection_of_param(path, param))
        # {code} -> the record's code; {delivery_id} -> its id (its own "delivery_id" is a string).
        own = param in record and (not param.endswith("_id") or isinstance(record[param], int))
        key = param if own else "id"
        if key not in record:
            raise CannotSeed(f"records of {collection_of_param(path, param)} carry no {param!r} or 'id'")
        return record[key]

    def concrete(self, path: str, **given) -> str:
        """``path`` with its parameters filled by this team's records (or by ``given`` values)."""
        filled = path
        for param in PARAM.findall(path):
            value = given[param] if param in given else self.value_for_param(path, param)
            filled = filled.replace("{" + param + "}", str(value), 1)
        return filled

    def lookup(self, collection: str, key: str):
        return self.first_listed(collection)[key]

    def first_listed(self, collection: str) -> dict:
        if collection not in self.lists:
            collection = self.nested_list(collection)
        items = self.listed(collection)
        trigger = TRIGGERS.get(collection.rsplit("/", 1)[-1])
        if not items and trigger in self.creators:
            self.create(self.creators[trigger])
            items = self.listed(collection)
        if not items:
            raise CannotSeed(f"GET {collection} listed nothing to use (teach seeding.TRIGGERS)")
        return items[0]

    def listed(self, collection: str) -> list:
        response = self.client.get(self.concrete(collection))
        items = response.json() if response.status_code == 200 else []
        return items.get("items", []) if isinstance(items, dict) else items

    def nested_list(self, collection: str) -> str:
        """``/webhooks/deliveries`` (no list route of its own) -> ``/webhooks/{webhook_id}/deliveries``."""
        last = collection.rsplit("/", 1)[-1]
        for path in sorted(self.lists):
            if path.rsplit("/", 1)[-1] == last and path.startswith(collection.rsplit("/", 1)[0]):
                return path
        raise CannotSeed(f"{collection} has neither a create nor a list route")

    def create(self, op: Operation) -> dict:
        if op.path in self._creating:
            raise CannotSeed(f"{op.label} depends on itself through its id fields")
        self._creating.add(op.path)
        try:
            path = self.concrete(op.path)
            body = self.factory.body(op.body_schema) if op.body_schema else None
            response = self.post_repairing(op, path, body)
        finally:
            self._creating.discard(op.path)
        return response.json()

    def post_repairing(self, op: Operation, path: str, body):
        response = self.send_repairing(op, path, body)
        if response.status_code != 201:
            raise CannotSeed(f"{op.label} answered {response.status_code}: {response.content[:400]!r}")
        return response

    def send_repairing(self, op: Operation, path: str, body, *, client: Client | None = None, query=None):
        """Sends ``body``; on 422 drops (or replaces) the fields the error names and retries; on 409
        retries with fresh text. The last response is returned."""
        required = set((op.body_schema or {}).get("required", ()))
        for _attempt in range(6):
            response = call(client or self.client, op.method, path, body, query)
            if response.status_code == 409 and op.body_schema:
                body = self.factory.body(op.body_schema)
                continue
            if response.status_code != 422 or not isinstance(body, dict):
                break
            body = self.repaired(op, body, response.json().get("fields", {}), required)
            if body is None:
                break
        return response

    def repaired(self, op: Operation, body: dict, fields: dict, required: set) -> dict | None:
        names = {key.split(".")[0] for key in fields}
        if not names or not names <= set(body):
            return None
        body = dict(body)
        for name in names:
            if name not in required:
                del body[name]
                continue
            schema = non_null(op.body_schema["properties"][name])
            alternative = (schema.get("examples") or [schema.get("default", OMIT)])[0]
            if alternative is OMIT or alternative == body[name]:
                return None
            body[name] = alternative
        return body


def seed_everything(team, label: str) -> tuple[Seeder, list[str]]:
    """One record of every kind a create route makes, through the team owner's API."""
    seeder = Seeder(api_client(team, "owner"), label)
    problems = []
    creates_first = sorted(operations(), key=lambda op: not op.creates)
    for op in creates_first:
        try:
            if op.creates:
                seeder.record(op.path)
            seeder.concrete(op.path)  # records behind every path parameter, e.g. a webhook delivery
        except CannotSeed as exc:
            problems.append(f"seeding for {op.label}: {exc}")
    return seeder, problems
