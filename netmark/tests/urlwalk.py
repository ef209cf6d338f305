"""Walk the URL configuration: every route with its parameters, filled with a team's records.

A parameter ``<int:product_id>`` (or ``<int:pk>`` after ``products/``) takes the id of the team's
record of that kind: the one the API seeder made for the collection of the same name, else the
team's first row of the model of that name. Other parameters come from ``VALUES``.
"""

import re
from dataclasses import dataclass

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from netmark.core.models import WorkspaceOwned
from netmark.core.scoping import scoped
from netmark.tests.apiwalk import UNKNOWN_ID, singular
from netmark.tests.seeding import Seeder

PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _outbox_key(team) -> str:
    from netmark.web import outbox

    found = outbox.messages(team.workspace.slug)
    return found[0].key if found else ""


# Parameters that are not record ids: how to fill them for a team.
VALUES = {
    "slug": lambda team: team.workspace.slug,
    "year": lambda team: "2026",
    "month": lambda team: "3",
    "week": lambda team: "10",
    "key": _outbox_key,
    "table": lambda team: "path",  # an analytics dashboard table (its CSV export)
}


# Arbitrary well-formed values per converter, for checks that need any matching URL.
SAMPLES = {
    "int": "1",
    "slug": "ws-a",
    "str": "x",
    "path": "x",
    "uuid": "3f6c3f9e-5a1b-4c3d-9e2f-1a2b3c4d5e6f",
}


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None
    callback: object

    @property
    def params(self) -> list[tuple[str, str]]:
        return [(m["name"], m["converter"] or "str") for m in PARAMETER.finditer(self.route)]

    @property
    def id_params(self) -> list[str]:
        return [name for name, converter in self.params if converter == "int" and name not in VALUES]

    def fill(self, values: dict[str, object]) -> str:
        return "/" + PARAMETER.sub(lambda m: str(values[m["name"]]), self.route)

    def sample(self) -> str:
        """Any URL this route matches."""
        return self.fill({name: SAMPLES.get(converter, "x") for name, converter in self.params})


def routes() -> list[Route]:
    found = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found.append(Route(prefix + str(pattern.pattern), pattern.name, pattern.callback))

    walk(get_resolver().url_patterns, "")
    return found


def record_kind(route: str, name: str) -> str:
    """``products/<int:pk>/edit/`` -> ``product``; ``members/<int:member_id>/`` -> ``member``."""
    if name not in ("pk", "id"):
        return name.removesuffix("_id")
    before = route[: route.index(f":{name}>")].rstrip("/").rsplit("<", 1)[0].rstrip("/")
    return singular(before.rsplit("/", 1)[-1])


class Unfillable(Exception):
    """A route parameter the walker cannot fill; the message says what to teach it."""


def values_for(route: Route, team, seeder: Seeder, *, unknown_ids: bool = False) -> dict:
    values = {}
    for name, converter in route.params:
        if name in VALUES:
            values[name] = VALUES[name](team)
        elif converter == "int" and unknown_ids:
            values[name] = UNKNOWN_ID
        elif converter == "int":
            values[name] = record_id(record_kind(route.route, name), team, seeder)
        else:
            raise Unfillable(f"{route.route}: no value for <{converter}:{name}> (add it to urlwalk.VALUES)")
        if values[name] in ("", None):
            raise Unfillable(f"{route.route}: team {team.label} has nothing for <{name}>")
    return values


def record_id(kind: str, team, seeder: Seeder) -> int:
    for collection, record in seeder.records.items():
        if singular(collection.rsplit("/", 1)[-1]) == kind and "id" in record:
            return record["id"]
    for model in apps.get_models():
        if issubclass(model, WorkspaceOwned) and model._meta.model_name == kind.replace("_", ""):
            row = scoped(model, team.workspace).order_by("pk").first()
            if row is not None:
                return row.pk
    raise Unfillable(f"team {team.label} has no {kind} record to put in a URL")
