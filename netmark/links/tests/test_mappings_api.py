"""UTM mappings API: CRUD, the resolver route, conflicts and tenancy."""

import pytest

from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.links.models import UtmMapping
from netmark.planning.tests.factories import make_channel, make_plan

pytestmark = pytest.mark.django_db


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def patch(client, path, data):
    return client.patch(path, data, content_type="application/json")


def test_mapping_crud_and_resolution(team_a, plan, weibo):
    api = team_a.api(Role.IMPLEMENTER)
    created = post(
        api, "/api/v1/utm-mappings", {"utm_source": "WeChat", "utm_medium": "朋友圈", "plan_id": plan.pk}
    )
    assert created.status_code == 201, created.content
    mapping = created.json()
    assert (mapping["utm_source"], mapping["utm_medium"], mapping["utm_campaign"]) == ("wechat", "朋友圈", "")
    resolved = api.get("/api/v1/utm-mappings/resolve", {"utm_source": "wechat", "utm_medium": "朋友圈"})
    assert resolved.json() == {"plan_id": plan.pk, "channel_account_id": None}
    changed = patch(api, f"/api/v1/utm-mappings/{mapping['id']}", {"channel_account_id": weibo.pk})
    assert changed.json()["channel_account_id"] == weibo.pk
    assert api.get(f"/api/v1/utm-mappings/{mapping['id']}").json()["channel_account_id"] == weibo.pk
    listed = team_a.api(Role.VIEWER).get("/api/v1/utm-mappings", {"plan_id": plan.pk}).json()
    assert [item["id"] for item in listed["items"]] == [mapping["id"]]
    assert api.delete(f"/api/v1/utm-mappings/{mapping['id']}").status_code == 403
    assert team_a.api().delete(f"/api/v1/utm-mappings/{mapping['id']}").status_code == 204


def test_a_mapping_that_would_match_everything_answers_422(team_a, plan):
    response = post(team_a.api(), "/api/v1/utm-mappings", {"plan_id": plan.pk, "utm_source": " "})
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"__all__"}


def test_the_same_values_twice_answer_409(team_a, plan):
    assert (
        post(team_a.api(), "/api/v1/utm-mappings", {"plan_id": plan.pk, "utm_source": "baidu"}).status_code
        == 201
    )
    assert (
        post(team_a.api(), "/api/v1/utm-mappings", {"plan_id": plan.pk, "utm_source": "Baidu "}).status_code
        == 409
    )


def test_viewer_cannot_create_a_mapping(team_a, plan):
    response = post(team_a.api(Role.VIEWER), "/api/v1/utm-mappings", {"plan_id": plan.pk, "utm_source": "x"})
    assert response.status_code == 403
    assert not scoped(UtmMapping, team_a.workspace).exists()


def test_another_workspaces_mappings_plans_and_channels_answer_404(team_a, team_b, plan):
    mapping = post(team_a.api(), "/api/v1/utm-mappings", {"plan_id": plan.pk, "utm_source": "baidu"}).json()
    api_b = team_b.api()
    assert api_b.get(f"/api/v1/utm-mappings/{mapping['id']}").status_code == 404
    assert patch(api_b, f"/api/v1/utm-mappings/{mapping['id']}", {"utm_source": "x"}).status_code == 404
    assert api_b.delete(f"/api/v1/utm-mappings/{mapping['id']}").status_code == 404
    assert api_b.get("/api/v1/utm-mappings/resolve", {"utm_source": "baidu"}).json() == {
        "plan_id": None,
        "channel_account_id": None,
    }
    assert post(api_b, "/api/v1/utm-mappings", {"plan_id": plan.pk, "utm_source": "x"}).status_code == 404
    own_plan = make_plan(team_b.owner)
    foreign_channel = make_channel(team_a.owner, name="甲的渠道")
    body = {"plan_id": own_plan.pk, "utm_source": "x", "channel_account_id": foreign_channel.pk}
    assert post(api_b, "/api/v1/utm-mappings", body).status_code == 404
    assert scoped(UtmMapping, team_a.workspace).get().utm_source == "baidu"
