"""The positioning pages: overview, products, audiences and messages, as each role and across workspaces."""

import json
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.positioning import services
from netmark.positioning.models import Audience, Message, Product


def url(team, name: str, *args) -> str:
    return reverse(f"positioning:{name}", args=[team.workspace.slug, *args])


def browser(team, role=Role.OWNER, language: str = "en") -> Client:
    """A signed-in client of ``team``'s ``role`` that chose ``language`` with the language switch."""
    client = team.browser_client(role)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def tea(team_a):
    """A product, an audience and a message of workspace A."""
    product = services.create_product(team_a.owner, name="明前龙井 250g", price="268.00")
    audience = services.create_audience(
        team_a.owner,
        name="上海白领 Office workers",
        characteristics="25-35 岁，午休喝茶",
        channel_presence={"wechat_official": 80, "zhihu": 35},
    )
    message = services.create_message(
        team_a.owner,
        title="午后一杯好茶",
        audience_id=audience.pk,
        product_id=product.pk,
        value_proposition="三分钟泡出明前龙井的鲜爽",
    )
    return product, audience, message


READ_PAGES = {
    "overview": "午后一杯好茶",
    "product_list": "明前龙井 250g",
    "audience_list": "上海白领 Office workers",
    "message_list": "三分钟泡出明前龙井的鲜爽",
}


@pytest.mark.parametrize(("page", "shown"), READ_PAGES.items())
def test_viewer_reads_every_positioning_page(team_a, tea, page, shown):
    response = browser(team_a, Role.VIEWER).get(url(team_a, page))
    assert response.status_code == 200
    assert shown in response.text


def test_root_of_positioning_redirects_to_the_overview(team_a):
    response = browser(team_a, Role.VIEWER).get(f"/w/{team_a.workspace.slug}/positioning/")
    assert response.status_code == 302
    assert response["Location"] == url(team_a, "overview")


def test_signed_out_visitor_is_sent_to_sign_in(team_a):
    response = Client().get(url(team_a, "product_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("page", READ_PAGES)
def test_another_workspaces_slug_is_not_found(team_a, team_b, page):
    response = browser(team_b, Role.OWNER).get(url(team_a, page))
    assert response.status_code == 404


def test_viewer_sees_no_write_buttons(team_a, tea):
    product, _audience, _message = tea
    page = browser(team_a, Role.VIEWER).get(url(team_a, "product_list")).text
    assert url(team_a, "product_create") not in page
    assert url(team_a, "product_edit", product.pk) not in page
    assert url(team_a, "product_delete", product.pk) not in page


def test_planner_sees_edit_but_not_delete(team_a, tea):
    product, _audience, _message = tea
    page = browser(team_a, Role.PLANNER).get(url(team_a, "product_list")).text
    assert url(team_a, "product_create") in page
    assert url(team_a, "product_edit", product.pk) in page
    assert url(team_a, "product_delete", product.pk) not in page


def test_owner_sees_delete(team_a, tea):
    product, _audience, _message = tea
    page = browser(team_a, Role.OWNER).get(url(team_a, "product_list")).text
    assert url(team_a, "product_delete", product.pk) in page


# Products


def test_planner_creates_product_with_chinese_name(team_a):
    client = browser(team_a, Role.PLANNER)
    response = client.post(
        url(team_a, "product_create"),
        {
            "name": "云岭普洱 357g 饼",
            "price": "268.00",
            "currency": "CNY",
            "status": "active",
            "description": "古树",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url(team_a, "product_list")
    product = scoped(Product, team_a.workspace).get()
    assert (product.name, str(product.price), product.description) == ("云岭普洱 357g 饼", "268.00", "古树")
    assert "云岭普洱 357g 饼" in client.get(url(team_a, "product_list")).text


@pytest.mark.parametrize("role", [Role.VIEWER, Role.IMPLEMENTER])
def test_viewer_and_implementer_cannot_create_product(team_a, role):
    response = browser(team_a, role).post(
        url(team_a, "product_create"), {"name": "绿茶", "currency": "CNY", "status": "active"}
    )
    assert response.status_code == 403
    assert not scoped(Product, team_a.workspace).exists()


def test_viewer_cannot_edit_product(team_a, tea):
    product, _audience, _message = tea
    response = browser(team_a, Role.VIEWER).post(
        url(team_a, "product_edit", product.pk), {"name": "改名", "currency": "CNY", "status": "active"}
    )
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.name == "明前龙井 250g"


def test_planner_edits_product(team_a, tea):
    product, _audience, _message = tea
    client = browser(team_a, Role.PLANNER)
    form = client.get(url(team_a, "product_edit", product.pk))
    assert 'value="明前龙井 250g"' in form.text
    response = client.post(
        url(team_a, "product_edit", product.pk),
        {"name": "明前龙井 500g", "price": "498", "currency": "CNY", "status": "retired"},
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, str(product.price), product.status) == ("明前龙井 500g", "498.00", "retired")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PLANNER])
def test_only_owners_delete_products(team_a, tea, role):
    product, _audience, _message = tea
    response = browser(team_a, role).post(url(team_a, "product_delete", product.pk))
    assert response.status_code == 403
    assert scoped(Product, team_a.workspace).filter(pk=product.pk).exists()


def test_owner_confirms_then_deletes_product(team_a, tea):
    product, _audience, _message = tea
    client = browser(team_a, Role.OWNER)
    confirm = client.get(url(team_a, "product_delete", product.pk))
    assert confirm.status_code == 200
    assert "明前龙井 250g" in confirm.text
    response = client.post(url(team_a, "product_delete", product.pk))
    assert response.status_code == 302
    assert not scoped(Product, team_a.workspace).exists()
    assert not scoped(Message, team_a.workspace).exists()


def test_duplicate_product_name_is_shown_on_the_form(team_a, tea):
    response = browser(team_a).post(
        url(team_a, "product_create"), {"name": "明前龙井 250g", "currency": "CNY", "status": "active"}
    )
    assert response.status_code == 200
    assert "already exists" in response.text
    assert scoped(Product, team_a.workspace).count() == 1


def test_bad_price_is_shown_next_to_the_field(team_a):
    response = browser(team_a).post(
        url(team_a, "product_create"),
        {"name": "红茶", "price": "很多", "currency": "CNY", "status": "active"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["price"] == ["Enter a number."]
    assert not scoped(Product, team_a.workspace).exists()


def test_foreign_product_under_own_slug_is_not_found(team_a, team_b):
    foreign = services.create_product(team_b.owner, name="B 的茶")
    client = browser(team_a, Role.OWNER)
    assert client.get(url(team_a, "product_edit", foreign.pk)).status_code == 404
    edit = client.post(
        url(team_a, "product_edit", foreign.pk), {"name": "偷改", "currency": "CNY", "status": "active"}
    )
    assert edit.status_code == 404
    assert client.post(url(team_a, "product_delete", foreign.pk)).status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "B 的茶"


def test_products_filter_by_status_and_search(team_a):
    services.create_product(team_a.owner, name="白茶 White", status="active")
    services.create_product(team_a.owner, name="黑茶 Dark", status="retired")
    client = browser(team_a, Role.VIEWER)
    retired = client.get(url(team_a, "product_list"), {"status": "retired"})
    assert [p.name for p in retired.context["page_obj"]] == ["黑茶 Dark"]
    searched = client.get(url(team_a, "product_list"), {"q": "白茶"})
    assert [p.name for p in searched.context["page_obj"]] == ["白茶 White"]


# Audiences


def test_planner_creates_audience_with_channel_presence(team_a):
    response = browser(team_a, Role.PLANNER).post(
        url(team_a, "audience_create"),
        {
            "name": "大学生 Students",
            "needs": "便宜、提神",
            "languages": ["zh-hans"],
            "presence_weibo": "70",
            "presence_douban": "40",
            "presence_zhihu": "",
            "presence_email": "0",
        },
    )
    assert response.status_code == 302
    audience = scoped(Audience, team_a.workspace).get()
    assert audience.channel_presence == {"weibo": 70, "douban": 40}
    assert (audience.needs, audience.languages) == ("便宜、提神", ["zh-hans"])


def test_presence_weight_over_100_is_refused_on_its_field(team_a):
    response = browser(team_a).post(url(team_a, "audience_create"), {"name": "学生", "presence_weibo": "150"})
    assert response.status_code == 200
    assert response.context["form"].errors["presence_weibo"] == [
        "Ensure this value is less than or equal to 100."
    ]
    assert not scoped(Audience, team_a.workspace).exists()


def test_audience_form_names_channels_in_the_ui_language(team_a):
    chinese = browser(team_a, Role.PLANNER, "zh-hans").get(url(team_a, "audience_create"))
    english = browser(team_a, Role.PLANNER, "en").get(url(team_a, "audience_create"))
    assert "微信公众号" in chinese.text
    assert "WeChat official account" in english.text
    assert "微信公众号" not in english.text


def test_audience_edit_shows_and_replaces_the_weights(team_a, tea):
    _product, audience, _message = tea
    client = browser(team_a, Role.PLANNER)
    form = client.get(url(team_a, "audience_edit", audience.pk))
    assert form.context["form"]["presence_wechat_official"].value() == 80
    response = client.post(
        url(team_a, "audience_edit", audience.pk), {"name": audience.name, "presence_linkedin": "15"}
    )
    assert response.status_code == 302
    audience.refresh_from_db()
    assert audience.channel_presence == {"linkedin": 15}


def test_viewer_cannot_edit_or_delete_audience(team_a, tea):
    _product, audience, _message = tea
    client = browser(team_a, Role.VIEWER)
    assert client.post(url(team_a, "audience_edit", audience.pk), {"name": "改"}).status_code == 403
    assert client.post(url(team_a, "audience_delete", audience.pk)).status_code == 403
    audience.refresh_from_db()
    assert audience.name == "上海白领 Office workers"


def test_foreign_audience_under_own_slug_is_not_found(team_a, team_b):
    foreign = services.create_audience(team_b.owner, name="B 的人群")
    client = browser(team_a, Role.OWNER)
    assert client.get(url(team_a, "audience_edit", foreign.pk)).status_code == 404
    assert client.post(url(team_a, "audience_delete", foreign.pk)).status_code == 404
    assert scoped(Audience, team_b.workspace).filter(pk=foreign.pk).exists()


# Messages


def test_planner_writes_message_with_proof_points(team_a, tea):
    product, audience, _message = tea
    response = browser(team_a, Role.PLANNER).post(
        url(team_a, "message_create"),
        {
            "title": "开学季 · Back to school",
            "audience_id": str(audience.pk),
            "product_id": str(product.pk),
            "value_proposition": "一包顶一天",
            "proof_points": "明前采摘\n\n  三道工序 ",
            "tone": "playful",
            "language": "zh-hans",
        },
    )
    assert response.status_code == 302
    message = scoped(Message, team_a.workspace).get(title="开学季 · Back to school")
    assert (message.proof_points, message.tone, message.audience_id) == (
        ["明前采摘", "三道工序"],
        "playful",
        audience.pk,
    )


def test_message_form_offers_only_this_workspaces_products(team_a, team_b, tea):
    _product, audience, _message = tea
    foreign = services.create_product(team_b.owner, name="B 的茶")
    client = browser(team_a, Role.PLANNER)
    response = client.post(
        url(team_a, "message_create"),
        {
            "title": "借用",
            "audience_id": str(audience.pk),
            "product_id": str(foreign.pk),
            "value_proposition": "x",
            "tone": "friendly",
            "language": "zh-hans",
        },
    )
    assert response.status_code == 200
    assert "product_id" in response.context["form"].errors
    assert not scoped(Message, team_a.workspace).filter(title="借用").exists()


def test_messages_filter_by_audience_and_product(team_a, tea):
    product, audience, message = tea
    other = services.create_audience(team_a.owner, name="学生")
    services.create_message(
        team_a.owner, title="学生特惠", audience_id=other.pk, product_id=product.pk, value_proposition="便宜"
    )
    client = browser(team_a, Role.VIEWER)
    by_audience = client.get(url(team_a, "message_list"), {"audience": audience.pk})
    assert [m.title for m in by_audience.context["page_obj"]] == [message.title]
    by_product = client.get(url(team_a, "message_list"), {"product": product.pk})
    assert sorted(m.title for m in by_product.context["page_obj"]) == sorted([message.title, "学生特惠"])


def test_viewer_cannot_create_audience_or_write_messages(team_a, tea):
    product, audience, message = tea
    client = browser(team_a, Role.VIEWER)
    body = {
        "title": "改",
        "audience_id": str(audience.pk),
        "product_id": str(product.pk),
        "value_proposition": "改",
        "tone": "friendly",
        "language": "zh-hans",
    }
    assert client.post(url(team_a, "audience_create"), {"name": "新人群"}).status_code == 403
    assert client.post(url(team_a, "message_create"), body).status_code == 403
    assert client.post(url(team_a, "message_edit", message.pk), body).status_code == 403
    message.refresh_from_db()
    assert (message.title, scoped(Message, team_a.workspace).count()) == ("午后一杯好茶", 1)
    assert scoped(Audience, team_a.workspace).count() == 1


def test_viewer_cannot_delete_message_and_foreign_message_is_not_found(team_a, team_b, tea):
    _product, _audience, message = tea
    assert browser(team_a, Role.VIEWER).post(url(team_a, "message_delete", message.pk)).status_code == 403
    assert browser(team_b, Role.OWNER).post(url(team_b, "message_delete", message.pk)).status_code == 404
    assert scoped(Message, team_a.workspace).filter(pk=message.pk).exists()


# Overview


def test_overview_shows_presence_chart_data_and_messages_per_product(team_a, tea):
    product, audience, message = tea
    response = browser(team_a, Role.VIEWER, "zh-hans").get(url(team_a, "overview"))
    assert response.status_code == 200
    found = re.search(rf'<script id="presence-{audience.pk}"[^>]*>(.*?)</script>', response.text)
    assert json.loads(found.group(1)) == {
        "categories": ["微信公众号", "知乎"],
        "series": [{"name": "触达度（0–100）", "data": [80, 35]}],
    }
    assert f'data-bar-chart="presence-{audience.pk}"' in response.text
    card = response.context["cards"][0]
    assert card["products"] == [(product, [message])]
    assert "午后一杯好茶" in response.text
    assert 'src="/static/web/charts.js"' in response.text


def test_overview_without_audiences_points_to_the_first_steps(team_a):
    response = browser(team_a, Role.VIEWER).get(url(team_a, "overview"))
    assert response.status_code == 200
    assert response.context["cards"] == []
    assert url(team_a, "audience_list") in response.text


def test_overview_escapes_audience_text(team_a):
    services.create_audience(team_a.owner, name='<script>alert("x")</script>', channel_presence={"weibo": 10})
    response = browser(team_a, Role.VIEWER).get(url(team_a, "overview"))
    assert '<script>alert("x")</script>' not in response.text
    assert "&lt;script&gt;" in response.text
