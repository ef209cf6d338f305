"""A reference evaluation of segment filter trees in plain Python, over snapshots of contacts: what
docs/contacts.md ("Segments") says each operator means, written without SQL to check the compiler."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta


@dataclass
class Snapshot:
    pk: int
    text: dict[str, str]  # name, email, ... as stored
    company: str | None
    stage: str
    tags: set[str]
    granted: set[str]  # purposes whose latest statement is granted
    do_not_contact: bool
    created_at: datetime
    created_day: date  # in the workspace's time zone
    last_activity_at: datetime | None
    last_activity_day: date | None
    custom: dict = field(default_factory=dict)


def _text(value: str | None, op: str, wanted) -> bool:
    present = value is not None and value != ""
    if op == "empty":
        return not present
    if op == "not_empty":
        return present
    if op == "neq":
        return not _text(value, "eq", wanted)
    if value is None:
        return False
    return {
        "eq": lambda: value == wanted,
        "contains": lambda: wanted.lower() in value.lower(),
        "starts": lambda: value.lower().startswith(wanted.lower()),
        "in": lambda: value in wanted,
    }[op]()


def _compare(value, op: str, wanted) -> bool:
    if op == "empty":
        return value is None
    if op == "not_empty":
        return value is not None
    if op == "neq":
        return not _compare(value, "eq", wanted)
    if value is None:
        return False
    if op == "in":
        return value in wanted
    if op == "between":
        return wanted[0] <= value <= wanted[1]
    return {"eq": value == wanted, "gt": value > wanted, "lt": value < wanted}[op]


def _moment(at, day, op, wanted, now: datetime, today: date) -> bool:
    if op == "within_days":
        return at is not None and at >= now - timedelta(days=wanted)
    if op == "before_days":
        return at is not None and at < now - timedelta(days=wanted)
    as_days = [date.fromisoformat(w) for w in wanted] if isinstance(wanted, list) else wanted
    if isinstance(as_days, str):
        as_days = date.fromisoformat(as_days)
    return _compare(day, op, as_days)


def _custom(contact: Snapshot, key: str, kind: str, op: str, wanted, today: date) -> bool:
    value = contact.custom.get(key)
    if kind == "multi_choice":
        if op in ("empty", "not_empty"):
            return (value is None) == (op == "empty")
        holds = value is not None and wanted in value
        return holds if op == "has" else not holds
    if kind == "text":
        return _text(value, op, wanted)
    if kind == "date" and op in ("within_days", "before_days"):
        edge = (today - timedelta(days=wanted)).isoformat()
        return value is not None and (value >= edge if op == "within_days" else value < edge)
    return _compare(value, op, wanted)


def _standard(node: dict, contact: Snapshot, now: datetime, today: date) -> bool:
    name, op, wanted = node["field"], node["op"], node.get("value")
    checks = {
        "company": lambda: _text(contact.company, op, wanted),
        "stage": lambda: _text(contact.stage, op, wanted),
        "tag": lambda: (wanted in contact.tags) == (op == "has"),
        "consent": lambda: (node.get("purpose") in contact.granted) == (op == "granted"),
        "do_not_contact": lambda: contact.do_not_contact == wanted,
        "created_at": lambda: _moment(contact.created_at, contact.created_day, op, wanted, now, today),
        "last_activity_at": lambda: _moment(
            contact.last_activity_at, contact.last_activity_day, op, wanted, now, today
        ),
    }
    return checks[name]() if name in checks else _text(contact.text[name], op, wanted)


def evaluate(node: dict, contact: Snapshot, *, kinds: dict[str, str], now: datetime, today: date) -> bool:
    if "rules" in node:
        results = [evaluate(rule, contact, kinds=kinds, now=now, today=today) for rule in node["rules"]]
        if node["op"] == "or":
            return any(results)
        return not all(results) if node["op"] == "not" else all(results)
    if node["field"].startswith("custom."):
        key = node["field"].removeprefix("custom.")
        return _custom(contact, key, kinds[key], node["op"], node.get("value"), today)
    return _standard(node, contact, now, today)
