"""The scoring rule edit page: shows the rule, saves through ``scoring_rules.update_rule`` (audited,
scores recomputed), shows errors without saving, and is closed to viewers and other workspaces."""

import html
import json
import re

import pytest

from netmark.contacts import scoring_rules, timeline
from netmark.contacts.models import Contact
from netmark.contacts.tests.factories import make_contact
from netmark.core.models import AuditEntry
from netmark.core.scoping import scoped

pytestmark = pytest.mark.django_db


def _edit_url(team, rule):
    return f"/w/{team.workspace.slug}/contacts/scoring-rules/{rule.pk}/edit/"


@pytest.fixture
def rule(team_a):
    return scoring_rules.create_rule(
        team_a.owner, name="表单", points=8, kind="interaction", interaction_kind="form_submission"
    )


def test_editing_a_rule_changes_the_scores(team_a, rule, django_capture_on_commit_callbacks):
    contact = make_contact(team_a.owner, name="周", email="zhou@example.com")
    timeline.record(contact, "form_submission")
    client = team_a.browser_client("implementer")
    page = client.get(_edit_url(team_a, rule)).content.decode()
    assert 'value="表单"' in page and 'value="8"' in page and 'value="form_submission" selected' in page
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(
            _edit_url(team_a, rule),
            {
                "name": "表单 forms",
                "points": "15",
                "kind": "interaction",
                "interaction_kind": "form_submission",
                "max_times": "2",
                "is_active": "on",
            },
        )
    assert saved.status_code == 302 and saved["Location"].endswith("/contacts/scoring/")
    rule.refresh_from_db()
    assert (rule.name, rule.points, rule.max_times, rule.is_active) == ("表单 forms", 15, 2, True)
    assert scoped(Contact, team_a.workspace).get(pk=contact.pk).score == 15
    assert AuditEntry.unscoped.filter(workspace=team_a.workspace, action="scoringrule.updated").count() == 1


def test_a_field_rule_shows_its_condition_as_json_and_a_zero_stays_zero(team_a):
    condition = {"op": "and", "rules": [{"field": "stage", "op": "eq", "value": "lead"}]}
    rule = scoring_rules.create_rule(team_a.owner, name="线索", points=0, kind="field", condition=condition)
    page = team_a.browser_client().get(_edit_url(team_a, rule)).content.decode()
    assert 'name="points" min="-1000" max="1000" value="0"' in page
    shown = re.search(r'<textarea id="rule-condition" name="condition"[^>]*>(.*?)</textarea>', page, re.S)
    assert json.loads(html.unescape(shown.group(1))) == condition  # PostgreSQL orders the keys its way


def test_a_bad_edit_shows_the_errors_and_saves_nothing(team_a, rule):
    answer = team_a.browser_client().post(
        _edit_url(team_a, rule),
        {"name": "", "points": "5000", "kind": "interaction", "interaction_kind": "x"},
    )
    text = answer.content.decode()
    assert answer.status_code == 422
    assert "Give the rule a name of 1 to 200 characters." in text and "Unknown interaction type." in text
    rule.refresh_from_db()
    assert (rule.name, rule.points) == ("表单", 8)
    field = team_a.browser_client().post(
        _edit_url(team_a, rule), {"name": "x", "points": "1", "kind": "field", "condition": "{oops"}
    )
    assert field.status_code == 422 and "The condition is not valid JSON." in field.content.decode()


def test_viewers_and_other_workspaces_cannot_edit(team_a, team_b, rule):
    assert team_a.browser_client("viewer").get(_edit_url(team_a, rule)).status_code == 403
    other = team_b.browser_client()
    assert other.get(f"/w/ws-b/contacts/scoring-rules/{rule.pk}/edit/").status_code == 404
    assert other.post(f"/w/ws-b/contacts/scoring-rules/{rule.pk}/edit/", {"name": "x"}).status_code == 404
    rule.refresh_from_db()
    assert rule.name == "表单"


def test_the_rules_list_links_to_the_edit_page(team_a, rule):
    page = team_a.browser_client().get(f"/w/{team_a.workspace.slug}/contacts/scoring/").content.decode()
    assert _edit_url(team_a, rule) in page
    assert (
        _edit_url(team_a, rule)
        not in team_a.browser_client("viewer")
        .get(f"/w/{team_a.workspace.slug}/contacts/scoring/")
        .content.decode()
    )
