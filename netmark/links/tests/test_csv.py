"""CSV import and export of links through the API: GBK in, row-by-row errors, BOM out, round trip."""

import codecs
import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.links.models import Link

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, name: str = "links.csv"):
    return client.post(
        "/api/v1/links/import", {"file": SimpleUploadedFile(name, data, content_type="text/csv")}
    )


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_a_gbk_file_with_chinese_headers_creates_links(team_a, plan, weibo, fair):
    text = (
        "推广计划,渠道,名称,目标网址,内容\r\n"
        f"{plan.name},云岭茶业微博,微博置顶,https://yunling-tea.example/a,Top Banner\r\n"
        f"#{plan.pk},offline_events,展台海报,https://yunling-tea.example/b,\r\n"
    )
    response = upload(team_a.api(Role.IMPLEMENTER), text.encode("gbk"))
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0}
    links = {link.name: link for link in scoped(Link, team_a.workspace)}
    assert (links["微博置顶"].channel_account_id, links["微博置顶"].utm_content) == (weibo.pk, "top-banner")
    assert (links["展台海报"].channel_account_id, links["展台海报"].utm_medium) == (fair.pk, "offline")


def test_a_file_with_bad_rows_imports_nothing_and_names_every_problem(team_a, plan, weibo):
    text = (
        "plan,channel,destination,utm_campaign,active\r\n"
        f"{plan.name},云岭茶业微博,https://yunling-tea.example/ok,,yes\r\n"
        f"{plan.name},云岭茶业微博,javascript:alert(1),,yes\r\n"
        f"没有这个计划,云岭茶业微博,https://yunling-tea.example/c,,maybe\r\n"
        f"{plan.name},云岭茶业微博,https://yunling-tea.example/d,双十一,yes\r\n"
        f"{plan.name},云岭茶业微博,https://yunling-tea.example/ok,,yes\r\n"
    )
    response = upload(team_a.api(), text.encode("utf-8"))
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["message"]) == ("import_failed", "4 row(s) have errors; nothing was imported.")
    assert set(body["fields"]) == {"3:destination", "4:plan", "4:active", "5:utm_campaign", "6"}
    assert body["fields"]["6"] == "This row repeats row 2."
    assert not scoped(Link, team_a.workspace).exists()


def test_missing_columns_and_unreadable_files_answer_422(team_a):
    missing = upload(team_a.api(), b"destination\r\nhttps://a.example/\r\n")
    assert (missing.status_code, set(missing.json()["fields"])) == (422, {"1:plan", "1:channel"})
    garbage = upload(team_a.api(), b"\xff\xfe\x00\x00\x81")
    assert (garbage.status_code, garbage.json()["code"]) == (422, "csv_error")


def test_viewer_cannot_import(team_a, plan, weibo):
    text = f"plan,channel,destination\r\n{plan.name},云岭茶业微博,https://a.example/\r\n"
    assert upload(team_a.api(Role.VIEWER), text.encode()).status_code == 403
    assert not scoped(Link, team_a.workspace).exists()


def test_export_is_utf8_with_bom_and_defuses_formulas(team_a, plan, weibo, link):
    link.name = "=HYPERLINK(1)"
    link.save()
    response = team_a.api(Role.VIEWER).get("/api/v1/links/export", {"chinese_headers": "true"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(codecs.BOM_UTF8)
    header, row = rows_of(response)
    assert header[:5] == ["短码", "推广计划", "渠道", "名称", "目标网址"]
    assert row[:4] == [link.code, plan.name, "云岭茶业微博", "'=HYPERLINK(1)"]
    assert row[header.index("短链接")] == f"http://127.0.0.1:8000/s/{link.code}"
    assert row[header.index("点击")] == "0"


def test_an_edited_export_imports_again_as_updates(team_a, plan, weibo, link):
    exported = rows_of(team_a.api().get("/api/v1/links/export"))
    header, row = exported
    row[header.index("utm_term")] = "Gift Box"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, row])
    response = upload(team_a.api(Role.IMPLEMENTER), buffer.getvalue().encode("utf-8-sig"))
    assert response.json() == {"created": 0, "updated": 1, "unchanged": 0}
    link.refresh_from_db()
    assert link.utm_term == "gift-box"
    again = upload(team_a.api(), buffer.getvalue().encode("utf-8"))
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 1}
    assert scoped(Link, team_a.workspace).count() == 1


def test_export_and_import_stay_inside_the_workspace(team_a, team_b, plan, weibo, link):
    assert len(rows_of(team_b.api().get("/api/v1/links/export"))) == 1
    text = f"code,destination\r\n{link.code},https://evil.example/\r\n"
    response = upload(team_b.api(), text.encode())
    assert (response.status_code, set(response.json()["fields"])) == (422, {"2:code"})
    foreign = f"plan,channel,destination\r\n#{plan.pk},{weibo.pk},https://b.example/\r\n"
    assert set(upload(team_b.api(), foreign.encode()).json()["fields"]) == {"2:plan", "2:channel"}
    link.refresh_from_db()
    assert link.destination == "https://yunling-tea.example/zh/spring?ref=home#buy"
