"""CSV exports escape formulas (CSV-OUT); imported campaign names are escaped in pages (XSS);
every roi page renders for a viewer."""

import csv
import io

import pytest
from django.urls import reverse

from netmark.core.roles import Role
from netmark.roi import exchange, services

pytestmark = pytest.mark.django_db
PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))


@pytest.fixture
def hostile(team_a):
    text = (
        f'date,account,campaign,ad_group,cost\n2026-10-12,meta:act_1,=HYPERLINK("http://x"),{PAYLOAD},12.5\n'
    )
    return services.import_costs(team_a.owner, text.encode(), filename=f"{PAYLOAD}.csv")


def test_formula_cells_are_escaped_in_the_costs_export(team_a, hostile):
    table = rows(exchange.export_costs(team_a.workspace))
    header, line = table[0], table[1]
    assert line[header.index("campaign")] == '\'=HYPERLINK("http://x")'
    assert line[header.index("amount")] == "12.50"


def test_a_negative_profit_stays_a_number(team_a, presale):
    services.create_cost(
        team_a.owner, kind="agency", spent_on=presale.starts_on, amount="100", plan_id=presale.pk
    )
    result = services.evaluate_plan(presale)
    result["money"]["revenue"] = result["money"]["profit"] = None
    data = exchange.export_evaluation({**result, "money": {**result["money"], "profit": -100}})
    assert "-100" in data.decode("utf-8-sig")
    assert "'-100" not in data.decode("utf-8-sig")


def page(client, name, slug, *args):
    return client.get(reverse(f"roi:{name}", args=[slug, *args]))


def test_imported_names_are_escaped_in_pages(team_a, hostile):
    client = team_a.browser_client(Role.VIEWER)
    for name, args in [("cost_list", ()), ("import_detail", (hostile.pk,)), ("import_list", ())]:
        html = page(client, name, team_a.workspace.slug, *args).content.decode()
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html


def test_every_page_renders_for_a_viewer(team_a, presale, hostile):
    services.create_due_evaluations(today=presale.ends_on.replace(day=26))
    evaluation = services.list_evaluations(team_a.workspace).get()
    client = team_a.browser_client(Role.VIEWER)
    slug = team_a.workspace.slug
    for name, args in [
        ("cost_list", ()), ("import_list", ()), ("mapping_list", ()), ("rate_list", ()),
        ("plan_evaluation", (presale.pk,)), ("channel_performance", ()), ("evaluation_list", ()),
        ("evaluation_detail", (evaluation.pk,)), ("cost_export", ()), ("channel_performance_export", ()),
        ("evaluation_export", ()), ("plan_evaluation_export", (presale.pk,)), ("rate_export", ()),
        ("mapping_export", ()), ("import_errors", (hostile.pk,)),
    ]:  # fmt: skip
        assert page(client, name, slug, *args).status_code == 200, name
    assert page(client, "cost_create", slug).status_code == 403
    assert page(client, "import_upload", slug).status_code == 403


def test_the_import_wizard_previews_then_applies(team_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = team_a.browser_client(Role.IMPLEMENTER)
    slug = team_a.workspace.slug
    data = b"date,account,campaign,cost\n2026-10-12,baidu:a,b,1.5\n"
    answer = client.post(
        reverse("roi:import_upload", args=[slug]), {"file": SimpleUploadedFile("a.csv", data)}
    )
    assert answer.status_code == 302
    detail = answer["Location"]
    assert b"data-preview-row" in client.get(detail).content
    pk = int(detail.rstrip("/").rsplit("/", 1)[1])
    assert client.post(reverse("roi:import_apply", args=[slug, pk]), {"partial": "0"}).status_code == 302
    assert services.list_costs(team_a.workspace).count() == 1


def test_lessons_page_writes_for_the_owner_only(team_a, presale):
    services.create_due_evaluations(today=presale.ends_on.replace(day=26))
    evaluation = services.list_evaluations(team_a.workspace).get()
    target = reverse("roi:evaluation_detail", args=[team_a.workspace.slug, evaluation.pk])
    team_a.browser_client(Role.IMPLEMENTER).post(target, {"worked": "不该保存"})
    evaluation.refresh_from_db()
    assert evaluation.worked == ""
    assert team_a.browser_client(Role.OWNER).post(target, {"worked": "保存了"}).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.worked == "保存了"
