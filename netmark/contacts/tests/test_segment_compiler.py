"""The segment compiler agrees with a reference evaluation in Python over random contacts and
random filter trees (hypothesis), and each operator means what docs/contacts.md says."""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netmark.contacts import consent, fields
from netmark.contacts.models import Company, Contact, Stage, Tag
from netmark.contacts.segment_compiler import compile_filter
from netmark.contacts.segment_filters import clean_filter
from netmark.contacts.tests.segment_reference import Snapshot, evaluate
from netmark.core.scoping import scoped

NOW = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)
WORDS = ["茶", "云岭", "li", "Li Na", "ab", "abc", "", "普洱 tea", "b_%"]
TAGS = ["展会", "vip", "A类"]
COMPANIES = ["云岭茶业", "Pu'er Co", "茶马古道"]
CHOICES = ["红茶", "绿茶", "白茶"]
DAYS = ["2026-09-01", "2026-09-30", "2026-10-01", "2026-10-11", "2026-10-12"]
PURPOSES = ["email_marketing", "phone"]
CUSTOM = {
    "note": "text",
    "budget": "number",
    "visit_on": "date",
    "tier": "choice",
    "teas": "multi_choice",
    "vip": "boolean",
}
TEXT_COLUMNS = ("name", "email", "city", "title", "source")


def _custom_values(rng: random.Random) -> dict:
    values = {}
    candidates = {
        "note": lambda: rng.choice([w for w in WORDS if w]),
        "budget": lambda: rng.choice([0, 5, 10, 10.5, -3, 1200]),
        "visit_on": lambda: rng.choice(DAYS),
        "tier": lambda: rng.choice(CHOICES),
        "teas": lambda: [c for c in CHOICES if rng.random() < 0.5] or [CHOICES[0]],
        "vip": lambda: rng.random() < 0.5,
    }
    for key, make in candidates.items():
        if rng.random() < 0.7:
            values[key] = make()
    return values


def _seed(team, count: int = 40, seed: int = 7) -> None:
    rng = random.Random(seed)
    workspace = team.workspace
    for key, kind in CUSTOM.items():
        fields.create_field(
            team.owner, key=key, label=key, kind=kind, choices=CHOICES if "choice" in kind else None
        )
    companies = [Company.unscoped.create(workspace=workspace, name=name) for name in COMPANIES]
    tags = [Tag.unscoped.create(workspace=workspace, name=name) for name in TAGS]
    for index in range(count):
        contact = Contact.unscoped.create(
            workspace=workspace,
            name=rng.choice(WORDS),
            email=f"c{index}@example.com" if rng.random() < 0.8 else "",
            city=rng.choice(WORDS),
            title=rng.choice(WORDS),
            source=rng.choice(WORDS),
            company=rng.choice([None, *companies]),
            stage=rng.choice(Stage.values),
            do_not_contact=rng.random() < 0.2,
            custom=_custom_values(rng),
        )
        created = NOW - timedelta(hours=rng.randint(0, 24 * 60))
        activity = None if rng.random() < 0.3 else NOW - timedelta(hours=rng.randint(0, 24 * 30))
        Contact.unscoped.filter(pk=contact.pk).update(created_at=created, last_activity_at=activity)
        contact.tags.set([tag for tag in tags if rng.random() < 0.4])
        for purpose in PURPOSES:
            for step in range(rng.randint(0, 3)):
                status = rng.choice(["granted", "denied", "withdrawn"])
                at = NOW - timedelta(days=10 - step) if rng.random() < 0.8 else NOW - timedelta(days=10)
                consent.record_consent(contact, purpose, status, at=at)


def _snapshots(workspace) -> list[Snapshot]:
    zone = ZoneInfo(workspace.time_zone)
    result = []
    for contact in scoped(Contact, workspace).select_related("company").prefetch_related("tags"):
        current = consent.current(contact)
        result.append(
            Snapshot(
                pk=contact.pk,
                text={name: getattr(contact, name) for name in TEXT_COLUMNS},
                company=contact.company.name if contact.company else None,
                stage=contact.stage,
                tags={tag.name for tag in contact.tags.all()},
                granted={p for p, c in current.items() if c.status == "granted"},
                do_not_contact=contact.do_not_contact,
                created_at=contact.created_at,
                created_day=contact.created_at.astimezone(zone).date(),
                last_activity_at=contact.last_activity_at,
                last_activity_day=contact.last_activity_at.astimezone(zone).date()
                if contact.last_activity_at
                else None,
                custom=contact.custom,
            )
        )
    return result


text_value = st.sampled_from([w for w in WORDS if w] + ["LI", "云", "t"])
OPS_FOR_TEXT = st.sampled_from(["eq", "neq", "contains", "starts", "empty", "not_empty"])


def _with_value(field, op, value):
    node = {"field": field, "op": op}
    if op not in ("empty", "not_empty"):
        node["value"] = value
    return node


def text_condition():
    return st.builds(
        _with_value,
        st.sampled_from([*TEXT_COLUMNS, "company"]),
        OPS_FOR_TEXT,
        st.one_of(text_value, st.sampled_from(COMPANIES)),
    ) | st.builds(
        lambda f, v: {"field": f, "op": "in", "value": v},
        st.sampled_from(TEXT_COLUMNS),
        st.lists(text_value, min_size=1, max_size=3),
    )


def other_condition():
    days = st.integers(min_value=1, max_value=60)
    day = st.sampled_from(DAYS)
    return st.one_of(
        st.builds(
            lambda op, v: {"field": "stage", "op": op, "value": v},
            st.sampled_from(["eq", "neq"]),
            st.sampled_from(Stage.values),
        ),
        st.builds(
            lambda v: {"field": "stage", "op": "in", "value": v},
            st.lists(st.sampled_from(Stage.values), min_size=1, max_size=3),
        ),
        st.builds(
            lambda op, v: {"field": "tag", "op": op, "value": v},
            st.sampled_from(["has", "has_not"]),
            st.sampled_from([*TAGS, "无"]),
        ),
        st.builds(
            lambda op, p: {"field": "consent", "op": op, "purpose": p},
            st.sampled_from(["granted", "not_granted"]),
            st.sampled_from([*PURPOSES, "wechat"]),
        ),
        st.builds(lambda v: {"field": "do_not_contact", "op": "eq", "value": v}, st.booleans()),
        st.builds(
            lambda f, op, v: _with_value(f, op, v),
            st.sampled_from(["created_at", "last_activity_at"]),
            st.sampled_from(["eq", "gt", "lt"]),
            day,
        ),
        st.builds(
            lambda f, op, v: {"field": f, "op": op, "value": v},
            st.sampled_from(["created_at", "last_activity_at"]),
            st.sampled_from(["within_days", "before_days"]),
            days,
        ),
        st.builds(
            lambda f, v: {"field": f, "op": "between", "value": sorted(v)},
            st.sampled_from(["created_at", "last_activity_at", "custom.visit_on"]),
            st.lists(day, min_size=2, max_size=2),
        ),
        st.builds(
            lambda op: {"field": "last_activity_at", "op": op}, st.sampled_from(["empty", "not_empty"])
        ),
    )


def custom_condition():
    number = st.sampled_from([0, 5, 10, 10.5, -3, 1200, 7])
    return st.one_of(
        st.builds(_with_value, st.just("custom.note"), OPS_FOR_TEXT, text_value),
        st.builds(
            _with_value,
            st.just("custom.budget"),
            st.sampled_from(["eq", "neq", "gt", "lt", "empty", "not_empty"]),
            number,
        ),
        st.builds(
            lambda v: {"field": "custom.budget", "op": "between", "value": sorted(v)},
            st.lists(number, min_size=2, max_size=2),
        ),
        st.builds(
            _with_value,
            st.just("custom.visit_on"),
            st.sampled_from(["eq", "gt", "lt", "empty"]),
            st.sampled_from(DAYS),
        ),
        st.builds(
            lambda op, v: {"field": "custom.visit_on", "op": op, "value": v},
            st.sampled_from(["within_days", "before_days"]),
            st.integers(1, 60),
        ),
        st.builds(
            _with_value,
            st.just("custom.tier"),
            st.sampled_from(["eq", "neq", "empty", "not_empty"]),
            st.sampled_from(CHOICES),
        ),
        st.builds(
            lambda v: {"field": "custom.tier", "op": "in", "value": v},
            st.lists(st.sampled_from(CHOICES), min_size=1, max_size=2),
        ),
        st.builds(
            _with_value,
            st.just("custom.teas"),
            st.sampled_from(["has", "has_not", "empty", "not_empty"]),
            st.sampled_from(CHOICES),
        ),
        st.builds(
            _with_value, st.just("custom.vip"), st.sampled_from(["eq", "empty", "not_empty"]), st.booleans()
        ),
    )


conditions = st.one_of(text_condition(), other_condition(), custom_condition())
trees = st.recursive(
    conditions,
    lambda children: st.builds(
        lambda op, rules: {"op": op, "rules": rules},
        st.sampled_from(["and", "or", "not"]),
        st.lists(children, max_size=4),
    ),
    max_leaves=12,
).map(lambda node: node if "rules" in node else {"op": "and", "rules": [node]})


@pytest.fixture
def seeded(team_a, team_b):
    _seed(team_a)
    _seed(team_b, count=10, seed=8)  # another workspace's contacts must never be counted
    zone = ZoneInfo(team_a.workspace.time_zone)
    return team_a.workspace, _snapshots(team_a.workspace), NOW.astimezone(zone).date()


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=trees)
def test_compiler_agrees_with_the_reference(seeded, tree):
    workspace, snapshots, today = seeded
    cleaned = clean_filter(workspace, tree)
    found = set(
        scoped(Contact, workspace)
        .filter(compile_filter(workspace, cleaned, now=NOW))
        .values_list("pk", flat=True)
    )
    expected = {s.pk for s in snapshots if evaluate(cleaned, s, kinds=CUSTOM, now=NOW, today=today)}
    assert found == expected, tree


def test_reference_data_is_not_trivial(seeded):
    """Guards the property test: the conditions it draws split the contacts, not all-or-nothing."""
    workspace, snapshots, today = seeded
    for node in (
        {"field": "tag", "op": "has", "value": "vip"},
        {"field": "consent", "op": "granted", "purpose": "email_marketing"},
        {"field": "custom.budget", "op": "gt", "value": 5},
        {"field": "custom.teas", "op": "has", "value": "绿茶"},
        {"field": "company", "op": "neq", "value": "云岭茶业"},
        {"field": "created_at", "op": "within_days", "value": 30},
    ):
        tree = clean_filter(workspace, {"op": "and", "rules": [node]})
        count = scoped(Contact, workspace).filter(compile_filter(workspace, tree, now=NOW)).count()
        assert 0 < count < len(snapshots), node
