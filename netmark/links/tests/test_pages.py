"""Links pages: every role reads them, only executors write, owners delete; imports, exports,
mappings and conventions; another workspace's ids are not found."""

import codecs

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from netmark.analytics import services as analytics
from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.links import services
from netmark.links.models import Link, UtmMapping
from netmark.links.tests.factories import DESTINATION, make_link
from netmark.planning.tests.factories import make_channel, make_plan

pytestmark = pytest.mark.django_db


def url(team, name: str, *args) -> str:
    return reverse(f"links:{name}", args=[team.workspace.slug, *args])


def link_form(plan, channel, **fields) -> dict:
    data = {
        "plan_id": plan.pk,
        "channel_account_id": channel.pk,
        "destination": DESTINATION,
        "is_active": "on",
    }
    return {**data, **fields}


@pytest.mark.parametrize("role", Role.values)
def test_every_role_sees_the_list_with_raw_unique_and_bot_clicks(client, team_a, link, role):
    client.get(f"/s/{link.code}", HTTP_USER_AGENT="Mozilla/5.0 (compatible; Googlebot/2.1)")
    client.get(f"/s/{link.code}", HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
    analytics.process_pending()
    response = team_a.browser_client(role).get(url(team_a, "link_list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert f"http://127.0.0.1:8000/s/{link.code}" in text
    row = text[text.index(f'data-link="{link.code}"') :]
    assert '<td class="num" data-clicks="raw">2</td>' in row
    assert '<td class="num" data-clicks="unique">1</td>' in row
    assert '<td class="num muted" data-clicks="bots">1</td>' in row
    assert row.count('<td class="num">—</td>') == 2  # visits and conversions: not measured yet
    assert ("New link" in text) == (role != Role.VIEWER)
    assert (f"/links/{link.pk}/delete/" in text) == (role == Role.OWNER)


def test_list_filters_by_promotion(team_a, plan, weibo, link):
    summer = make_plan(team_a.owner, name="夏季冷泡", utm_campaign="cold-brew")
    other = make_link(team_a.owner, summer, weibo, name="冷泡茶 Cold brew")
    text = team_a.browser_client().get(url(team_a, "link_list"), {"plan": summer.pk}).content.decode()
    assert other.code in text and link.code not in text


def test_viewer_cannot_create_edit_or_delete(team_a, plan, weibo, link):
    client = team_a.browser_client(Role.VIEWER)
    assert client.get(url(team_a, "link_create")).status_code == 403
    assert client.post(url(team_a, "link_create"), link_form(plan, weibo, utm_content="x")).status_code == 403
    assert (
        client.post(url(team_a, "link_edit", link.pk), link_form(plan, weibo, name="改")).status_code == 403
    )
    assert client.post(url(team_a, "link_delete", link.pk)).status_code == 403
    assert client.post(url(team_a, "link_import")).status_code == 403
    assert scoped(Link, team_a.workspace).count() == 1


def test_implementer_creates_a_link_and_sees_validation_on_the_fields(team_a, plan, weibo):
    client = team_a.browser_client(Role.IMPLEMENTER)
    bad = client.post(url(team_a, "link_create"), link_form(plan, weibo, destination="javascript:alert(1)"))
    assert bad.status_code == 200
    assert bad.context["form"].errors["destination"] == ["Enter an http:// or https:// address."]
    chinese = client.post(url(team_a, "link_create"), link_form(plan, weibo, utm_campaign="春茶"))
    assert "pinyin" in chinese.context["form"].errors["utm_campaign"][0]
    made = client.post(
        url(team_a, "link_create"), link_form(plan, weibo, name="微博置顶", utm_term="Tea Gift")
    )
    assert made.status_code == 302
    link = scoped(Link, team_a.workspace).get()
    assert (link.name, link.utm_source, link.utm_term) == ("微博置顶", "weibo", "tea-gift")
    duplicate = client.post(url(team_a, "link_create"), link_form(plan, weibo, utm_term="tea gift"))
    assert f"Link {link.code} already leads" in duplicate.content.decode()


def test_edit_keeps_promotion_and_channel(team_a, plan, weibo, fair, link):
    summer = make_plan(team_a.owner, name="夏季")
    response = team_a.browser_client(Role.IMPLEMENTER).post(
        url(team_a, "link_edit", link.pk),
        link_form(summer, fair, destination="https://yunling-tea.example/new", name="新海报"),
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.plan_id, link.channel_account_id, link.name) == (plan.pk, weibo.pk, "新海报")
    assert link.is_active is True and link.target_url.startswith(
        "https://yunling-tea.example/new?utm_source=weibo"
    )


def test_only_owners_delete(team_a, link):
    assert team_a.browser_client(Role.PLANNER).post(url(team_a, "link_delete", link.pk)).status_code == 403
    assert team_a.browser_client(Role.OWNER).get(url(team_a, "link_delete", link.pk)).status_code == 200
    assert team_a.browser_client(Role.OWNER).post(url(team_a, "link_delete", link.pk)).status_code == 302
    assert not scoped(Link, team_a.workspace).exists()


def test_import_page_takes_a_gbk_file_and_lists_row_errors(team_a, plan, weibo):
    client = team_a.browser_client(Role.IMPLEMENTER)
    bad = "推广计划,渠道,目标网址\r\n不存在,云岭茶业微博,https://a.example/\r\n".encode("gbk")
    response = client.post(url(team_a, "link_import"), {"file": SimpleUploadedFile("坏.csv", bad)})
    assert response.status_code == 200
    assert "row 2, plan: No single promotion has this name or id." in response.content.decode()
    good = f"推广计划,渠道,目标网址,名称\r\n{plan.name},云岭茶业微博,https://a.example/,导入的\r\n".encode(
        "gbk"
    )
    response = client.post(url(team_a, "link_import"), {"file": SimpleUploadedFile("好.csv", good)})
    assert response.status_code == 302
    assert scoped(Link, team_a.workspace).get().name == "导入的"


def test_export_page_downloads_csv_with_bom_in_the_pages_language(team_a, link):
    response = team_a.browser_client(Role.VIEWER, language="zh-hans").get(url(team_a, "link_export"))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(codecs.BOM_UTF8 + "短码,推广计划".encode())
    assert link.code in response.content.decode("utf-8-sig")


def test_mapping_pages_create_list_resolve_and_delete(team_a, plan, weibo):
    client = team_a.browser_client(Role.IMPLEMENTER)
    form = {
        "utm_source": "Baidu",
        "utm_medium": "",
        "utm_campaign": "",
        "plan_id": plan.pk,
        "channel_account_id": "",
    }
    assert client.post(url(team_a, "mapping_create"), form).status_code == 302
    mapping = scoped(UtmMapping, team_a.workspace).get()
    assert (mapping.utm_source, mapping.channel_account_id) == ("baidu", None)
    empty = client.post(url(team_a, "mapping_create"), {**form, "utm_source": ""})
    assert "Give at least one of utm_source" in empty.content.decode()
    page = client.get(url(team_a, "mapping_list"), {"source": "BAIDU", "medium": "cpc"}).content.decode()
    assert "Promotion: <strong>春茶上新 Spring launch</strong>" in page
    unknown = client.get(url(team_a, "mapping_list"), {"source": "tiktok"}).content.decode()
    assert "No promotion: these values are not attributed." in unknown
    assert client.post(url(team_a, "mapping_delete", mapping.pk)).status_code == 403
    assert team_a.browser_client().post(url(team_a, "mapping_delete", mapping.pk)).status_code == 302
    assert not scoped(UtmMapping, team_a.workspace).exists()


def test_conventions_page_is_for_planners(team_a):
    data = {"separator": "_", "allowed_mediums": "CPC\nsocial\n\n"}
    assert team_a.browser_client(Role.IMPLEMENTER).post(url(team_a, "conventions"), data).status_code == 403
    assert team_a.browser_client(Role.PLANNER).post(url(team_a, "conventions"), data).status_code == 302
    conventions = services.get_conventions(team_a.workspace)
    assert (conventions.separator, conventions.allowed_mediums) == ("_", ["cpc", "social"])


def test_another_workspaces_link_and_mapping_ids_are_not_found(team_a, team_b, link, plan):
    theirs = make_link(team_b.owner, make_plan(team_b.owner), make_channel(team_b.owner))
    mapping = services.create_mapping(team_b.owner, plan_id=theirs.plan_id, utm_source="x")
    client = team_a.browser_client(Role.OWNER)
    for name in ("link_edit", "link_delete", "link_qr_png", "link_qr_svg"):
        assert client.get(url(team_a, name, theirs.pk)).status_code == 404
    assert client.post(url(team_a, "link_delete", theirs.pk)).status_code == 404
    for name in ("mapping_edit", "mapping_delete"):
        assert client.get(url(team_a, name, mapping.pk)).status_code == 404
    assert client.get(reverse("links:link_list", args=[team_b.workspace.slug])).status_code == 404
    assert scoped(Link, team_b.workspace).count() == 1


def test_navigation_lists_links_and_mappings_under_execution(team_a):
    text = team_a.browser_client(Role.VIEWER).get(url(team_a, "link_list")).content.decode()
    assert '<p class="nav-heading">Execution</p>' in text
    assert 'data-nav="links.links"' in text and 'data-nav="links.mappings"' in text
