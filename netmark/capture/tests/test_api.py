"""The capture API: forms and landing pages CRUD, submissions and their CSV, refusals, tenancy."""

import json

import pytest
from django.test import Client

from netmark.capture.models import Form, LandingPage
from netmark.capture.tests.factories import FIELDS, answers, make_form
from netmark.contacts import fields as contact_fields
from netmark.core.roles import Role
from netmark.core.scoping import scoped

pytestmark = pytest.mark.django_db


def send(client, method, path, body=None):
    return getattr(client, method)(
        path, json.dumps(body) if body is not None else None, content_type="application/json"
    )


def test_create_read_update_delete_a_form(team_a):
    api = team_a.api()
    created = send(api, "post", "/api/v1/forms", {"name": "报名 Sign-up", "fields": FIELDS, "tags": ["春茶"]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["hosted_url"].endswith(f"/f/{body['public_id']}/")
    assert body["embed_script_url"].endswith("/embed.js") and body["iframe_url"].endswith("/frame/")
    assert [field["kind"] for field in body["fields"]] == ["text", "email", "tel", "textarea"]
    assert send(api, "get", f"/api/v1/forms/{body['id']}").json()["name"] == "报名 Sign-up"
    patched = send(
        api, "patch", f"/api/v1/forms/{body['id']}", {"language": "en", "thank_you_message": "Thanks"}
    )
    assert (patched.status_code, patched.json()["language"]) == (200, "en")
    assert send(api, "get", "/api/v1/forms").json()["count"] == 1
    assert send(api, "delete", f"/api/v1/forms/{body['id']}").status_code == 204
    assert scoped(Form, team_a.workspace).count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,x",
        "//evil.example",
        "/relative",
        "ftp://x.example",
    ],
)
def test_a_redirect_url_must_be_http_or_https(team_a, url):
    response = send(
        team_a.api(), "post", "/api/v1/forms", {"name": "x", "fields": FIELDS, "redirect_url": url}
    )
    assert (response.status_code, list(response.json()["fields"])) == (422, ["redirect_url"])
    assert scoped(Form, team_a.workspace).count() == 0


@pytest.mark.parametrize(
    "fields, where",
    [
        ([{"key": "name"}], "fields"),  # neither email nor phone
        ([{"key": "email"}, {"key": "email"}], "fields.1.key"),
        ([{"key": "email"}, {"key": "password"}], "fields.1.key"),
        ([{"key": "email"}, {"key": "custom:nope"}], "fields.1.key"),
        ([{"key": "email", "kind": "select"}], "fields.0.kind"),
    ],
)
def test_bad_field_lists_are_refused_by_entry(team_a, fields, where):
    response = send(team_a.api(), "post", "/api/v1/forms", {"name": "x", "fields": fields})
    assert response.status_code == 422
    assert where in response.json()["fields"]


def test_custom_fields_map_and_required_ones_must_be_on_the_form(team_a):
    contact_fields.create_field(
        team_a.owner, key="tea", label="喜欢的茶 Tea", kind="choice", choices=["龙井", "普洱"]
    )
    ok = send(
        team_a.api(),
        "post",
        "/api/v1/forms",
        {"name": "x", "fields": [{"key": "email"}, {"key": "custom:tea"}]},
    )
    assert ok.json()["fields"][1]["kind"] == "select"
    contact_fields.create_field(team_a.owner, key="city2", label="城市", kind="text", is_required=True)
    refused = send(team_a.api(), "post", "/api/v1/forms", {"name": "x", "fields": [{"key": "email"}]})
    assert refused.status_code == 422 and "city2" in refused.json()["fields"]["fields"]


def test_a_submission_with_a_custom_choice_is_checked_against_its_choices(team_a):
    contact_fields.create_field(
        team_a.owner, key="tea", label="喜欢的茶 Tea", kind="choice", choices=["龙井", "普洱"]
    )
    form = make_form(team_a, fields=[{"key": "email", "required": True}, {"key": "custom:tea"}])
    client = Client()
    bad = client.post(
        f"/f/{form.public_id}/submit",
        json.dumps(answers(form, **{"custom:tea": "红茶"})),
        content_type="application/json",
    )
    assert (bad.status_code, list(bad.json()["fields"])) == (422, ["custom:tea"])
    good = client.post(
        f"/f/{form.public_id}/submit",
        json.dumps(answers(form, **{"custom:tea": "龙井"})),
        content_type="application/json",
    )
    assert good.status_code == 200
    from netmark.contacts.models import Contact

    assert scoped(Contact, team_a.workspace).get().custom == {"tea": "龙井"}


def test_submissions_list_and_csv_escape_formulas(team_a):
    form = make_form(team_a)
    Client().post(
        f"/f/{form.public_id}/submit",
        json.dumps(answers(form, name='=HYPERLINK("http://x")')),
        content_type="application/json",
    )
    api = team_a.api()
    listed = send(api, "get", f"/api/v1/forms/{form.pk}/submissions").json()
    assert listed["count"] == 1 and listed["items"][0]["values"]["email"] == "li.na@example.com"
    csv = api.get(f"/api/v1/forms/{form.pk}/submissions/export")
    text = csv.content.decode("utf-8-sig")
    assert csv.content.startswith(b"\xef\xbb\xbf")
    assert "'=HYPERLINK" in text and "姓名 Name" in text.splitlines()[0]


def test_landing_pages_crud_and_a_unique_address_per_workspace(team_a, team_b):
    form = make_form(team_a)
    api = team_a.api()
    body = {"slug": "spring-tea", "title": "春茶 Spring", "form_id": form.pk, "is_published": True}
    created = send(api, "post", "/api/v1/landing-pages", body)
    assert created.status_code == 201, created.content
    assert created.json()["public_url"].endswith("/p/ws-a/spring-tea/")
    assert send(api, "post", "/api/v1/landing-pages", body).status_code == 409
    other = make_form(team_b)
    assert (
        send(team_b.api(), "post", "/api/v1/landing-pages", {**body, "form_id": other.pk}).status_code == 201
    )
    page_id = created.json()["id"]
    assert (
        send(api, "patch", f"/api/v1/landing-pages/{page_id}", {"image_url": "javascript:x"}).status_code
        == 422
    )
    assert send(api, "delete", f"/api/v1/landing-pages/{page_id}").status_code == 204


def test_foreign_ids_answer_404_and_change_nothing(team_a, team_b):
    form_b = make_form(team_b)
    api_a = team_a.api()
    for method, path, body in (
        ("get", f"/api/v1/forms/{form_b.pk}", None),
        ("patch", f"/api/v1/forms/{form_b.pk}", {"name": "hijack"}),
        ("delete", f"/api/v1/forms/{form_b.pk}", None),
        ("get", f"/api/v1/forms/{form_b.pk}/submissions", None),
        ("get", f"/api/v1/forms/{form_b.pk}/submissions/export", None),
        ("post", "/api/v1/landing-pages", {"slug": "x", "title": "x", "form_id": form_b.pk}),
    ):
        assert send(api_a, method, path, body).status_code == 404
    form_b.refresh_from_db()
    assert form_b.name == "春茶试饮报名 Spring tasting"
    assert scoped(LandingPage, team_a.workspace).count() == 0


def test_viewers_read_but_do_not_write(team_a):
    form = make_form(team_a)
    viewer = team_a.api(Role.VIEWER)
    assert send(viewer, "get", f"/api/v1/forms/{form.pk}").status_code == 200
    assert send(viewer, "patch", f"/api/v1/forms/{form.pk}", {"name": "x"}).status_code == 403
    assert send(viewer, "get", f"/api/v1/forms/{form.pk}/submissions/export").status_code == 403
