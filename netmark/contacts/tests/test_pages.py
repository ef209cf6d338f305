from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from netmark.contacts import services
from netmark.contacts.models import Contact, ImportJob
from netmark.contacts.tests.factories import make_contact
from netmark.core.scoping import scoped

SAMPLES = Path(__file__).parent / "samples"
XSS = "<script>alert(1)</script>"


def _url(team, suffix=""):
    return f"/w/{team.workspace.slug}/contacts/{suffix}"


def test_list_searches_in_chinese_and_filters_by_stage(team_a):
    make_contact(team_a.owner, name="张伟", company_name="昆明云岭贸易有限公司", stage="qualified")
    make_contact(team_a.owner, name="王芳", email="wf@x.example", stage="lead")
    client = team_a.browser_client("viewer")
    page = client.get(_url(team_a), {"q": "云岭"}).content.decode()
    assert "张伟" in page and "王芳" not in page
    page = client.get(_url(team_a), {"stage": "lead"}).content.decode()
    assert "王芳" in page and "张伟" not in page


def test_detail_shows_the_timeline_escaped(team_a):
    contact = make_contact(team_a.owner, name=XSS)
    services.log_interaction(team_a.owner, contact.pk, "note", {"text": XSS})
    page = team_a.browser_client().get(_url(team_a, f"{contact.pk}/")).content.decode()
    assert XSS not in page and "&lt;script&gt;" in page and 'data-kind="note"' in page


def test_create_and_log_a_note(team_a):
    client = team_a.browser_client("implementer")
    response = client.post(
        _url(team_a, "new/"),
        {"name": "李娜", "phone": "+86 139 1234 0002", "stage": "lead", "tags": "A类，批发"},
    )
    assert response.status_code == 302
    contact = scoped(Contact, team_a.workspace).get()
    assert contact.phone == "+8613912340002" and contact.tags.count() == 2
    client.post(_url(team_a, f"{contact.pk}/log/"), {"kind": "call", "text": "约看样"})
    assert contact.interactions.get().payload == {"text": "约看样"}


def test_viewer_cannot_create_and_planner_cannot_erase(team_a):
    contact = make_contact(team_a.owner)
    assert team_a.browser_client("viewer").post(_url(team_a, "new/"), {"name": "x"}).status_code == 403
    assert team_a.browser_client("planner").post(_url(team_a, f"{contact.pk}/erase/")).status_code == 403
    assert team_a.browser_client().post(_url(team_a, f"{contact.pk}/erase/")).status_code == 302
    assert not scoped(Contact, team_a.workspace).exists()


def test_import_wizard_with_a_gbk_file(team_a, django_capture_on_commit_callbacks):
    client = team_a.browser_client()
    data = (SAMPLES / "contacts_excel_cn_gbk.csv").read_bytes()
    page = client.post(
        _url(team_a, "import/"), {"file": SimpleUploadedFile("名片.csv", data)}
    ).content.decode()
    assert "gb18030" in page and "data-row-errors" in page and not scoped(Contact, team_a.workspace).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(team_a, "import/"), {"confirm": "1", "map:备注": "", "map:姓名": "name"})
    assert response.status_code == 302
    job = ImportJob.unscoped.get(workspace=team_a.workspace)
    assert job.status == "done" and job.mapping["备注"] == ""
    assert "data-row-errors" in client.get(response["Location"]).content.decode()
    assert not scoped(Contact, team_a.workspace).filter(interactions__kind="note").exists()


def test_exports(team_a):
    contact = make_contact(team_a.owner, name="=1+2")
    csv = team_a.browser_client().get(_url(team_a, "export/"))
    assert csv.content.startswith(b"\xef\xbb\xbf") and b"'=1+2" in csv.content
    assert team_a.browser_client("viewer").get(_url(team_a, "export/")).status_code == 403
    one = team_a.browser_client().get(_url(team_a, f"{contact.pk}/export.json"))
    assert one.status_code == 200 and b'"=1+2"' in one.content
