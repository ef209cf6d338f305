"""Lead scoring on constructed data: exact points with decay, caps and negative rules, thresholds
that only move stages up, history rows, tenancy, and the API with its 4xx answers."""

from datetime import UTC, datetime, timedelta

import pytest

from netmark.contacts import scoring, scoring_rules, timeline
from netmark.contacts.models import Contact, Interaction, ScoreHistory, Stage
from netmark.contacts.tests.factories import make_contact
from netmark.core.models import AuditEntry
from netmark.core.scoping import scoped

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)


def _forms(contact, *ages):
    for age in ages:
        timeline.record(contact, "form_submission", at=NOW - timedelta(days=age))


def _rules(member, *, half_life=30, lead_at=10, qualified_at=30):
    scoring_rules.update_settings(
        member, half_life_days=half_life, lead_at=lead_at, qualified_at=qualified_at
    )
    scoring_rules.create_rule(
        member,
        name="表单 forms",
        points=10,
        kind="interaction",
        interaction_kind="form_submission",
        max_times=3,
    )
    scoring_rules.create_rule(
        member,
        name="competitor",
        points=-20,
        kind="field",
        condition={"op": "and", "rules": [{"field": "email", "op": "contains", "value": "rival"}]},
    )


def _reload(contact) -> Contact:
    return Contact.unscoped.get(pk=contact.pk)


def test_decay_caps_and_negative_points_are_exact(team_a):
    owner = team_a.owner
    _rules(owner)
    fresh = make_contact(owner, name="新", email="fresh@example.com", stage="subscriber")
    _forms(fresh, 0, 30, 60)  # 10 + 5 + 2.5 = 17.5 -> 18
    capped = make_contact(owner, name="多", email="many@example.com", stage="subscriber")
    _forms(capped, 0, 0, 0, 0, 0)  # five today, three counted: 30
    rival = make_contact(owner, name="对手", email="boss@rival.example", stage="subscriber")
    _forms(rival, 0)  # 10 - 20 = -10

    found = scoring.score_contact(fresh, NOW)
    assert found.total == 18
    assert found.lines == [
        {
            "rule_id": found.lines[0]["rule_id"],
            "rule": "表单 forms",
            "points": 18,
            "why": "3 × Form submission × 10 = 30, decayed to 18",
        }
    ]
    assert scoring.score_contact(capped, NOW).total == 30
    assert "(counted at most 3 times)" in scoring.score_contact(capped, NOW).lines[0]["why"]
    lines = scoring.score_contact(rival, NOW).lines
    assert [(line["rule"], line["points"]) for line in lines] == [("表单 forms", 10), ("competitor", -20)]

    result = scoring.recompute(team_a.workspace, now=NOW)
    assert result == {"contacts": 3, "changed": 3, "stages_moved": 2}
    assert (_reload(fresh).score, _reload(capped).score, _reload(rival).score) == (18, 30, -10)
    assert (_reload(fresh).stage, _reload(capped).stage, _reload(rival).stage) == (
        "lead",
        "qualified",
        "subscriber",
    )


def test_no_half_life_means_no_decay_and_a_cap_keeps_the_newest(team_a):
    owner = team_a.owner
    _rules(owner, half_life=0)
    old = make_contact(owner, name="旧", email="old@example.com")
    _forms(old, 400, 200, 100, 1)
    assert scoring.score_contact(old, NOW).total == 30
    scoring_rules.update_settings(owner, half_life_days=100)
    # newest three: ages 1, 100, 200 -> 10 * (0.5**0.01 + 0.5 + 0.25) = 17.43 -> 17
    assert scoring.score_contact(old, NOW).total == 17


def test_stages_only_move_up_and_never_leave_customer_or_lost(team_a):
    owner = team_a.owner
    _rules(owner)
    people = {
        stage: make_contact(owner, name=stage, email=f"{stage}@example.com", stage=stage)
        for stage in ("subscriber", "lead", "qualified", "customer", "lost")
    }
    for contact in people.values():
        _forms(contact, 0, 0, 0)  # 30: at the qualified threshold
    people["qualified"].interactions.all().delete()  # 0 points: stays qualified
    scoring.recompute(team_a.workspace, now=NOW)
    stages = {name: _reload(contact).stage for name, contact in people.items()}
    assert stages == {
        "subscriber": "qualified",
        "lead": "qualified",
        "qualified": "qualified",
        "customer": "customer",
        "lost": "lost",
    }
    moved = Interaction.unscoped.filter(workspace=team_a.workspace, kind=scoring.STAGE_KIND)
    assert sorted(entry.payload["from"] for entry in moved) == ["lead", "subscriber"]
    assert {entry.payload["to"] for entry in moved} == {"qualified"}
    audits = AuditEntry.unscoped.filter(workspace=team_a.workspace, action="contact.stage_scored")
    assert audits.count() == 2
    assert audits.first().actor_label == "operator"

    # Points fall (a new negative rule): the stage stays where it is, the score and history follow.
    scoring_rules.create_rule(
        owner,
        name="minus",
        points=-100,
        kind="field",
        condition={"op": "and", "rules": [{"field": "name", "op": "eq", "value": "lead"}]},
    )
    later = NOW + timedelta(hours=1)
    assert scoring.recompute(team_a.workspace, now=later)["stages_moved"] == 0
    lead = _reload(people["lead"])
    assert (lead.score, lead.stage) == (-70, Stage.QUALIFIED)
    assert [(row.score, row.at) for row in scoring.history(lead)] == [(-70, later), (30, NOW)]
    # A second run with nothing new writes no history.
    scoring.recompute(team_a.workspace, now=later)
    assert ScoreHistory.unscoped.filter(contact=lead).count() == 2


def test_rules_of_one_workspace_never_score_another(team_a, team_b):
    _rules(team_a.owner)
    mine = make_contact(team_a.owner, name="甲", email="a@example.com", stage="subscriber")
    theirs = make_contact(team_b.owner, name="乙", email="b@example.com", stage="subscriber")
    _forms(mine, 0)
    _forms(theirs, 0, 0)
    scoring.recompute(team_a.workspace, now=NOW)
    assert _reload(mine).score == 10
    assert scoring.score_contact(theirs, NOW).total == 0
    scoring.recompute(team_b.workspace, now=NOW)
    assert (_reload(theirs).score, _reload(theirs).stage) == (0, "subscriber")
    assert not ScoreHistory.unscoped.filter(workspace=team_b.workspace).exists()


def test_score_segment_condition(team_a):
    _rules(team_a.owner)
    high = make_contact(team_a.owner, name="高", email="high@example.com")
    make_contact(team_a.owner, name="低", email="low@example.com")
    _forms(high, 0, 0)
    scoring.recompute(team_a.workspace, now=NOW)
    from netmark.contacts import segments

    tree = {"op": "and", "rules": [{"field": "score", "op": "between", "value": [15, 25]}]}
    assert [contact.pk for contact in segments.filtered_contacts(team_a.workspace, tree)] == [high.pk]
    tree = {"op": "and", "rules": [{"field": "score", "op": "lt", "value": 1}]}
    assert segments.filtered_contacts(team_a.workspace, tree).count() == 1


def _post(client, path, data):
    return client.post(path, data, content_type="application/json")


def test_api_crud_recompute_and_contact_score(team_a, team_b):
    api = team_a.api()
    settings = api.patch(
        "/api/v1/scoring/settings", {"half_life_days": 0, "lead_at": 5}, content_type="application/json"
    )
    assert settings.status_code == 200, settings.content
    created = _post(
        api,
        "/api/v1/scoring-rules",
        {"name": "forms", "points": 7, "kind": "interaction", "interaction_kind": "form_submission"},
    )
    assert created.status_code == 201, created.content
    rule_id = created.json()["id"]
    contact = make_contact(team_a.owner, name="王", email="wang@example.com", stage="subscriber")
    timeline.record(contact, "form_submission")
    assert _post(api, "/api/v1/scoring/recompute", {}).json() == {
        "contacts": 1,
        "changed": 1,
        "stages_moved": 1,
    }
    answer = api.get(f"/api/v1/contacts/{contact.pk}/score").json()
    assert (answer["score"], answer["stored_score"]) == (7, 7)
    assert answer["explanation"][0]["why"] == "1 × Form submission × 7 = 7"
    assert [row["score"] for row in answer["history"]] == [7]
    patched = api.patch(f"/api/v1/scoring-rules/{rule_id}", {"points": -3}, content_type="application/json")
    assert patched.json()["points"] == -3
    assert api.get("/api/v1/scoring-rules").json()["count"] == 1

    # another workspace sees none of it
    other = team_b.api()
    assert other.get(f"/api/v1/scoring-rules/{rule_id}").status_code == 404
    assert other.get(f"/api/v1/contacts/{contact.pk}/score").status_code == 404
    assert other.get("/api/v1/scoring-rules").json()["count"] == 0
    assert api.delete(f"/api/v1/scoring-rules/{rule_id}").status_code == 204


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "points": 1, "kind": "interaction", "interaction_kind": "nope"}, "interaction_kind"),
        ({"name": "x", "points": 1, "kind": "field", "condition": {"op": "and", "rules": []}}, "condition"),
        (
            {
                "name": "x",
                "points": 1,
                "kind": "field",
                "condition": {"op": "and", "rules": [{"field": "zzz", "op": "eq"}]},
            },
            "condition.rules[0].field",
        ),
        ({"name": "x", "points": 1, "kind": "behaviour", "path": " "}, "path"),
        ({"name": " ", "points": 1}, "name"),
    ],
)
def test_bad_rules_answer_422_naming_the_field(team_a, body, field):
    answer = _post(team_a.api(), "/api/v1/scoring-rules", body)
    assert answer.status_code == 422, answer.content
    assert field in answer.json()["fields"]


def test_bad_settings_and_schema_errors_are_4xx(team_a):
    api = team_a.api()
    answer = api.patch(
        "/api/v1/scoring/settings", {"lead_at": 50, "qualified_at": 10}, content_type="application/json"
    )
    assert (answer.status_code, list(answer.json()["fields"])) == (422, ["lead_at"])
    assert _post(api, "/api/v1/scoring-rules", {"name": "x", "points": 5000}).status_code == 422
    assert _post(api, "/api/v1/scoring-rules", {"name": "x", "points": "seven"}).status_code == 422
    assert api.get("/api/v1/scoring-rules/999999").status_code == 404
    assert _post(team_a.api("viewer"), "/api/v1/scoring/recompute", {}).status_code == 403
    assert scoped(Contact, team_a.workspace).count() == 0


def test_score_from_the_command_line(netmark_cli, team_a):
    import json

    _rules(team_a.owner, half_life=0)
    contact = make_contact(team_a.owner, name="张", email="zhang@example.com", stage="subscriber")
    timeline.record(contact, "form_submission")
    code, out, _err = netmark_cli("contact score recompute --json")
    assert code == 0 and json.loads(out) == {"contacts": 1, "changed": 1, "stages_moved": 1}
    code, out, _err = netmark_cli(f"contact score show {contact.pk} --json")
    assert code == 0 and json.loads(out)["score"] == 10
    code, out, _err = netmark_cli(f"contact score show {contact.pk}")
    assert code == 0 and "Score 10" in out.decode() and "表单 forms: 10" in out.decode()
    code, _out, err = netmark_cli("contact score show")
    assert code == 2
    code, out, _err = netmark_cli("contact score rules --json")
    assert sorted(row["name"] for row in json.loads(out)) == ["competitor", "表单 forms"]


def test_scoring_page_adds_rules_toggles_them_and_the_contact_page_explains(team_a):
    client = team_a.browser_client()
    base = f"/w/{team_a.workspace.slug}/contacts"
    saved = client.post(
        f"{base}/scoring/", {"action": "settings", "half_life_days": "0", "lead_at": "5", "qualified_at": ""}
    )
    assert saved.status_code == 302
    answer = client.post(
        f"{base}/scoring/",
        {
            "action": "rule",
            "name": "表单",
            "points": "8",
            "kind": "interaction",
            "interaction_kind": "form_submission",
        },
    )
    assert answer.status_code == 302
    bad = client.post(f"{base}/scoring/", {"action": "rule", "name": "坏", "points": "x", "kind": "field"})
    assert bad.status_code == 422 and "points" in bad.content.decode()
    rule = scoring_rules.list_rules(team_a.workspace).get()
    contact = make_contact(team_a.owner, name="周", email="zhou@example.com", stage="subscriber")
    timeline.record(contact, "form_submission")
    assert client.post(f"{base}/scoring/", {"action": "recompute"}).status_code == 302
    page = client.get(f"{base}/{contact.pk}/").content.decode()
    assert 'data-score="8"' in page and "1 × Form submission × 8 = 8" in page and "data-score-history" in page
    row = client.post(f"{base}/scoring-rules/{rule.pk}/toggle/", HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and "Turn on" in row.content.decode()
    assert "表单" in client.get(f"{base}/scoring/").content.decode()
    viewer = team_a.browser_client("viewer")
    assert viewer.post(f"{base}/scoring/", {"action": "recompute"}).status_code == 403
    assert viewer.get(f"{base}/scoring/").status_code == 200


def test_explanations_speak_chinese(team_a):
    from django.utils import translation

    _rules(team_a.owner)
    contact = make_contact(team_a.owner, name="陈", email="chen@example.com")
    _forms(contact, 0, 30)
    with translation.override("zh-hans"):
        lines = scoring.score_contact(contact, NOW).lines
    assert lines[0]["why"] == "2 次 × 表单提交 × 10 = 20，衰减后为 15"


def test_behaviour_rules_ask_the_event_store(team_a):
    import time

    from netmark.analytics.stores import get_store
    from netmark.analytics.tests.helpers import event, make_site
    from netmark.contacts import identity

    site = make_site(team_a.workspace)
    keen = make_contact(team_a.owner, name="热心", email="keen@example.com")
    known = make_contact(team_a.owner, name="访客", email="visitor@example.com")
    stale = make_contact(team_a.owner, name="旧访", email="stale@example.com")
    identity.identify(known, site.pk, 4242, via="form")
    now = int(time.time() * 1000)
    store = get_store()
    store.append(
        [
            event(site, now - 60_000, 1, path="/pricing", contact_id=keen.pk),
            event(site, now - 50_000, 1, path="/pricing/team", contact_id=keen.pk),
            event(site, now - 40_000, 4242, path="/pricing"),  # the identified visitor: once only
            event(site, now - 20 * 86_400_000, 3, path="/pricing", contact_id=stale.pk),
            event(site, now - 20 * 86_400_000, 3, path="/pricing", contact_id=stale.pk),
        ]
    )
    store.process_all()
    rule = scoring_rules.create_rule(
        team_a.owner, name="价格页", points=25, kind="behaviour", path="/pricing*", times=2, days=14
    )
    assert scoring.recompute(team_a.workspace)["changed"] == 1
    assert [_reload(c).score for c in (keen, known, stale)] == [25, 0, 0]
    line = scoring.score_contact(keen).lines[0]
    assert (line["rule_id"], line["why"]) == (rule.pk, "visited /pricing* at least 2 times in 14 days: 25")


def test_the_grouped_recompute_agrees_with_counting_each_interaction(team_a):
    """Random timelines: the SQL day buckets give what a per-interaction sum in Python gives."""
    import random

    rng = random.Random(11)
    scoring_rules.update_settings(team_a.owner, half_life_days=7)
    rules = [
        scoring_rules.create_rule(
            team_a.owner, name=kind, points=points, kind="interaction", interaction_kind=kind, max_times=cap
        )
        for kind, points, cap in (("form_submission", 10, 3), ("link_click", -3, None), ("call", 4, 2))
    ]
    people = [make_contact(team_a.owner, name=f"人{n}", email=f"p{n}@example.com") for n in range(12)]
    for person in people:
        for _ in range(rng.randint(0, 9)):
            kind = rng.choice(["form_submission", "link_click", "call", "note"])
            timeline.record(
                person, kind, at=NOW - timedelta(hours=rng.randint(0, 24 * 40)), payload={"text": "x"}
            )
    scoring.recompute(team_a.workspace, now=NOW)
    for person in people:
        expected = 0
        for rule in rules:
            entries = Interaction.unscoped.filter(contact=person, kind=rule.interaction_kind).order_by(
                "-occurred_at"
            )
            entries = list(entries)[: rule.max_times] if rule.max_times else list(entries)
            if entries:
                ages = [(NOW.date() - entry.occurred_at.astimezone(UTC).date()).days for entry in entries]
                expected += scoring.round_points(sum(rule.points * 0.5 ** (age / 7) for age in ages))
        assert _reload(person).score == expected, person.name


class _Died(Exception):
    pass


def test_a_recompute_that_dies_mid_way_leaves_consistent_scores_and_a_rerun_finishes(team_a):
    owner = team_a.owner
    _rules(owner)
    people = [
        make_contact(owner, name=f"客户{index}", email=f"c{index}@example.com", stage="subscriber")
        for index in range(5)
    ]
    for contact in people:
        _forms(contact, 0)  # 10 points: a lead

    def die_after_the_first_batch(done: int) -> None:
        raise _Died(done)

    with pytest.raises(_Died):
        scoring.recompute(team_a.workspace, now=NOW, batch_size=2, on_batch=die_after_the_first_batch)
    written, left = people[:2], people[2:]
    assert [(_reload(c).score, _reload(c).stage) for c in written] == [(10, "lead")] * 2
    assert [(_reload(c).score, _reload(c).stage) for c in left] == [(0, "subscriber")] * 3
    history = ScoreHistory.unscoped.filter(workspace=team_a.workspace)
    assert sorted(history.values_list("contact_id", flat=True)) == [c.pk for c in written]
    audits = AuditEntry.unscoped.filter(workspace=team_a.workspace, action="contact.stage_scored")
    assert sorted(audits.values_list("object_id", flat=True)) == sorted(str(c.pk) for c in written)
    assert audits.first().via == "job" and audits.first().changes == {"stage": ["subscriber", "lead"]}

    done = []
    result = scoring.recompute(team_a.workspace, now=NOW, batch_size=2, on_batch=done.append)
    assert result == {"contacts": 5, "changed": 3, "stages_moved": 3}
    assert done == [2, 4, 5]
    assert [(_reload(c).score, _reload(c).stage) for c in people] == [(10, "lead")] * 5
    assert history.count() == audits.count() == 5
    moves = Interaction.unscoped.filter(workspace=team_a.workspace, kind=scoring.STAGE_KIND)
    assert sorted(moves.values_list("contact_id", flat=True)) == [c.pk for c in people]
    assert scoring.recompute(team_a.workspace, now=NOW, batch_size=2) == {
        "contacts": 5,
        "changed": 0,
        "stages_moved": 0,
    }
