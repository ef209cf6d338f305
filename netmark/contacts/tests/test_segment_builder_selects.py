"""The segment builder offers selects for closed sets of values: lifecycle stages, choice custom
fields, do-not-contact and consent purposes; each row offers only its field's operators, and a
row comes back over htmx fitted to the field just chosen."""

import re

from netmark.contacts import fields, segments
from netmark.contacts.models import Segment
from netmark.contacts.tests.factories import make_contact


def _url(team, suffix=""):
    return f"/w/{team.workspace.slug}/contacts/segments/{suffix}"


def _options(html: str, name: str) -> list[str]:
    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert found, f"no select {name} in {html[:2000]}"
    return re.findall(r'<option value="([^"]*)"', found.group(1))


def _selected(html: str, name: str) -> list[str]:
    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r'<option value="([^"]*)" selected', found.group(1))


def test_choosing_the_stage_field_offers_the_stages_and_only_its_operators(team_a):
    row = team_a.browser_client().post(_url(team_a, "row/?index=2"), {"field-2": "stage", "op-2": "eq"})
    html = row.content.decode()
    assert row.status_code == 200 and 'data-row="2"' in html
    assert _options(html, "value-2") == ["", "subscriber", "lead", "qualified", "customer", "lost"]
    assert _options(html, "op-2") == ["eq", "neq", "in"]
    assert 'type="text" name="value-2"' not in html


def test_the_operator_one_of_makes_the_select_multiple_and_saves_a_list(team_a):
    make_contact(team_a.owner, name="张伟", email="zw@example.com", stage="lead")
    make_contact(team_a.owner, name="王芳", email="wf@example.com", stage="qualified")
    make_contact(team_a.owner, name="李娜", email="ln@example.com", stage="customer")
    client = team_a.browser_client("implementer")
    row = client.post(_url(team_a, "row/?index=0"), {"field-0": "stage", "op-0": "in"}).content.decode()
    assert re.search(r'<select name="value-0"[^>]*multiple', row)
    posted = {"match": "and", "field-0": "stage", "op-0": "in", "value-0": ["lead", "qualified"]}
    assert 'data-count="2"' in client.post(_url(team_a, "count/"), posted).content.decode()
    assert client.post(_url(team_a, "new/"), {**posted, "name": "线索", "kind": "dynamic"}).status_code == 302
    segment = Segment.unscoped.get(workspace=team_a.workspace)
    assert segment.filter["rules"] == [{"field": "stage", "op": "in", "value": ["lead", "qualified"]}]
    assert segments.count_filter(team_a.workspace, segment.filter)["count"] == 2
    edit = client.get(_url(team_a, f"{segment.pk}/edit/")).content.decode()
    assert _selected(edit, "value-0") == ["lead", "qualified"]


def test_a_choice_custom_field_offers_its_choices(team_a):
    fields.create_field(team_a.owner, key="tea", label="喜欢的茶", kind="choice", choices=["龙井", "普洱"])
    fields.create_field(team_a.owner, key="notes", label="备注", kind="text")
    client = team_a.browser_client()
    html = client.post(_url(team_a, "row/?index=0"), {"field-0": "custom.tea"}).content.decode()
    assert _options(html, "value-0") == ["", "龙井", "普洱"]
    assert _options(html, "op-0") == ["eq", "neq", "in", "empty", "not_empty"]
    text = client.post(_url(team_a, "row/?index=0"), {"field-0": "custom.notes"}).content.decode()
    assert 'type="text" name="value-0"' in text


def test_consent_offers_the_purposes_and_do_not_contact_yes_or_no(team_a):
    client = team_a.browser_client()
    html = client.post(_url(team_a, "row/?index=1"), {"field-1": "consent"}).content.decode()
    assert _options(html, "extra-1")[:3] == ["", "email_marketing", "sms_marketing"]
    assert "Email marketing" in html and _options(html, "op-1") == ["granted", "not_granted"]
    flag = client.post(_url(team_a, "row/?index=1"), {"field-1": "do_not_contact"}).content.decode()
    assert _options(flag, "value-1") == ["", "true", "false"]
    posted = {"field-0": "do_not_contact", "op-0": "eq", "value-0": "true", "name": "勿扰", "kind": "dynamic"}
    assert client.post(_url(team_a, "new/"), posted).status_code == 302
    assert Segment.unscoped.get(workspace=team_a.workspace).filter["rules"][0]["value"] is True


def test_the_stage_select_speaks_chinese(team_a):
    html = (
        team_a.browser_client(language="zh-hans")
        .post(_url(team_a, "row/?index=0"), {"field-0": "stage"})
        .content.decode()
    )
    assert ">合格线索<" in html and ">客户<" in html


def test_the_new_segment_page_lists_the_rows_with_selects_for_a_saved_stage_condition(team_a):
    segment = segments.create_segment(
        team_a.owner,
        name="客户",
        kind="dynamic",
        filter={"op": "and", "rules": [{"field": "stage", "op": "eq", "value": "customer"}]},
    )
    html = team_a.browser_client().get(_url(team_a, f"{segment.pk}/edit/")).content.decode()
    assert _selected(html, "value-0") == ["customer"]
    assert 'hx-post="/w/ws-a/contacts/segments/row/?index=0"' in html


def test_a_bad_row_index_is_a_400_and_viewers_cannot_ask(team_a):
    client = team_a.browser_client()
    assert client.post(_url(team_a, "row/?index=99"), {}).status_code == 400
    assert client.post(_url(team_a, "row/?index=x"), {}).status_code == 400
    assert team_a.browser_client("viewer").post(_url(team_a, "row/?index=0"), {}).status_code == 403
