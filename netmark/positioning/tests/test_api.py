from netmark.core.models import AuditEntry
from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.positioning.models import Product


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def test_planner_creates_product_with_chinese_name(team_a):
    response = post(
        team_a.api(Role.PLANNER), "/api/v1/products", {"name": "云岭普洱 357g", "price": "268.00"}
    )
    assert response.status_code == 201
    assert response.json()["name"] == "云岭普洱 357g"
    assert scoped(Product, team_a.workspace).get().price == 268


def test_creating_a_product_is_audited(team_a):
    post(team_a.api(), "/api/v1/products", {"name": "白茶"})
    entry = scoped(AuditEntry, team_a.workspace).filter(action="product.created").get()
    assert (entry.actor_label, entry.via, entry.object_repr) == ("owner-a@example.com", "api", "白茶")


def test_implementer_cannot_create_product(team_a):
    response = post(team_a.api(Role.IMPLEMENTER), "/api/v1/products", {"name": "绿茶"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not scoped(Product, team_a.workspace).exists()


def test_duplicate_product_name_is_a_conflict(team_a):
    post(team_a.api(), "/api/v1/products", {"name": "红茶"})
    response = post(team_a.api(), "/api/v1/products", {"name": "红茶"})
    assert response.status_code == 409
    assert scoped(Product, team_a.workspace).count() == 1


def test_bad_price_answers_422_naming_the_field(team_a):
    response = post(team_a.api(), "/api/v1/products", {"name": "红茶", "price": "很多"})
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"price"}


def test_unknown_channel_in_audience_presence_is_rejected(team_a):
    response = post(team_a.api(), "/api/v1/audiences", {"name": "白领", "channel_presence": {"myspace": 10}})
    assert response.status_code == 422
    assert "myspace" in response.json()["fields"]["channel_presence"]


def test_message_cannot_point_at_another_workspaces_product(team_a, team_b):
    foreign = post(team_b.api(), "/api/v1/products", {"name": "B 的茶"}).json()["id"]
    audience = post(team_a.api(), "/api/v1/audiences", {"name": "学生"}).json()["id"]
    response = post(
        team_a.api(),
        "/api/v1/messages",
        {
            "title": "开学季",
            "audience_id": audience,
            "product_id": foreign,
            "value_proposition": "提神",
        },
    )
    assert response.status_code == 404


def test_nul_characters_are_refused_with_422_not_stored(team_a):
    response = post(team_a.api(), "/api/v1/products", {"name": "普洱\x00茶"})
    assert response.status_code == 422
    assert response.json()["fields"] == {"name": "Text may not contain NUL characters."}
    assert not scoped(Product, team_a.workspace).exists()


def test_nul_characters_in_query_are_refused(team_a):
    response = team_a.api().get("/api/v1/products", {"search": "普洱\x00"})
    assert response.status_code == 422
    assert response.json()["fields"] == {"search": "Text may not contain NUL characters."}
