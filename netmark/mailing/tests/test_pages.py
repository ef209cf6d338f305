"""The mailing pages under /w/<slug>/mailing/: who sees what, forms saved through the services."""

import pytest

from netmark.core.roles import Role
from netmark.mailing import sealing
from netmark.mailing.models import DkimKey, SmtpServer, Suppression
from netmark.mailing.suppression import suppress

pytestmark = pytest.mark.django_db


def url(team, rest: str) -> str:
    return f"/w/{team.workspace.slug}/mailing/{rest}"


def test_an_owner_adds_a_server_through_the_form_and_the_password_is_not_shown(team_a):
    client = team_a.browser_client(Role.OWNER)
    data = {
        "name": "阿里邮箱", "host": "smtp.qiye.aliyun.com", "port": "465", "security": "tls",
        "username": "news@yunling-tea.example", "password": "页面-s3cret",
        "from_email": "news@yunling-tea.example", "from_name": "云岭茶业", "per_second": "5", "per_hour": "0",
        "domain_limits": '{"qq.com": {"per_second": 2}}', "is_active": "on",
    }  # fmt: skip
    response = client.post(url(team_a, "smtp-servers/new/"), data)
    assert response.status_code == 302
    server = SmtpServer.unscoped.get(workspace=team_a.workspace)
    assert sealing.unseal(server.password_sealed) == "页面-s3cret"
    assert server.domain_limits == {"qq.com": {"per_second": 2, "per_hour": 0}}
    listing = client.get(url(team_a, "smtp-servers/"))
    assert "阿里邮箱" in listing.content.decode() and b"s3cret" not in listing.content
    edit = client.get(url(team_a, f"smtp-servers/{server.pk}/edit/"))
    assert edit.status_code == 200 and b"s3cret" not in edit.content


def test_a_bad_host_shows_the_service_error_on_the_form(team_a):
    client = team_a.browser_client(Role.OWNER)
    response = client.post(
        url(team_a, "smtp-servers/new/"),
        {"name": "x", "host": "169.254.169.254", "port": "25", "security": "none",
         "from_email": "a@b.example", "per_second": "1", "per_hour": "0"},
    )  # fmt: skip
    assert response.status_code == 200 and "169.254.169.254" in response.content.decode()
    assert SmtpServer.unscoped.count() == 0


def test_dkim_key_generation_page_shows_the_dns_record(team_a):
    client = team_a.browser_client(Role.OWNER)
    response = client.post(url(team_a, "dkim-keys/"), {"domain": "yunling-tea.example", "selector": "nm1",
                                                      "algorithm": "rsa-sha256"})  # fmt: skip
    key = DkimKey.unscoped.get(workspace=team_a.workspace)
    assert response.status_code == 302 and response["Location"].endswith(f"dkim-keys/{key.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert "nm1._domainkey.yunling-tea.example" in page and f"p={key.public_key}" in page
    assert "PRIVATE" not in page


@pytest.mark.parametrize("role", [Role.PLANNER, Role.IMPLEMENTER, Role.VIEWER])
def test_smtp_and_dkim_pages_are_for_owners_only(team_a, role):
    client = team_a.browser_client(role)
    assert client.get(url(team_a, "smtp-servers/")).status_code == 403
    assert client.get(url(team_a, "dkim-keys/")).status_code == 403


def test_suppression_page_add_search_remove_and_export(team_a):
    client = team_a.browser_client(Role.IMPLEMENTER)
    assert (
        client.post(url(team_a, "suppressions/"), {"email": "A@QQ.com", "reason": "manual"}).status_code
        == 302
    )
    row = Suppression.unscoped.get(workspace=team_a.workspace)
    page = client.get(url(team_a, "suppressions/") + "?q=qq").content.decode()
    assert "a@qq.com" in page
    assert "a@qq.com" in client.get(url(team_a, "suppressions/export/")).content.decode("utf-8-sig")
    assert client.post(url(team_a, f"suppressions/{row.pk}/remove/")).status_code == 302
    assert Suppression.unscoped.count() == 0


def test_viewers_read_the_suppression_list_and_cannot_change_it(team_a):
    row, _ = suppress(team_a.workspace.pk, "b@163.com", Suppression.Reason.COMPLAINT)
    client = team_a.browser_client(Role.VIEWER)
    page = client.get(url(team_a, "suppressions/"))
    assert page.status_code == 200 and "b@163.com" in page.content.decode() and b"Remove" not in page.content
    assert (
        client.post(url(team_a, "suppressions/"), {"email": "c@163.com", "reason": "manual"}).status_code
        == 403
    )
    assert client.post(url(team_a, f"suppressions/{row.pk}/remove/")).status_code == 403
    assert Suppression.unscoped.count() == 1


def test_another_workspaces_ids_are_404(team_a, team_b):
    row, _ = suppress(team_a.workspace.pk, "b@163.com", Suppression.Reason.MANUAL)
    client = team_b.browser_client(Role.OWNER)
    assert client.post(url(team_b, f"suppressions/{row.pk}/remove/")).status_code == 404
    assert Suppression.unscoped.count() == 1
