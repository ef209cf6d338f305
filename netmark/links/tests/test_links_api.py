"""Links API: create, list per promotion with clicks, get, patch, delete; conventions; tenancy."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from netmark.analytics import services as analytics
from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.links.models import Link
from netmark.links.tests.factories import DESTINATION, link_body, make_link
from netmark.planning.tests.factories import make_channel, make_plan

pytestmark = pytest.mark.django_db
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/141.0 Safari/537.36"
)


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def patch(client, path, data):
    return client.patch(path, data, content_type="application/json")


def test_implementer_creates_a_link_with_defaults(team_a, plan, weibo):
    response = post(team_a.api(Role.IMPLEMENTER), "/api/v1/links", link_body(plan, weibo, name="微博置顶"))
    assert response.status_code == 201, response.content
    body = response.json()
    link = scoped(Link, team_a.workspace).get()
    assert body["code"] == link.code
    assert body["short_url"] == f"http://127.0.0.1:8000/s/{link.code}"
    assert body["qr_url"] == f"http://127.0.0.1:8000/s/{link.code}?qr=1"
    assert (body["utm_source"], body["utm_medium"], body["utm_campaign"]) == (
        "weibo",
        "social",
        "spring-launch",
    )
    assert body["destination"] == DESTINATION
    assert body["clicks"] == {"raw": 0, "unique": 0, "bots": 0}
    assert (body["visits"], body["conversions"]) == (None, None)


def test_viewer_cannot_create_a_link(team_a, plan, weibo):
    response = post(team_a.api(Role.VIEWER), "/api/v1/links", link_body(plan, weibo))
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert not scoped(Link, team_a.workspace).exists()


@pytest.mark.parametrize(
    "destination",
    ["javascript:alert(1)", "data:text/html,x", "ftp://example.com/", "vbscript:x", "//evil.example"],
)
def test_non_http_destinations_answer_422(team_a, plan, weibo, destination):
    response = post(team_a.api(), "/api/v1/links", link_body(plan, weibo, destination=destination))
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"destination"}
    assert not scoped(Link, team_a.workspace).exists()


def test_chinese_utm_values_answer_422_with_the_field(team_a, plan, weibo):
    response = post(team_a.api(), "/api/v1/links", link_body(plan, weibo, utm_campaign="双十一"))
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"utm_campaign"}


def test_a_duplicate_answers_409_with_a_useful_message(team_a, plan, weibo, link):
    response = post(team_a.api(), "/api/v1/links", link_body(plan, weibo, utm_source="WEIBO"))
    assert response.status_code == 409
    assert response.json()["message"] == (
        f"Link {link.code} already leads to this destination with the same UTM values."
    )


def test_list_filters_by_promotion_paginates_and_shows_clicks_side_by_side(client, team_a, plan, weibo, link):
    summer = make_plan(team_a.owner, name="夏季", utm_campaign="summer")
    other = make_link(team_a.owner, summer, weibo)
    for agent in (CHROME, CHROME, "Googlebot/2.1 (+http://www.google.com/bot.html)"):
        assert client.get(f"/s/{link.code}", HTTP_USER_AGENT=agent).status_code == 302
    analytics.process_pending()
    api = team_a.api(Role.VIEWER)
    page = api.get("/api/v1/links", {"plan_id": plan.pk}).json()
    assert (page["count"], [item["code"] for item in page["items"]]) == (1, [link.code])
    assert page["items"][0]["clicks"] == {"raw": 3, "unique": 1, "bots": 1}
    both = api.get("/api/v1/links", {"limit": 1}).json()
    assert (both["count"], len(both["items"]), both["items"][0]["code"]) == (2, 1, other.code)


def test_get_and_patch_and_delete(team_a, link):
    api = team_a.api(Role.PLANNER)
    assert api.get(f"/api/v1/links/{link.pk}").json()["name"] == "春茶海报 Spring poster"
    response = patch(api, f"/api/v1/links/{link.pk}", {"utm_content": "Banner A", "is_active": False})
    assert response.status_code == 200
    assert (response.json()["utm_content"], response.json()["is_active"]) == ("banner-a", False)
    assert response.json()["target_url"].endswith("&utm_content=banner-a#buy")
    assert patch(api, f"/api/v1/links/{link.pk}", {"plan_id": 1}).status_code == 422
    assert patch(api, f"/api/v1/links/{link.pk}", {"destination": None}).status_code == 422
    assert team_a.api(Role.IMPLEMENTER).delete(f"/api/v1/links/{link.pk}").status_code == 403
    assert team_a.api().delete(f"/api/v1/links/{link.pk}").status_code == 204
    assert not scoped(Link, team_a.workspace).exists()


def test_another_workspaces_ids_answer_404_and_change_nothing(team_a, team_b, plan, weibo, link):
    api_b = team_b.api()
    foreign_plan, foreign_channel = make_plan(team_b.owner), make_channel(team_b.owner)
    for path in (
        f"/api/v1/links/{link.pk}",
        f"/api/v1/links/{link.pk}/qr.png",
        f"/api/v1/links/{link.pk}/qr.svg",
    ):
        assert api_b.get(path).status_code == 404
    assert patch(api_b, f"/api/v1/links/{link.pk}", {"name": "偷改"}).status_code == 404
    assert api_b.delete(f"/api/v1/links/{link.pk}").status_code == 404
    assert api_b.get("/api/v1/links", {"plan_id": plan.pk}).json() == {"items": [], "count": 0}
    assert post(team_a.api(), "/api/v1/links", link_body(foreign_plan, weibo)).status_code == 404
    assert post(team_a.api(), "/api/v1/links", link_body(plan, foreign_channel)).status_code == 404
    link.refresh_from_db()
    assert (link.name, scoped(Link, team_a.workspace).count()) == ("春茶海报 Spring poster", 1)


def test_conventions_are_read_by_all_and_set_by_planners(team_a, plan, weibo):
    assert team_a.api(Role.VIEWER).get("/api/v1/link-conventions").json() == {
        "separator": "-",
        "allowed_mediums": [],
    }
    body = {"separator": "_", "allowed_mediums": ["CPC", "social"]}
    assert patch(team_a.api(Role.IMPLEMENTER), "/api/v1/link-conventions", body).status_code == 403
    response = patch(team_a.api(Role.PLANNER), "/api/v1/link-conventions", body)
    assert response.json() == {"separator": "_", "allowed_mediums": ["cpc", "social"]}
    fair = make_channel(team_a.owner, name="展会", channel_type="offline_events")
    refused = post(team_a.api(), "/api/v1/links", link_body(plan, fair))
    assert (refused.status_code, set(refused.json()["fields"])) == (422, {"utm_medium"})
    made = post(team_a.api(), "/api/v1/links", link_body(plan, weibo, utm_content="Top Banner"))
    assert made.json()["utm_content"] == "top_banner"


def test_the_list_costs_the_same_queries_for_five_links_as_for_one(team_a, plan, weibo, link):
    api = team_a.api(Role.VIEWER)
    api.get("/api/v1/links")  # the token's first use writes last_used_at
    with CaptureQueriesContext(connection) as one:
        assert api.get("/api/v1/links").json()["count"] == 1
    for index in range(4):
        make_link(
            team_a.owner, plan, make_channel(team_a.owner, name=f"渠道 {index}"), utm_content=f"v{index}"
        )
    with CaptureQueriesContext(connection) as five:
        assert api.get("/api/v1/links").json()["count"] == 5
    assert len(five) == len(one)
