"""The navigation registry: validated registration, role-aware building, active links."""

import pytest

from netmark.core.roles import Capability, Role
from netmark.web import navigation
from netmark.web.navigation import register_nav


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test; the apps' registrations come back afterwards."""
    monkeypatch.setattr(navigation, "_registry", {})
    return navigation._registry


def test_registering_the_same_entry_twice_is_harmless(registry):
    register_nav("web.dashboard", "Dashboard", "dashboard", Capability.READ, 0)
    register_nav("web.dashboard", "Dashboard", "dashboard", Capability.READ, 0)
    assert list(registry) == ["web.dashboard"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", "Label", "dashboard", Capability.READ, 0), "needs a key"),
        (("x", "", "dashboard", Capability.READ, 0), "needs a label"),
        (("x", "Label", "", Capability.READ, 0), "needs a URL name"),
        (("x", "Label", "dashboard", "read", 0), "must be a Capability"),
    ],
)
def test_bad_registrations_are_refused(registry, args, message):
    with pytest.raises(ValueError, match=message):
        register_nav(*args)


def test_a_key_cannot_be_registered_differently(registry):
    register_nav("web.dashboard", "Dashboard", "dashboard", Capability.READ, 0)
    with pytest.raises(ValueError, match="already registered differently"):
        register_nav("web.dashboard", "Home", "dashboard", Capability.READ, 0)


def test_entries_needing_a_capability_are_hidden_from_other_roles(team_a, registry):
    register_nav("web.dashboard", "Dashboard", "dashboard", Capability.READ, 0)
    register_nav("core.members", "Members", "settings_members", Capability.ADMINISTER, 900, group="Settings")
    owner = navigation.build(team_a.owner, "/w/ws-a/")
    viewer = navigation.build(team_a.member(Role.VIEWER), "/w/ws-a/")
    assert [(g.label, [link.key for link in g.links]) for g in owner] == [
        (None, ["web.dashboard"]),
        ("Settings", ["core.members"]),
    ]
    assert [(g.label, [link.key for link in g.links]) for g in viewer] == [(None, ["web.dashboard"])]


def test_entries_whose_pages_are_not_mounted_are_left_out(team_a, registry):
    register_nav(
        "listening.mentions", "Mentions", "listening:mention_list", Capability.READ, 50
    )  # no such app yet
    assert navigation.build(team_a.owner, "/w/ws-a/") == []


def test_the_current_page_is_active_and_the_dashboard_only_on_itself(team_a, registry):
    register_nav("web.dashboard", "Dashboard", "dashboard", Capability.READ, 0)
    register_nav("core.tokens", "API tokens", "settings_tokens", Capability.READ, 900)
    (group,) = navigation.build(team_a.owner, "/w/ws-a/settings/tokens/")
    assert [(link.key, link.active, link.url) for link in group.links] == [
        ("web.dashboard", False, "/w/ws-a/"),
        ("core.tokens", True, "/w/ws-a/settings/tokens/"),
    ]


def test_the_installed_apps_register_the_foundation_pages(team_a):
    keys = {link.key for group in navigation.build(team_a.owner, "/w/ws-a/") for link in group.links}
    assert {
        "web.dashboard",
        "core.members",
        "core.invitations",
        "core.tokens",
        "core.webhooks",
        "core.audit",
    } <= keys
    assert "core.outbox" in keys


def test_the_page_shows_the_navigation_of_the_members_role(team_a):
    viewer_page = team_a.browser_client(Role.VIEWER).get("/w/ws-a/").content.decode()
    owner_page = team_a.browser_client().get("/w/ws-a/").content.decode()
    assert 'data-nav="core.members"' in owner_page
    assert 'data-nav="core.members"' not in viewer_page
    assert 'data-nav="core.tokens"' in viewer_page


def test_account_pages_keep_the_navigation_of_the_last_workspace(team_a):
    client = team_a.browser_client()
    client.get("/w/ws-a/")
    page = client.get("/account/password/").content.decode()
    assert 'href="/w/ws-a/" data-nav="web.dashboard"' in page
