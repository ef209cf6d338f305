"""Segment pages: the builder saves rows and JSON, answers a live count, shows a segment's contacts
(escaped), exports CSV; viewers read only; another workspace's segments answer 404."""

import json

from netmark.contacts import segments
from netmark.contacts.models import Segment
from netmark.contacts.tests.factories import make_contact

XSS = "<script>alert(1)</script>"


def _url(team, suffix=""):
    return f"/w/{team.workspace.slug}/contacts/segments/{suffix}"


def _rows(*rows, match="and", **extra):
    data = {"match": match, **extra}
    for index, (field, op, value) in enumerate(rows):
        data.update({f"field-{index}": field, f"op-{index}": op, f"value-{index}": value})
    return data


def _people(team):
    make_contact(team.owner, name="张伟", email="zw@example.com", stage="qualified", tags=["展会"])
    make_contact(team.owner, name=XSS, email="x@example.com", stage="qualified", tags=["展会"])
    make_contact(team.owner, name="王芳", email="wf@example.com", stage="lead")


def test_builder_counts_live_and_saves_rows(team_a):
    _people(team_a)
    client = team_a.browser_client("implementer")
    assert client.get(_url(team_a, "new/")).status_code == 200
    rows = _rows(("stage", "eq", "qualified"), ("tag", "has", "展会"))
    counted = client.post(_url(team_a, "count/"), rows).content.decode()
    assert 'data-count="2"' in counted and XSS not in counted and "&lt;script&gt;" in counted
    saved = client.post(_url(team_a, "new/"), {**rows, "name": "展会 qualified", "kind": "dynamic"})
    segment = Segment.unscoped.get(workspace=team_a.workspace)
    assert saved.status_code == 302 and saved["Location"].endswith(f"/segments/{segment.pk}/")
    assert segment.filter == {
        "op": "and",
        "rules": [
            {"field": "stage", "op": "eq", "value": "qualified"},
            {"field": "tag", "op": "has", "value": "展会"},
        ],
    }
    page = client.get(_url(team_a, f"{segment.pk}/")).content.decode()
    assert "张伟" in page and "王芳" not in page and XSS not in page
    csv = client.get(_url(team_a, f"{segment.pk}/export/"))
    assert csv.status_code == 200 and "张伟" in csv.content.decode("utf-8-sig")


def test_builder_takes_json_and_shows_errors_by_path(team_a):
    _people(team_a)
    client = team_a.browser_client()
    tree = {"op": "not", "rules": [{"field": "stage", "op": "eq", "value": "qualified"}]}
    counted = client.post(_url(team_a, "count/"), {"filter_json": json.dumps(tree)}).content.decode()
    assert 'data-count="1"' in counted
    bad = client.post(_url(team_a, "count/"), _rows(("stage", "eq", "boss"))).content.decode()
    assert "filter.rules[0].value" in bad
    refused = client.post(
        _url(team_a, "new/"), {**_rows(("nope", "eq", "x")), "name": "x", "kind": "dynamic"}
    )
    assert refused.status_code == 200 and "filter.rules[0].field" in refused.content.decode()
    assert not Segment.unscoped.exists()
    saved = client.post(
        _url(team_a, "new/"), {"name": "非合格", "kind": "dynamic", "filter_json": json.dumps(tree)}
    )
    assert saved.status_code == 302
    segment = Segment.unscoped.get()
    edit = client.get(_url(team_a, f"{segment.pk}/edit/")).content.decode()
    assert "&quot;not&quot;" in edit  # a nested tree is edited as JSON


def test_viewers_read_and_count_but_do_not_write(team_a):
    _people(team_a)
    segment = segments.create_segment(team_a.owner, name="全部", filter={"op": "and", "rules": []})
    viewer = team_a.browser_client("viewer")
    assert viewer.get(_url(team_a)).status_code == 200
    assert viewer.get(_url(team_a, f"{segment.pk}/")).status_code == 200
    assert viewer.post(_url(team_a, "count/"), _rows(("stage", "eq", "lead"))).status_code == 200
    assert viewer.get(_url(team_a, "new/")).status_code == 403
    assert viewer.get(_url(team_a, f"{segment.pk}/export/")).status_code == 403
    assert viewer.post(_url(team_a, f"{segment.pk}/delete/")).status_code == 403
    assert Segment.unscoped.filter(pk=segment.pk).exists()
    owner = team_a.browser_client()
    assert owner.post(_url(team_a, f"{segment.pk}/delete/")).status_code == 302
    assert not Segment.unscoped.filter(pk=segment.pk).exists()


def test_another_workspace_gets_404(team_a, team_b):
    segment = segments.create_segment(team_a.owner, name="A", filter={"op": "and", "rules": []})
    client = team_b.browser_client()
    for suffix in (f"{segment.pk}/", f"{segment.pk}/edit/", f"{segment.pk}/export/", f"{segment.pk}/delete/"):
        assert client.get(f"/w/{team_b.workspace.slug}/contacts/segments/{suffix}").status_code == 404
