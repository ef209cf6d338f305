"""Every page of web/ as every role (ROLE), from another workspace (ISO: 404) and signed out."""

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from netmark.core import webhooks
from netmark.core.roles import Role

OWNER, PLANNER, IMPLEMENTER, VIEWER = Role.OWNER, Role.PLANNER, Role.IMPLEMENTER, Role.VIEWER
EVERYONE = {OWNER: 200, PLANNER: 200, IMPLEMENTER: 200, VIEWER: 200}
OWNERS_ONLY = {OWNER: 200, PLANNER: 403, IMPLEMENTER: 403, VIEWER: 403}

# page (relative to /w/ws-a/) -> status per role
PAGES = {
    "": EVERYONE,
    "settings/members/": OWNERS_ONLY,
    "settings/invitations/": OWNERS_ONLY,
    "settings/tokens/": EVERYONE,
    "settings/webhooks/": OWNERS_ONLY,
    "settings/webhooks/{webhook}/": OWNERS_ONLY,
    "settings/audit/": OWNERS_ONLY,
    "settings/outbox/": OWNERS_ONLY,
}
ACCOUNT_PAGES = ["/account/password/", "/account/two-factor/"]


@pytest.fixture
def webhook(team_a):
    return webhooks.create_subscription(team_a.owner, "https://hooks.example.com/netmark", ["plan.created"])


def _url(page: str, webhook) -> str:
    return "/w/ws-a/" + page.format(webhook=webhook.pk)


@pytest.mark.parametrize(("page", "role"), [(page, role) for page in PAGES for role in Role.values])
def test_role_table(team_a, webhook, page, role):
    response = team_a.browser_client(role).get(_url(page, webhook))
    assert response.status_code == PAGES[page][role]
    if response.status_code == 403:
        assert "Your role does not allow this." in response.content.decode()


@pytest.mark.parametrize("page", list(PAGES))
def test_another_workspaces_member_gets_404(team_a, team_b, webhook, page):
    response = team_b.browser_client(OWNER).get(_url(page, webhook))
    assert response.status_code == 404
    assert team_a.workspace.name not in response.content.decode()


@pytest.mark.parametrize("page", list(PAGES))
def test_signed_out_visitors_are_sent_to_sign_in(team_a, webhook, page):
    url = _url(page, webhook)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/sign-in/?next={url}"


def test_an_unknown_workspace_is_404(team_a):
    assert team_a.browser_client().get("/w/no-such-workspace/").status_code == 404


@pytest.mark.parametrize("url", ACCOUNT_PAGES)
def test_account_pages_are_for_every_signed_in_member(team_a, url):
    assert team_a.browser_client(VIEWER).get(url).status_code == 200
    assert Client().get(url)["Location"] == f"/sign-in/?next={url}"


@pytest.mark.parametrize(
    "url", ["/sign-in/", "/password-reset/", "/password-reset/sent/", "/password-reset/done/", "/healthz"]
)
def test_public_pages_answer_signed_out(db, url):
    assert Client().get(url).status_code == 200


def test_the_browsers_favicon_probe_finds_the_pages_icon_signed_out(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("web/favicon.svg")
    assert finders.find("web/favicon.svg")  # served by the static files server, not by Django


def test_installation_outbox_is_for_superusers_only(team_a):
    assert team_a.browser_client(OWNER).get("/outbox/").status_code == 404
    user = team_a.owner.user
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    assert team_a.browser_client(OWNER).get("/outbox/").status_code == 200


def test_pages_carry_a_strict_content_security_policy(team_a):
    response = team_a.browser_client().get("/w/ws-a/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "<script>" not in response.content.decode()
