"""A submission end to end through ``POST /f/<id>/submit``: contact, consent with proof, timeline
entry, submission row, identify, goal event after commit; and every refusal (spam, validation in the
form's language, hostile input) answered 4xx with nothing written."""

import json

import pytest
from django.test import Client

from netmark.analytics import services as analytics
from netmark.analytics.stores import get_store
from netmark.capture import submissions
from netmark.capture.models import Submission
from netmark.capture.tests.factories import answers, make_form
from netmark.contacts.models import Consent, Contact, Identity, Interaction
from netmark.contacts.services import may_contact
from netmark.core.scoping import scoped

pytestmark = pytest.mark.django_db


def post(form, data, **extra):
    return Client().post(f"/f/{form.public_id}/submit", data, REMOTE_ADDR="203.0.113.7", **extra)


def post_json(form, data, **extra):
    return Client().post(
        f"/f/{form.public_id}/submit",
        json.dumps(data),
        content_type="application/json",
        REMOTE_ADDR="203.0.113.7",
        **extra,
    )


def goal_events(workspace_id):
    """(name, contact id, props, site id) of the workspace's custom events, as the store holds them."""
    store = get_store()
    store.process()
    rows = store._fetch(
        "events", "SELECT name, contact_id, props, site_id, workspace_id FROM nm_events WHERE kind = 'event'"
    )
    return [tuple(row[:4]) for row in rows if row[4] == workspace_id]


def test_a_submission_creates_the_contact_consent_timeline_and_submission(
    team_a, django_capture_on_commit_callbacks
):
    form = make_form(team_a, tags=["春茶"])
    with django_capture_on_commit_callbacks(execute=True):
        response = post(form, answers(form, phone="138 0013 8001", message="想试喝龙井"))
    assert response.status_code == 200
    assert "谢谢！Thank you!" in response.content.decode()
    contact = scoped(Contact, team_a.workspace).get()
    assert (contact.name, contact.email, contact.phone) == (
        "李娜 Li Na",
        "li.na@example.com",
        "+8613800138001",
    )
    assert contact.source == f"form:{form.public_id}"
    assert list(contact.tags.values_list("name", flat=True)) == ["春茶"]
    consent = scoped(Consent, team_a.workspace).get()
    assert (consent.purpose, consent.status, consent.form_id) == (
        "email_marketing",
        "granted",
        form.public_id,
    )
    assert (
        consent.text == form.consent_text
        and len(consent.ip_hash) == 32
        and "203.0.113.7" not in consent.ip_hash
    )
    assert may_contact(contact, "email_marketing") is True
    entry = scoped(Interaction, team_a.workspace).get(kind="form_submission")
    assert entry.payload["form_id"] == form.public_id
    assert entry.payload["values"]["message"] == "想试喝龙井"
    submission = scoped(Submission, team_a.workspace).get()
    assert (submission.contact_id, submission.consent_given, submission.contact_created) == (
        contact.pk,
        True,
        True,
    )


def test_the_goal_event_reaches_the_event_store_after_commit(team_a, django_capture_on_commit_callbacks):
    site = analytics.create_site(team_a.owner, name="茶店 Shop", domain="shop.example.com")
    form = make_form(team_a, site_id=site.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post(form, answers(form), HTTP_USER_AGENT="Mozilla/5.0 Chrome/120")
    assert goal_events(team_a.workspace.pk) == []  # nothing before the commit
    for callback in callbacks:
        callback()
    contact = scoped(Contact, team_a.workspace).get()
    [(name, contact_id, props, site_id)] = goal_events(team_a.workspace.pk)
    assert (name, contact_id, site_id) == ("form_submitted", contact.pk, site.pk)
    assert json.loads(props) == {"form_id": form.public_id}
    identity = scoped(Identity, team_a.workspace).get()
    assert (identity.contact_id, identity.site_id, identity.via) == (contact.pk, site.pk, "form")


def test_a_second_submission_updates_the_same_contact(team_a):
    form = make_form(team_a)
    post(form, answers(form))
    response = post(form, answers(form, email=" LI.NA@example.com ", phone="+86 138-0013-8001"))
    assert response.status_code == 200
    contact = scoped(Contact, team_a.workspace).get()
    assert contact.phone == "+8613800138001"
    assert scoped(Submission, team_a.workspace).count() == 2
    assert [s.contact_created for s in scoped(Submission, team_a.workspace).order_by("pk")] == [True, False]


def test_json_submissions_answer_json_with_cors(team_a):
    form = make_form(team_a, redirect_url="https://shop.example.com/thanks")
    response = post_json(form, answers(form))
    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "message": "谢谢！Thank you!",
        "redirect_url": "https://shop.example.com/thanks",
    }
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = Client().options(f"/f/{form.public_id}/submit")
    assert (preflight.status_code, preflight["Access-Control-Allow-Methods"]) == (204, "POST, OPTIONS")


def test_a_form_with_a_redirect_sends_the_browser_there(team_a):
    form = make_form(team_a, redirect_url="https://shop.example.com/thanks")
    response = post(form, answers(form))
    assert (response.status_code, response["Location"]) == (303, "https://shop.example.com/thanks")


def test_validation_messages_come_in_chinese_per_field(team_a):
    form = make_form(team_a)
    response = post_json(form, answers(form, name="", email="不是邮箱", phone="12"))
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert fields == {
        "name": "此字段为必填项。",
        "email": "请输入邮箱地址，例如 li.na@example.com。",
        "phone": "请输入电话号码，例如 138 0013 8001。",
    }
    assert scoped(Contact, team_a.workspace).count() == 0


def test_validation_messages_of_an_english_form_are_english(team_a):
    form = make_form(team_a, language="en")
    response = post_json(form, answers(form, email=""))
    assert response.status_code == 422
    assert response.json()["fields"] == {"email": "This field is required."}


def test_a_form_encoded_error_shows_the_form_again_with_the_messages(team_a):
    form = make_form(team_a)
    response = post(form, answers(form, email="bad"))
    assert response.status_code == 422
    page = response.content.decode()
    assert "请输入邮箱地址" in page and 'value="bad"' in page and 'lang="zh-hans"' in page


def test_the_honeypot_answers_like_a_success_and_stores_nothing(team_a):
    form = make_form(team_a)
    response = post_json(form, answers(form, nm_website="http://spam.example"))
    assert (response.status_code, response.json()["ok"]) == (200, True)
    assert scoped(Contact, team_a.workspace).count() == 0
    assert scoped(Submission, team_a.workspace).count() == 0


def test_a_form_sent_faster_than_a_person_can_is_refused(team_a):
    form = make_form(team_a)
    data = answers(form, _token=submissions.render_token(form))
    response = post_json(form, data)
    assert (response.status_code, response.json()["code"]) == (422, "too_fast")
    assert scoped(Contact, team_a.workspace).count() == 0


@pytest.mark.parametrize("token", ["", "garbage", "x" * 300])
def test_a_missing_or_forged_token_is_refused(team_a, token):
    form = make_form(team_a)
    response = post_json(form, answers(form, _token=token))
    assert (response.status_code, response.json()["code"]) == (400, "form_expired")
    assert scoped(Contact, team_a.workspace).count() == 0


def test_a_token_of_another_form_or_purpose_is_refused(team_a):
    first, second = make_form(team_a), make_form(team_a, name="另一个 Other")
    from netmark.core import signing

    other_purpose = signing.sign("unsubscribe", {"f": first.public_id, "t": 0, "v": 0})
    for form, token in ((second, answers(first)["_token"]), (first, other_purpose)):
        response = post_json(form, answers(form, _token=token))
        assert response.status_code == 400
    assert scoped(Contact, team_a.workspace).count() == 0


def test_the_rate_limit_per_address_and_form(team_a, settings):
    settings.CAPTURE_SUBMITS_PER_MINUTE = 3
    form, other = make_form(team_a), make_form(team_a, name="另一个 Other")
    statuses = [post_json(form, answers(form, email=f"p{n}@example.com")).status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert post_json(other, answers(other)).status_code == 200  # another form has its own budget
    elsewhere = Client().post(
        f"/f/{form.public_id}/submit",
        json.dumps(answers(form)),
        content_type="application/json",
        REMOTE_ADDR="198.51.100.9",
    )
    assert elsewhere.status_code == 200  # another address too
    assert scoped(Submission, team_a.workspace).count() == 5


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"{", "application/json"),
        (b"[1, 2]", "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"name=%ZZ&&&", "application/x-www-form-urlencoded"),
        (b"x" * 70_000, "application/json"),
    ],
)
def test_broken_bodies_answer_4xx(team_a, body, content_type):
    form = make_form(team_a)
    response = Client().post(f"/f/{form.public_id}/submit", body, content_type=content_type)
    assert 400 <= response.status_code < 500


def test_unknown_and_inactive_forms_look_alike(team_a):
    form = make_form(team_a, is_active=False)
    for public_id in (form.public_id, "no-such-form", str(form.pk)):
        assert Client().get(f"/f/{public_id}/").status_code == 404
        assert Client().post(f"/f/{public_id}/submit", {}).status_code == 404
        assert Client().get(f"/f/{public_id}/embed.js").status_code == 404


def test_public_ids_are_long_random_tokens(team_a):
    forms = [make_form(team_a, name=f"表单 {n}") for n in range(5)]
    ids = {form.public_id for form in forms}
    assert len(ids) == 5
    assert all(
        len(public_id) >= 20 and str(form.pk) != public_id
        for form, public_id in zip(forms, ids, strict=False)
    )


def test_list_values_where_text_belongs_are_refused_not_crashing(team_a):
    form = make_form(team_a)
    response = post_json(form, answers(form, name=["a", "b"], email={"x": 1}, consent=[1]))
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"name", "email"}
