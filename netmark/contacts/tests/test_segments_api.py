"""Segments through the API: CRUD, live count, members, export, strict validation, tenancy, and
behaviour conditions answered by the real event store."""

import time

import pytest

from netmark.analytics.stores import get_store
from netmark.analytics.stores.base import CUSTOM
from netmark.analytics.tests.helpers import event, make_site
from netmark.contacts import identity, privacy, segments
from netmark.contacts.models import Segment
from netmark.contacts.tests.factories import make_contact
from netmark.core.errors import ValidationFailed

STAGE_AND_TAG = {
    "op": "and",
    "rules": [
        {"field": "stage", "op": "eq", "value": "qualified"},
        {"field": "tag", "op": "has", "value": "展会"},
    ],
}


def _post(client, path, data):
    return client.post(path, data, content_type="application/json")


def _people(member):
    return {
        "zhang": make_contact(
            member, name="张伟", email="zhang@example.com", stage="qualified", tags=["展会"]
        ),
        "wang": make_contact(member, name="王芳", email="wang@example.com", stage="qualified"),
        "li": make_contact(member, name="李娜", email="li@example.com", stage="lead", tags=["展会"]),
    }


def test_create_count_list_and_export_a_dynamic_segment(team_a):
    people = _people(team_a.owner)
    api = team_a.api()
    counted = _post(api, "/api/v1/segments/count", {"filter": STAGE_AND_TAG})
    assert counted.status_code == 200, counted.content
    assert counted.json()["count"] == 1
    assert [row["name"] for row in counted.json()["sample"]] == ["张伟"]
    created = _post(api, "/api/v1/segments", {"name": "展会 qualified", "filter": STAGE_AND_TAG})
    assert created.status_code == 201, created.content
    segment_id = created.json()["id"]
    listed = api.get(f"/api/v1/segments/{segment_id}/contacts").json()
    assert [item["id"] for item in listed["items"]] == [people["zhang"].pk]
    make_contact(team_a.owner, name="赵磊", email="zhao@example.com", stage="qualified", tags=["展会"])
    assert api.get(f"/api/v1/segments/{segment_id}/contacts").json()["count"] == 2  # evaluated afresh
    csv = api.get(f"/api/v1/segments/{segment_id}/export")
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    assert "张伟" in csv.content.decode("utf-8-sig") and "王芳" not in csv.content.decode("utf-8-sig")
    patched = api.patch(
        f"/api/v1/segments/{segment_id}",
        {"filter": {"op": "or", "rules": STAGE_AND_TAG["rules"]}},
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.content
    assert api.get(f"/api/v1/segments/{segment_id}/contacts").json()["count"] == 4


def test_bad_filters_answer_422_naming_the_node(team_a):
    api = team_a.api()

    def one(rule):
        return {"op": "and", "rules": [rule]}

    cases = [
        (one({"field": "stage", "op": "eq", "value": "boss"}), "filter.rules[0].value"),
        (
            {
                "op": "and",
                "rules": [{"field": "city", "op": "eq", "value": "昆明"}, {"field": "nope", "op": "eq"}],
            },
            "filter.rules[1].field",
        ),
        (
            {"op": "or", "rules": [one({"field": "name", "op": "gt", "value": 1})]},
            "filter.rules[0].rules[0].op",
        ),
        (one({"field": "custom.budget", "op": "gt", "value": 5}), "filter.rules[0].field"),
        (
            one({"field": "created_at", "op": "between", "value": ["2026-10-02", "2026-10-01"]}),
            "filter.rules[0].value",
        ),
        (one({"field": "visited_page", "op": "at_least", "value": 2, "path": "/p*"}), "filter.rules[0].days"),
        ({"op": "xor", "rules": []}, "filter.op"),
        ({"rules": "all"}, "filter.rules"),
    ]
    for tree, path in cases:
        response = _post(api, "/api/v1/segments/count", {"filter": tree})
        assert response.status_code == 422, (tree, response.content)
        assert path in response.json()["fields"], (tree, response.json())


def test_depth_and_size_are_bounded(team_a):
    api = team_a.api()
    deep = {"op": "and", "rules": []}
    for _ in range(6):
        deep = {"op": "and", "rules": [deep]}
    assert _post(api, "/api/v1/segments/count", {"filter": deep}).status_code == 422
    wide = {"op": "or", "rules": [{"field": "city", "op": "eq", "value": "昆明"}] * 150}
    response = _post(api, "/api/v1/segments/count", {"filter": wide})
    assert response.status_code == 422 and "100" in str(response.json()["fields"])


def test_static_lists_take_members_of_their_workspace_only(team_a, team_b):
    people = _people(team_a.owner)
    foreign = make_contact(team_b.owner, name="外人", email="x@example.com")
    api = team_a.api()
    segment_id = _post(api, "/api/v1/segments", {"name": "VIP", "kind": "static"}).json()["id"]
    added = _post(
        api, f"/api/v1/segments/{segment_id}/members", {"contact_ids": [people["li"].pk, people["wang"].pk]}
    )
    assert added.json() == {"added": 2, "removed": 0}
    refused = _post(api, f"/api/v1/segments/{segment_id}/members", {"contact_ids": [foreign.pk]})
    assert refused.status_code == 422
    _post(
        api,
        f"/api/v1/segments/{segment_id}/members",
        {"action": "remove", "contact_ids": [people["wang"].pk]},
    )
    listed = api.get(f"/api/v1/segments/{segment_id}/contacts").json()
    assert [item["id"] for item in listed["items"]] == [people["li"].pk]


def test_another_workspace_neither_sees_nor_counts(team_a, team_b):
    _people(team_a.owner)
    segment_id = _post(team_a.api(), "/api/v1/segments", {"name": "A", "filter": STAGE_AND_TAG}).json()["id"]
    api_b = team_b.api()
    assert api_b.get(f"/api/v1/segments/{segment_id}").status_code == 404
    assert api_b.get(f"/api/v1/segments/{segment_id}/contacts").status_code == 404
    assert api_b.delete(f"/api/v1/segments/{segment_id}").status_code == 404
    assert _post(api_b, "/api/v1/segments/count", {"filter": STAGE_AND_TAG}).json()["count"] == 0
    everyone = {"op": "and", "rules": []}
    assert _post(api_b, "/api/v1/segments/count", {"filter": everyone}).json()["count"] == 0
    assert Segment.unscoped.filter(pk=segment_id).exists()


def test_viewers_count_but_do_not_save(team_a):
    viewer = team_a.api("viewer")
    assert _post(viewer, "/api/v1/segments/count", {"filter": STAGE_AND_TAG}).status_code == 200
    assert _post(viewer, "/api/v1/segments", {"name": "x", "filter": STAGE_AND_TAG}).status_code == 403
    assert Segment.unscoped.count() == 0


def test_behaviour_conditions_ask_the_event_store(team_a):
    people = _people(team_a.owner)
    site = make_site(team_a.workspace)
    now = int(time.time() * 1000)
    identity.identify(people["wang"], site.pk, 4242, via="form")
    store = get_store()
    store.append(
        [
            event(site, now - 60_000, 1, path="/pricing", contact_id=people["zhang"].pk),
            event(site, now - 50_000, 1, path="/pricing/team", contact_id=people["zhang"].pk),
            event(site, now - 40_000, 4242, path="/pricing"),  # wang's identified visitor
            event(site, now - 30_000, 4242, path="/pricing"),
            event(site, now - 20 * 86_400_000, 2, path="/pricing", contact_id=people["li"].pk),
            event(site, now - 20 * 86_400_000, 2, path="/pricing", contact_id=people["li"].pk),
            event(site, now - 10_000, 3, kind=CUSTOM, name="form_submitted", props={"form_id": "7"},
                  contact_id=people["li"].pk),
        ]
    )  # fmt: skip
    store.process_all()
    visited = {"field": "visited_page", "op": "at_least", "value": 2, "path": "/pricing*", "days": 14}
    tree = {"op": "and", "rules": [visited]}
    found = {c.pk for c in segments.filtered_contacts(team_a.workspace, tree)}
    assert found == {people["zhang"].pk, people["wang"].pk}
    not_visited = {"op": "not", "rules": [visited]}
    assert {c.pk for c in segments.filtered_contacts(team_a.workspace, not_visited)} == {people["li"].pk}
    form = {"field": "submitted_form", "op": "at_least", "value": 1, "form_id": "7", "days": 1}
    assert [c.pk for c in segments.filtered_contacts(team_a.workspace, {"op": "or", "rules": [form]})] == [
        people["li"].pk
    ]


def test_erasing_a_contact_takes_its_id_out_of_the_event_store(team_a):
    contact = make_contact(team_a.owner)
    site = make_site(team_a.workspace)
    store = get_store()
    store.append([event(site, int(time.time() * 1000), 1, path="/pricing", contact_id=contact.pk)])
    store.process_all()
    counts = privacy.erase_contact(team_a.owner, contact.pk)
    assert counts["events_anonymised"] == 1
    from netmark.analytics.stores.base import Behaviour

    assert store.contacts_with(team_a.workspace.pk, Behaviour("page", "/pricing"), 0) == set()


def test_segment_contacts_is_the_door_for_other_apps(team_a):
    people = _people(team_a.owner)
    segment = segments.create_segment(team_a.owner, name="展会", filter=STAGE_AND_TAG)
    assert list(segments.segment_contacts(segment)) == [people["zhang"]]
    with pytest.raises(ValidationFailed):
        segments.create_segment(team_a.owner, name=" ", filter=STAGE_AND_TAG)


def test_consent_conditions_follow_the_latest_statement_through_merges(team_a):
    from datetime import UTC, datetime

    from netmark.contacts import consent, merging
    from netmark.contacts.models import ConsentState, SegmentMember

    keep = make_contact(team_a.owner, name="张伟", email="zw@example.com")
    other = make_contact(team_a.owner, name="张伟", email="", phone="13800138001")
    consent.record_consent(other, "email_marketing", "granted", at=datetime(2026, 10, 2, tzinfo=UTC))
    consent.record_consent(keep, "email_marketing", "withdrawn", at=datetime(2026, 10, 1, tzinfo=UTC))
    static = segments.create_segment(team_a.owner, name="名单", kind="static")
    segments.change_members(team_a.owner, static.pk, add=[other.pk])
    granted = {"op": "and", "rules": [{"field": "consent", "op": "granted", "purpose": "email_marketing"}]}
    assert [c.pk for c in segments.filtered_contacts(team_a.workspace, granted)] == [other.pk]
    merging.merge_contacts(team_a.owner, keep.pk, other.pk)
    assert [c.pk for c in segments.filtered_contacts(team_a.workspace, granted)] == [keep.pk]
    assert ConsentState.unscoped.get(contact=keep).status == "granted"  # the later statement wins
    assert list(SegmentMember.unscoped.values_list("contact_id", flat=True)) == [keep.pk]
