from pathlib import Path

import pytest

from netmark.contacts import exporting, fields, importing, imports, services
from netmark.contacts.models import Contact, ImportJob, Interaction
from netmark.core import csvio
from netmark.core.errors import PermissionDenied, ValidationFailed
from netmark.core.scoping import scoped

SAMPLES = Path(__file__).parent / "samples"
GBK = (SAMPLES / "contacts_excel_cn_gbk.csv").read_bytes()
UTF8_BOM = (SAMPLES / "contacts_excel_cn_utf8bom.csv").read_bytes()


def _errors(outcome) -> set[tuple[int, str]]:
    return {(error["row"], error["column"]) for error in outcome.errors}


@pytest.mark.parametrize("data", [GBK, UTF8_BOM], ids=["gbk", "utf8-bom"])
def test_real_excel_files_import_with_a_row_report(team_a, data):
    outcome = importing.run(team_a.workspace, data, digest="x")
    contacts = scoped(Contact, team_a.workspace)
    # Broken rows: Excel's scientific notation, incomplete emails, an unquoted comma, two numbers.
    assert _errors(outcome) == {(9, "手机"), (11, "邮箱"), (12, "邮箱"), (13, ""), (13, "邮箱"), (21, "手机")}
    assert outcome.error_count == 6
    assert outcome.created + outcome.updated + outcome.unchanged == outcome.total - 5
    zhang = contacts.get(phone="+8613800138001")
    assert zhang.email == "zhangwei@qq.example" and zhang.company.name == "昆明云岭贸易有限公司"
    assert contacts.filter(name__startswith="张伟").count() == 1
    assert contacts.get(phone="+8613912340009").name == "孙丽"  # full-width digits
    assert contacts.get(phone="+8687165550019").email == "liangchen@mail.example"
    assert contacts.get(email="kevin.wu@harbourtea.example").phone == "+85291234567"
    assert contacts.get(phone="+8613512340005").name == "陈静"  # the later row only fills empty fields
    company = contacts.get(email="ouyang.xj@163.example").company.name
    assert company == '云南"普洱"茶文化传播有限公司'
    note = Interaction.unscoped.get(contact=contacts.get(email="heping@163.example"), kind="note")
    assert note.payload["text"].startswith("=HYPERLINK")
    assert contacts.count() == outcome.created


def test_reimport_is_idempotent(team_a):
    first = importing.run(team_a.workspace, UTF8_BOM, digest="same")
    count = scoped(Contact, team_a.workspace).count()
    notes = Interaction.unscoped.filter(workspace=team_a.workspace).count()
    again = importing.run(team_a.workspace, UTF8_BOM, digest="same")
    assert (again.created, again.updated) == (0, 0)
    assert again.unchanged == first.created + first.updated + first.unchanged
    assert scoped(Contact, team_a.workspace).count() == count
    assert Interaction.unscoped.filter(workspace=team_a.workspace).count() == notes


def test_import_dedupes_against_existing_contacts(team_a):
    existing = services.create_contact(team_a.owner, name="Zhang", phone="+86 138-0013-8001")
    importing.run(team_a.workspace, GBK, digest="x")
    existing.refresh_from_db()
    assert existing.name == "Zhang" and existing.email == "zhangwei@qq.example"


def test_dry_run_writes_nothing(team_a):
    preview = imports.preview_import(team_a.owner, GBK)
    assert preview["encoding"] == "gb18030"
    assert preview["mapping"]["姓名"] == "name" and "添加时间" in preview["ignored"]
    assert preview["dry_run"]["error_count"] == 6 and preview["dry_run"]["created"] > 20
    assert scoped(Contact, team_a.workspace).count() == 0


def test_mapping_and_custom_fields(team_a):
    fields.create_field(team_a.owner, key="budget", label="月采购", kind="number")
    data = "客户,预算,地区,标签\r\n李娜,5000,上海,A类；批发\r\n王芳,lots,杭州,\r\n".encode()
    outcome = importing.run(
        team_a.workspace, data, mapping={"客户": "name", "预算": "custom:budget"}, digest="m"
    )
    assert outcome.errors == [{"row": 3, "column": "预算", "message": "Enter a number, e.g. 1200.50."}]
    li = scoped(Contact, team_a.workspace).get(name="李娜")
    assert (li.custom, li.city) == ({"budget": 5000}, "上海")
    assert sorted(li.tags.values_list("name", flat=True)) == ["A类", "批发"]
    with pytest.raises(ValidationFailed):
        importing.run(team_a.workspace, data, mapping={"客户": "salary"})


def test_import_job_runs_with_progress(team_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.start_import(team_a.owner, UTF8_BOM, filename="名片.csv")
    job = ImportJob.unscoped.get(pk=job.pk)
    assert job.status == "done" and job.processed_rows == job.total_rows
    assert job.created_count > 20 and job.error_count == 6 and len(job.errors) == 6


def test_viewer_cannot_import(team_a):
    with pytest.raises(PermissionDenied):
        imports.start_import(team_a.member("viewer"), UTF8_BOM)


def test_export_escapes_formulas_and_reimports(team_a):
    importing.run(team_a.workspace, UTF8_BOM, digest="x")
    services.create_contact(
        team_a.owner, name="=cmd|' /C calc'!A0", email="evil@x.example", tags=["@SUM(A1)"]
    )
    data = exporting.export_contacts(team_a.workspace, services.list_contacts(team_a.workspace))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = csvio.read_rows(data)
    evil = next(row for row in rows if row["email"] == "evil@x.example")
    assert evil["name"] == "'=cmd|' /C calc'!A0" and evil["tags"] == "'@SUM(A1)"
    assert (
        next(row for row in rows if row["email"] == "zhangwei@qq.example")["phone"] == "+8613800138001"
    )  # a plain number
    again = importing.run(team_a.workspace, data, digest="y")
    assert (again.created, again.error_count) == (0, 0)


def test_finished_job_drops_the_file(team_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.start_import(team_a.owner, UTF8_BOM)
    assert bytes(ImportJob.unscoped.get(pk=job.pk).data) == b""


def test_a_job_whose_worker_died_is_run_again(team_a):
    from datetime import timedelta

    from django.utils import timezone

    job = imports.start_import(team_a.owner, UTF8_BOM, enqueue=False)
    long_ago = timezone.now() - timedelta(minutes=30)
    ImportJob.unscoped.filter(pk=job.pk).update(status="running", heartbeat_at=long_ago, created_at=long_ago)
    assert imports.recover_stale_imports() == [job.pk]
    job.refresh_from_db()
    assert job.status == "done" and job.processed_rows == job.total_rows
    assert imports.recover_stale_imports() == []


def _people(count: int, offset: int = 0) -> bytes:
    lines = ["姓名,邮箱,手机,公司,标签,备注"]
    for index in range(offset, offset + count):
        lines.append(
            f"客户{index},c{index}@example.com,1380013{index:04d},云岭{index % 3}茶业,A类,名片{index}"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def test_an_import_makes_no_query_per_row(team_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    importing.run(team_a.workspace, _people(3, 5000), digest="warm")  # the companies and the tag exist
    with CaptureQueriesContext(connection) as queries:
        outcome = importing.run(team_a.workspace, _people(1000), digest="q")
    # A fixed number a chunk on PostgreSQL; SQLite splits bulk inserts at its 999 parameters (~25).
    assert (outcome.created, len(queries) < 60) == (1000, True)
    with CaptureQueriesContext(connection) as queries:
        outcome = importing.run(team_a.workspace, _people(1000), digest="q")
    assert (outcome.unchanged, len(queries) < 15) == (1000, True)


def test_overwrite_updates_existing_contacts_and_their_search_text(team_a):
    fields.create_field(team_a.owner, key="budget", label="预算", kind="number")
    kept = services.create_contact(
        team_a.owner, name="旧名字", email="c3@example.com", custom={"budget": 10}, tags=["老客户"]
    )
    data = "姓名,邮箱,公司,标签,预算\r\n新名字,C3@Example.com,普洱古树茶庄,A类,20\r\n".encode()
    outcome = importing.run(team_a.workspace, data, digest="o", overwrite=True)
    assert (outcome.created, outcome.updated) == (0, 1)
    kept = scoped(Contact, team_a.workspace).get(pk=kept.pk)
    assert (kept.name, kept.company.name, kept.custom) == ("新名字", "普洱古树茶庄", {"budget": 20})
    assert sorted(kept.tags.values_list("name", flat=True)) == ["A类", "老客户"]
    found = services.list_contacts(team_a.workspace, query="古树")
    assert [contact.pk for contact in found] == [kept.pk]
    assert [c.pk for c in services.list_contacts(team_a.workspace, query="老客户")] == [kept.pk]
