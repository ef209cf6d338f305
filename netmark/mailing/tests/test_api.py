"""The mailing API: SMTP servers (owners; password never shown), test sends, DKIM keys with their DNS
record, suppressions (CRUD, CSV export) and workspace isolation."""

import codecs
import email
from email import policy

import dkim as dkimpy
import pytest

from netmark.core.roles import Role
from netmark.mailing import dkim, sealing
from netmark.mailing.models import SmtpServer, Suppression

pytestmark = pytest.mark.django_db
JSON = "application/json"


def server_body(**overrides):
    body = {
        "name": "腾讯企业邮",
        "host": "smtp.exmail.example.com",
        "port": 465,
        "security": "tls",
        "username": "news@yunling-tea.example",
        "password": "秘密-s3cret",
        "from_email": "news@yunling-tea.example",
        "from_name": "云岭茶业",
        "domain_limits": {"qq.com": {"per_second": 3, "per_hour": 5000}},
    }
    return {**body, **overrides}


def test_an_owner_creates_a_server_and_the_password_is_never_shown(api, team_a):
    response = api.post("/api/v1/smtp-servers", server_body(), content_type=JSON)
    assert response.status_code == 201, response.content
    assert b"s3cret" not in response.content and response.json()["has_password"] is True
    row = SmtpServer.unscoped.get(pk=response.json()["id"])
    assert "s3cret" not in row.password_sealed and sealing.unseal(row.password_sealed) == "秘密-s3cret"
    listed = api.get("/api/v1/smtp-servers")
    assert b"s3cret" not in listed.content and listed.json()["count"] == 1
    audit = api.get("/api/v1/audit")
    assert b"s3cret" not in audit.content


def test_a_patch_without_password_keeps_it(api):
    created = api.post("/api/v1/smtp-servers", server_body(), content_type=JSON).json()
    response = api.patch(f"/api/v1/smtp-servers/{created['id']}", {"per_second": 2}, content_type=JSON)
    assert (response.status_code, response.json()["per_second"]) == (200, 2)
    row = SmtpServer.unscoped.get(pk=created["id"])
    assert sealing.unseal(row.password_sealed) == "秘密-s3cret"


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "2130706433",
        "[::ffff:127.0.0.1]",
        "169.254.169.254",
        "10.0.0.1",
        "100.100.100.200",
        "a b",
    ],
)
def test_private_and_malformed_hosts_are_refused(api, host):
    response = api.post("/api/v1/smtp-servers", server_body(host=host), content_type=JSON)
    assert response.status_code == 422 and "host" in response.json()["fields"]


def test_bad_domain_limits_are_422(api):
    response = api.post(
        "/api/v1/smtp-servers",
        server_body(domain_limits={"not a domain": {"per_second": 1}}),
        content_type=JSON,
    )
    assert response.status_code == 422 and "domain_limits" in response.json()["fields"]


@pytest.mark.parametrize("role", [Role.PLANNER, Role.IMPLEMENTER, Role.VIEWER])
def test_only_owners_reach_smtp_servers_and_dkim_keys(team_a, role):
    client = team_a.api(role)
    assert client.get("/api/v1/smtp-servers").status_code == 403
    assert client.post("/api/v1/smtp-servers", server_body(), content_type=JSON).status_code == 403
    assert (
        client.post("/api/v1/dkim-keys", {"domain": "yunling-tea.example"}, content_type=JSON).status_code
        == 403
    )
    assert SmtpServer.unscoped.count() == 0


def test_test_send_reaches_the_local_server_and_reports_the_outcome(
    api, team_a, smtp_server, loopback_allowed
):
    body = server_body(host="127.0.0.1", port=smtp_server.port, security="none", username="", password="")
    created = api.post("/api/v1/smtp-servers", body, content_type=JSON).json()
    response = api.post(
        f"/api/v1/smtp-servers/{created['id']}/test", {"email": "me@qq.com"}, content_type=JSON
    )
    assert response.json() == {
        "status": "sent",
        "code": 250,
        "detail": "2.0.0 Message accepted",
        "stage": "content",
    }
    [received] = smtp_server.messages
    assert email.message_from_bytes(received.data, policy=policy.default)["Subject"].startswith("netmark")
    gone = api.post(
        f"/api/v1/smtp-servers/{created['id']}/test", {"email": "gone-x@qq.com"}, content_type=JSON
    )
    assert gone.json()["status"] == "permanent"


def test_test_send_to_a_host_that_became_private_is_blocked(api, team_a, settings):
    created = api.post(
        "/api/v1/smtp-servers", server_body(host="localhost", port=1), content_type=JSON
    ).json()
    response = api.post(
        f"/api/v1/smtp-servers/{created['id']}/test", {"email": "me@qq.com"}, content_type=JSON
    )
    assert (response.status_code, response.json()["status"]) == (200, "blocked")


def test_dkim_key_generation_shows_the_dns_record_and_signs_sent_mail(
    api, team_a, smtp_server, loopback_allowed
):
    response = api.post(
        "/api/v1/dkim-keys", {"domain": "Yunling-Tea.example", "selector": "s2026"}, content_type=JSON
    )
    assert response.status_code == 201, response.content
    key = response.json()
    assert key["dns"]["name"] == "s2026._domainkey.yunling-tea.example"
    assert key["dns"]["value"].startswith("v=DKIM1; k=rsa; p=")
    assert b"PRIVATE" not in response.content
    assert api.get(f"/api/v1/dkim-keys/{key['id']}").json()["dns"] == key["dns"]
    body = server_body(host="127.0.0.1", port=smtp_server.port, security="none", username="", password="")
    server = api.post("/api/v1/smtp-servers", body, content_type=JSON).json()
    api.post(f"/api/v1/smtp-servers/{server['id']}/test", {"email": "me@qq.com"}, content_type=JSON)
    record = key["dns"]["value"].encode()
    assert dkimpy.verify(smtp_server.messages[0].data, dnsfunc=lambda name, timeout=5: record)


def test_ed25519_keys_and_bad_key_input(api):
    response = api.post(
        "/api/v1/dkim-keys", {"domain": "yunling-tea.example", "algorithm": dkim.ED25519}, content_type=JSON
    )
    assert response.json()["dns"]["value"].startswith("v=DKIM1; k=ed25519; p=")
    again = api.post(
        "/api/v1/dkim-keys", {"domain": "yunling-tea.example", "algorithm": dkim.ED25519}, content_type=JSON
    )
    assert again.status_code == 409
    bad = api.post("/api/v1/dkim-keys", {"domain": "not a domain"}, content_type=JSON)
    assert bad.status_code == 422 and "domain" in bad.json()["fields"]


def test_suppressions_add_list_export_remove(team_a):
    implementer = team_a.api(Role.IMPLEMENTER)
    added = implementer.post(
        "/api/v1/suppressions", {"email": "XiaoMing@QQ.com", "detail": '=HYPERLINK("x")'}, content_type=JSON
    )
    assert added.status_code == 201 and added.json()["email"] == "xiaoming@qq.com"
    again = implementer.post(
        "/api/v1/suppressions", {"email": "xiaoming@qq.com", "reason": "complaint"}, content_type=JSON
    )
    assert again.json()["id"] == added.json()["id"] and again.json()["reason"] == "manual"
    viewer = team_a.api(Role.VIEWER)
    assert viewer.get("/api/v1/suppressions").json()["count"] == 1
    assert viewer.post("/api/v1/suppressions", {"email": "b@qq.com"}, content_type=JSON).status_code == 403
    exported = viewer.get("/api/v1/suppressions/export")
    assert exported.content.startswith(codecs.BOM_UTF8)
    assert 'xiaoming@qq.com,manual,"\'=HYPERLINK(""x"")"' in exported.content.decode("utf-8-sig")
    assert implementer.delete(f"/api/v1/suppressions/{added.json()['id']}").status_code == 204
    assert Suppression.unscoped.count() == 0


def test_another_workspace_sees_none_of_it(api, team_a, team_b):
    server = api.post("/api/v1/smtp-servers", server_body(), content_type=JSON).json()
    key = api.post("/api/v1/dkim-keys", {"domain": "yunling-tea.example"}, content_type=JSON).json()
    row = api.post("/api/v1/suppressions", {"email": "secret-canary@qq.com"}, content_type=JSON).json()
    other = team_b.api(Role.OWNER)
    assert other.get(f"/api/v1/smtp-servers/{server['id']}").status_code == 404
    assert (
        other.post(
            f"/api/v1/smtp-servers/{server['id']}/test", {"email": "a@qq.com"}, content_type=JSON
        ).status_code
        == 404
    )
    assert other.get(f"/api/v1/dkim-keys/{key['id']}").status_code == 404
    assert other.delete(f"/api/v1/suppressions/{row['id']}").status_code == 404
    assert b"secret-canary" not in other.get("/api/v1/suppressions").content
    assert b"secret-canary" not in other.get("/api/v1/suppressions/export").content
    assert Suppression.unscoped.filter(pk=row["id"]).exists()
