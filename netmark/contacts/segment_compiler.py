"""Compiles a validated filter tree (``segment_filters.clean_filter``) into ONE Django ``Q`` over
``Contact``: the only place segment semantics become SQL (docs/contacts.md, "Segments").

Every condition compiles to an expression that is never NULL, so ``not`` groups mean exactly "not"
(a missing custom value is "not greater than 5", and NOT of that is true). Tags, consent and
company are ``pk IN (subquery)`` rather than joins, so counts need no DISTINCT. Behaviour conditions
ask the ``EventStore`` for contact-id sets (the events database is never joined); the set goes
into the query as one JSON parameter, so its size does not hit SQLite's variable limit.
"""

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KT
from django.db.models.lookups import GreaterThan, LessThan
from django.utils import timezone

from netmark.contacts import custom_index, search
from netmark.contacts.models import Company, Consent, ConsentState, Contact, CustomField, Identity, Stage, Tag
from netmark.contacts.segment_filters import BEHAVIOUR_FIELDS
from netmark.core.scoping import scoped

NOTHING = Q(pk__in=[])
EVERYTHING = Q(pk__isnull=False)  # not Q(): Django drops an empty Q from an OR
BEHAVIOUR_KINDS = {"visited_page": "page", "triggered_event": "event", "submitted_form": "form"}


class Compiler:
    """One compilation: the workspace, "now" (relative dates) and the behaviour sets it asked for."""

    def __init__(self, workspace, *, now: datetime | None = None, store=None):
        self.workspace = workspace
        self.now = now or timezone.now()
        self.zone = ZoneInfo(workspace.time_zone or "UTC")
        self._store = store
        self._identities = None
        self._kinds = None

    def compile(self, tree: dict) -> Q:
        return self.node(tree)

    def node(self, node: dict) -> Q:
        if "rules" not in node:
            return self.condition(node)
        parts = [self.node(rule) for rule in node["rules"]]
        if node["op"] == "or":
            result = NOTHING
            for part in parts:
                result = part if result is NOTHING else result | part
            return result
        if not parts:  # an empty AND is true, so NOT of it is false
            return NOTHING if node["op"] == "not" else EVERYTHING
        combined = parts[0]
        for part in parts[1:]:
            combined &= part
        return ~combined if node["op"] == "not" else combined

    def condition(self, node: dict) -> Q:
        field = node["field"]
        if field.startswith("custom."):
            return self.custom(node, field.removeprefix("custom."))
        if field in BEHAVIOUR_FIELDS:
            return self.behaviour(node)
        handler = {
            "company": self.company,
            "stage": self.stage,
            "tag": self.tag,
            "consent": self.consent,
            "do_not_contact": lambda n: Q(do_not_contact=n["value"]),
            "source_plan_id": self.source_plan,
            "search": lambda n: search.matches(n["value"]) or EVERYTHING,
            "score": self.score,
            "created_at": self.moment,
            "last_activity_at": self.moment,
        }.get(field, self.text)
        return handler(node)

    # Standard fields

    @staticmethod
    def text(node: dict, column: str | None = None) -> Q:
        column = column or node["field"]
        op, value = node["op"], node.get("value")
        if column == "email":  # stored lower-case (normalise.email)
            value = [item.lower() for item in value] if isinstance(value, list) else value and value.lower()
        if op in ("empty", "not_empty"):
            empty = Q(**{column: ""})
            return empty if op == "empty" else ~empty
        lookup = {"eq": "", "neq": "", "contains": "__icontains", "starts": "__istartswith", "in": "__in"}[op]
        condition = Q(**{f"{column}{lookup}": value})
        return ~condition if op == "neq" else condition

    def company(self, node: dict) -> Q:
        op = node["op"]
        if op in ("empty", "not_empty"):
            return Q(company__isnull=op == "empty")
        names = scoped(Company, self.workspace)
        matching = Q(
            company_id__in=names.filter(
                self.text({**node, "op": "eq" if op == "neq" else op}, "name")
            ).values("pk")
        )
        return ~matching if op == "neq" else matching

    @staticmethod
    def stage(node: dict) -> Q:
        values = node["value"] if node["op"] == "in" else [node["value"]]
        condition = Q(stage__in=[value for value in values if value in Stage.values])
        return ~condition if node["op"] == "neq" else condition

    def tag(self, node: dict) -> Q:
        tag_id = scoped(Tag, self.workspace).filter(name=node["value"]).values_list("pk", flat=True).first()
        if tag_id is None:
            return NOTHING if node["op"] == "has" else EVERYTHING
        links = Contact.tags.through.objects.filter(contact_id=OuterRef("pk"), tag_id=tag_id)
        condition = Q(Exists(links))  # a probe of the (contact, tag) unique index per contact
        return condition if node["op"] == "has" else ~condition

    def consent(self, node: dict) -> Q:
        """The latest statement for the purpose is ``granted`` (what ``may_contact`` asks, minus
        do-not-contact, which is its own condition); ``ConsentState`` holds that latest status."""
        states = scoped(ConsentState, self.workspace).filter(
            purpose=node["purpose"], status=Consent.Status.GRANTED
        )
        condition = Q(pk__in=states.values("contact_id"))
        return condition if node["op"] == "granted" else ~condition

    @staticmethod
    def score(node: dict) -> Q:
        op, value = node["op"], node["value"]
        if op == "between":
            return Q(score__gte=value[0], score__lte=value[1])
        return Q(**{f"score__{op}": value})

    @staticmethod
    def source_plan(node: dict) -> Q:
        op = node["op"]
        if op in ("empty", "not_empty"):
            return Q(source_plan__isnull=op == "empty")
        return Q(source_plan_id__in=node["value"] if op == "in" else [node["value"]])

    def _day_start(self, day: str) -> datetime:
        return datetime.combine(datetime.fromisoformat(day).date(), time(), tzinfo=self.zone)

    def moment(self, node: dict) -> Q:
        """Dates of a timestamp column, as days of the workspace's time zone."""
        column, op, value = node["field"], node["op"], node.get("value")
        if op in ("empty", "not_empty"):
            return Q(**{f"{column}__isnull": op == "empty"})
        if op == "within_days":
            return Q(**{f"{column}__gte": self.now - timedelta(days=value)})
        if op == "before_days":
            return Q(**{f"{column}__lt": self.now - timedelta(days=value)})
        if op == "gt":
            return Q(**{f"{column}__gte": self._day_start(value) + timedelta(days=1)})
        if op == "lt":
            return Q(**{f"{column}__lt": self._day_start(value)})
        low, high = (value, value) if op == "eq" else value
        return Q(
            **{
                f"{column}__gte": self._day_start(low),
                f"{column}__lt": self._day_start(high) + timedelta(days=1),
            }
        )

    # Custom fields (values in Contact.custom, docs/contacts.md "Records")

    def custom(self, node: dict, key: str) -> Q:
        if connection.vendor == "sqlite" and node["op"] not in ("has", "has_not"):
            return self.indexed_custom(node, key)
        op, value = node["op"], node.get("value")
        has = Q(custom__has_key=key)
        if op in ("empty", "not_empty"):
            return ~has if op == "empty" else has
        if op in ("has", "has_not"):
            condition = has & self._list_holds(key, value)
            return condition if op == "has" else ~condition
        column = f"custom__{key}"
        if self.custom_kinds().get(key) == CustomField.Kind.DATE:
            return has & self._dates(key, op, value)
        lookup = {
            "eq": column,
            "neq": column,
            "contains": f"{column}__icontains",
            "starts": f"{column}__istartswith",
            "in": f"{column}__in",
            "gt": f"{column}__gt",
            "lt": f"{column}__lt",
        }
        if op == "between":
            condition = Q(**{f"{column}__gte": value[0], f"{column}__lte": value[1]})
        else:
            condition = Q(**{lookup[op]: value})
        condition = has & condition
        return ~condition if op == "neq" else condition

    def indexed_custom(self, node: dict, key: str) -> Q:
        """The value compared in place, written exactly as the key's expression index
        (``custom_index``), so SQLite may search the index when that is cheaper than the scan
        (measured: a scan beats building a list of half the contacts). ``x IS NOT NULL AND x ...``
        is never NULL, so ``not`` needs no special case."""
        op, value = node["op"], node.get("value")
        if op in ("within_days", "before_days"):
            today = self.now.astimezone(self.zone).date()
            op, value = ("lt" if op == "before_days" else "gte"), (today - timedelta(days=value)).isoformat()
        if isinstance(value, bool):
            value = int(value)  # json_extract answers 1 / 0 for true / false
        expression = custom_index.value_sql(key)
        compare, params = _COMPARE[op](value)
        if op == "empty":
            sql = f"{expression} IS NULL"
        else:
            sql = f"({expression} IS NOT NULL AND {expression} {compare})"
        condition = Q(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611 - key checked, values are parameters
        return ~condition if op == "neq" else condition

    def custom_kinds(self) -> dict[str, str]:
        if self._kinds is None:
            self._kinds = dict(scoped(CustomField, self.workspace).values_list("key", "kind"))
        return self._kinds

    def _dates(self, key: str, op: str, value) -> Q:
        text = KT(f"custom__{key}")  # YYYY-MM-DD sorts as text on every database
        if op in ("within_days", "before_days"):
            today = self.now.astimezone(self.zone).date()
            edge = (today - timedelta(days=value)).isoformat()
            return ~Q(LessThan(text, edge)) if op == "within_days" else Q(LessThan(text, edge))
        if op == "eq":
            return Q(**{f"custom__{key}": value})
        if op == "gt":
            return Q(GreaterThan(text, value))
        if op == "lt":
            return Q(LessThan(text, value))
        return ~Q(LessThan(text, value[0])) & ~Q(GreaterThan(text, value[1]))

    @staticmethod
    def _list_holds(key: str, value: str) -> Q:
        if connection.vendor == "postgresql":
            return Q(**{f"custom__{key}__contains": [value]})
        path = f'$."{key}"'  # keys are [a-z][a-z0-9_]*: nothing to escape
        table = Contact._meta.db_table
        sql = f'EXISTS (SELECT 1 FROM json_each("{table}"."custom", %s) WHERE value = %s)'  # noqa: S608 - values are parameters
        return Q(RawSQL(sql, [path, value], output_field=BooleanField()))  # noqa: S611

    # Behaviour (the EventStore answers contact-id sets)

    def identities(self) -> dict[tuple[int, int], int]:
        if self._identities is None:
            rows = scoped(Identity, self.workspace).values_list("site_id", "visitor_id", "contact_id")
            self._identities = {(site, visitor): contact for site, visitor, contact in rows}
        return self._identities

    def behaviour(self, node: dict) -> Q:
        from netmark.analytics.stores import get_store
        from netmark.analytics.stores.base import Behaviour

        store = self._store or get_store()
        field = node["field"]
        wanted = Behaviour(BEHAVIOUR_KINDS[field], node[BEHAVIOUR_FIELDS[field]], node["value"])
        since_ms = int((self.now - timedelta(days=node["days"])).timestamp() * 1000)
        ids = store.contacts_with(self.workspace.pk, wanted, since_ms, self.identities())
        return id_set(ids)


def _like(value: str, *, prefix: bool) -> tuple[str, list]:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "LIKE %s ESCAPE '\\'", [f"{escaped}%" if prefix else f"%{escaped}%"]


_COMPARE = {
    "eq": lambda v: ("= %s", [v]),
    "neq": lambda v: ("= %s", [v]),
    "gt": lambda v: ("> %s", [v]),
    "gte": lambda v: (">= %s", [v]),
    "lt": lambda v: ("< %s", [v]),
    "between": lambda v: ("BETWEEN %s AND %s", list(v)),
    "in": lambda v: (f"IN ({', '.join('%s' for _ in v)})", list(v)),
    "empty": lambda v: ("IS NULL", []),
    "not_empty": lambda v: ("IS NOT NULL", []),
    "contains": lambda v: _like(v, prefix=False),
    "starts": lambda v: _like(v, prefix=True),
}


def id_set(ids) -> Q:
    """``pk IN`` a set of ids of any size, as one parameter."""
    ids = sorted(int(pk) for pk in ids)
    return Q(pk__in=id_values(ids)) if ids else NOTHING


def id_values(ids) -> RawSQL:
    """A subquery of the ids, passed as one parameter, for ``<field>__in``."""
    return _values(sorted(int(pk) for pk in ids), "bigint")


def text_values(texts) -> RawSQL:
    """A subquery of the texts, passed as one parameter, for ``<field>__in``."""
    return _values(sorted(str(text) for text in texts), "text")


def _values(values: list, sql_type: str) -> RawSQL:
    # An ORM `IN` list of thousands of values costs more to build and send than the query itself.
    if connection.vendor == "postgresql":
        return RawSQL(f"SELECT unnest(%s::{sql_type}[])", [values])  # noqa: S611 - the type is ours
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(values)])


def compile_filter(workspace, tree: dict, *, now: datetime | None = None, store=None) -> Q:
    """The ``Q`` of a CLEANED tree (``segment_filters.clean_filter``) over the workspace's contacts."""
    return Compiler(workspace, now=now, store=store).compile(tree)
