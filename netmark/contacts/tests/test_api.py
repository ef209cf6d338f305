import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from netmark.contacts.models import Contact
from netmark.contacts.tests.factories import make_contact
from netmark.core.scoping import scoped

SAMPLES = Path(__file__).parent / "samples"


def _post(client, path, data):
    return client.post(path, data, content_type="application/json")


def test_create_list_search_and_filter(team_a):
    api = team_a.api()
    response = _post(
        api,
        "/api/v1/contacts",
        {
            "name": "张伟",
            "phone": "+86 138-0013-8001",
            "stage": "qualified",
            "company_name": "昆明云岭贸易有限公司",
            "tags": ["展会"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["phone"], body["company"]["name"], body["tags"]) == (
        "+8613800138001",
        "昆明云岭贸易有限公司",
        ["展会"],
    )
    make_contact(team_a.owner, name="王芳", stage="lead")
    found = api.get("/api/v1/contacts", {"q": "云岭"}).json()
    assert [item["name"] for item in found["items"]] == ["张伟"]
    assert api.get("/api/v1/contacts", {"stage": "lead"}).json()["count"] == 1


def test_duplicate_is_409_and_bad_input_is_422(team_a):
    api = team_a.api()
    make_contact(team_a.owner, phone="13800138001")
    response = _post(api, "/api/v1/contacts", {"name": "x", "phone": "0086 138 0013 8001"})
    assert response.status_code == 409 and set(response.json()["fields"]) == {"phone"}
    response = _post(api, "/api/v1/contacts", {"email": "nope@", "stage": "vip"})
    assert response.status_code == 422 and "stage" in response.json()["fields"]
    response = _post(api, "/api/v1/contacts", {"email": "nope@"})
    assert (response.status_code, set(response.json()["fields"])) == (422, {"email"})
    assert api.get("/api/v1/contacts/1/timeline", {"before": "garbage"}).status_code in (404, 422)


def test_timeline_interactions_and_consent_through_the_api(team_a):
    api = team_a.api()
    contact = make_contact(team_a.owner)
    base = f"/api/v1/contacts/{contact.pk}"
    for index in range(3):
        response = _post(
            api,
            f"{base}/interactions",
            {
                "kind": "call",
                "payload": {"text": f"第{index}次"},
                "occurred_at": f"2026-10-1{index}T09:00:00+08:00",
            },
        )
        assert response.status_code == 201, response.content
    assert _post(api, f"{base}/interactions", {"kind": "identified", "payload": {}}).status_code == 422
    page = api.get(f"{base}/timeline", {"limit": 2}).json()
    assert [e["payload"]["text"] for e in page["items"]] == ["第2次", "第1次"] and page["next_cursor"]
    rest = api.get(f"{base}/timeline", {"limit": 2, "before": page["next_cursor"]}).json()
    assert [e["payload"]["text"] for e in rest["items"]] == ["第0次"] and rest["next_cursor"] == ""
    response = _post(
        api, f"{base}/consent", {"purpose": "email_marketing", "status": "granted", "form_id": "f9"}
    )
    assert response.status_code == 201 and len(response.json()["ip_hash"]) == 32
    summary = api.get(f"{base}/consent").json()
    assert summary["purposes"]["email_marketing"] is True and summary["purposes"]["phone"] is False


def test_merge_export_and_erase(team_a):
    api = team_a.api()
    into = make_contact(team_a.owner)
    other = make_contact(team_a.owner, name="Li Na", email="", phone="13912340002")
    response = _post(api, f"/api/v1/contacts/{into.pk}/merge", {"other_id": other.pk})
    assert response.status_code == 200 and response.json()["phone"] == "+8613912340002"
    exported = api.get(f"/api/v1/contacts/{into.pk}/export")
    assert exported.status_code == 200 and json.loads(exported.content)["contact"]["id"] == into.pk
    assert team_a.api("planner").get(f"/api/v1/contacts/{into.pk}/export").status_code == 403
    assert team_a.api("planner").delete(f"/api/v1/contacts/{into.pk}").status_code == 403
    response = api.delete(f"/api/v1/contacts/{into.pk}")
    assert response.status_code == 200 and response.json()["interactions"] == 1
    assert not scoped(Contact, team_a.workspace).exists()


def test_foreign_contact_is_404_and_unchanged(team_a, team_b):
    contact = make_contact(team_a.owner)
    api_b = team_b.api()
    for response in (
        api_b.get(f"/api/v1/contacts/{contact.pk}"),
        api_b.patch(f"/api/v1/contacts/{contact.pk}", {"name": "x"}, content_type="application/json"),
        _post(
            api_b, f"/api/v1/contacts/{contact.pk}/interactions", {"kind": "note", "payload": {"text": "x"}}
        ),
        api_b.delete(f"/api/v1/contacts/{contact.pk}"),
    ):
        assert response.status_code == 404
    own = make_contact(team_b.owner)
    assert _post(api_b, f"/api/v1/contacts/{own.pk}/merge", {"other_id": contact.pk}).status_code == 404
    contact.refresh_from_db()
    assert contact.name == "李娜 Li Na"


def test_import_preview_job_and_export(team_a, django_capture_on_commit_callbacks):
    api = team_a.api()
    data = (SAMPLES / "contacts_excel_cn_gbk.csv").read_bytes()
    preview = api.post("/api/v1/contact-imports/preview", {"file": SimpleUploadedFile("a.csv", data)})
    assert preview.status_code == 200 and preview.json()["encoding"] == "gb18030"
    assert not scoped(Contact, team_a.workspace).exists()
    mapping = json.dumps({"添加时间": "", "备注": "note"})
    with django_capture_on_commit_callbacks(execute=True):
        job = api.post(
            "/api/v1/contact-imports", {"file": SimpleUploadedFile("a.csv", data), "mapping": mapping}
        )
    assert job.status_code == 201, job.content
    status = api.get(f"/api/v1/contact-imports/{job.json()['id']}").json()
    assert status["status"] == "done" and status["error_count"] == 6
    bad = api.post(
        "/api/v1/contact-imports", {"file": SimpleUploadedFile("a.csv", data), "mapping": "{oops}"}
    )
    assert bad.status_code == 422
    exported = api.get("/api/v1/contacts/export")
    assert exported.status_code == 200 and exported.content.startswith(b"\xef\xbb\xbf")
    assert team_a.api("viewer").get("/api/v1/contacts/export").status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"key": "Bad Key", "label": "x", "kind": "text"},
        {"key": "grade", "label": "x", "kind": "choice", "choices": []},
    ],
)
def test_custom_field_bad_input(team_a, body):
    assert _post(team_a.api(), "/api/v1/custom-fields", body).status_code == 422
