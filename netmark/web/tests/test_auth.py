"""Sign-in, sign-out, throttling, disabled users, password change and password reset (AUTH, LOG)."""

import logging
import re

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from conftest import PASSWORD
from netmark.core import auth_services
from netmark.core.roles import Role
from netmark.web.tests.conftest import sign_in

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
CSRF_HEADER = re.compile(rb'"X-CSRFToken": "[^"]+"')


def _without_csrf(content: bytes) -> bytes:
    return CSRF_HEADER.sub(b"", CSRF_INPUT.sub(b"", content))


def test_sign_in_with_email_and_password_opens_the_workspace(team_a):
    client = Client()
    response = client.post("/sign-in/", {"email": "OWNER-a@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == "/w/ws-a/"
    assert client.get("/w/ws-a/").status_code == 200


def test_sign_in_keeps_a_safe_next_url_and_drops_a_foreign_one(team_a):
    safe = Client().post(
        "/sign-in/", {"email": "owner-a@example.com", "password": PASSWORD, "next": "/w/ws-a/"}
    )
    foreign = Client().post(
        "/sign-in/", {"email": "owner-a@example.com", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert safe["Location"] == "/w/ws-a/"
    assert foreign["Location"] == "/"


def test_unknown_address_and_wrong_password_get_the_same_answer(team_a):
    unknown = Client().post("/sign-in/", {"email": "nobody@example.com", "password": PASSWORD})
    wrong = Client().post("/sign-in/", {"email": "nobody@example.com", "password": "not-the-password"})
    known_wrong = Client().post("/sign-in/", {"email": "owner-a@example.com", "password": "not-the-password"})
    assert unknown.status_code == wrong.status_code == known_wrong.status_code == 200
    assert "The email address or the password is not correct." in known_wrong.content.decode()
    # The pages differ only in the address typed in, which the form shows back.
    assert _without_csrf(unknown.content).replace(b"nobody@", b"X@") == _without_csrf(
        known_wrong.content
    ).replace(b"owner-a@", b"X@")


def test_failed_sign_in_is_logged_with_ip_time_and_escaped_input(team_a, caplog):
    with caplog.at_level(logging.WARNING, logger="netmark.security"):
        Client().post(
            "/sign-in/", {"email": "owner-a@example.com", "password": "nope"}, REMOTE_ADDR="203.0.113.7"
        )
    (line,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("sign_in_failed")]
    assert "ip=203.0.113.7" in line
    assert re.search(r"at=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", line)
    assert "email=owner-a@example.com" in line


def test_log_values_cannot_forge_lines():
    assert auth_services.escape_log("a\r\nsign_in ip=1.2.3.4") == "a\\r\\nsign_in ip=1.2.3.4"


def test_account_is_throttled_after_five_failures_even_with_the_right_password(team_a):
    for _attempt in range(auth_services.ACCOUNT_FAILURE_LIMIT):
        response = Client().post("/sign-in/", {"email": "owner-a@example.com", "password": "wrong"})
        assert response.status_code == 200
    blocked = Client().post("/sign-in/", {"email": "owner-a@example.com", "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert "Too many failed attempts" in blocked.content.decode()
    assert "_auth_user_id" not in blocked.client.session


def test_throttling_an_unknown_address_looks_the_same_as_a_known_one(team_a):
    for email in ("owner-a@example.com", "ghost@example.com"):
        for _attempt in range(auth_services.ACCOUNT_FAILURE_LIMIT):
            Client().post(
                "/sign-in/", {"email": email, "password": "wrong"}, REMOTE_ADDR=f"198.51.100.{len(email)}"
            )
    known = Client().post(
        "/sign-in/", {"email": "owner-a@example.com", "password": "x"}, REMOTE_ADDR="192.0.2.1"
    )
    unknown = Client().post(
        "/sign-in/", {"email": "ghost@example.com", "password": "x"}, REMOTE_ADDR="192.0.2.2"
    )
    assert known.status_code == unknown.status_code == 429


def test_one_ip_is_throttled_across_addresses(team_a):
    for index in range(auth_services.IP_FAILURE_LIMIT):
        Client().post(
            "/sign-in/", {"email": f"guess{index}@example.com", "password": "x"}, REMOTE_ADDR="10.9.9.9"
        )
    blocked = Client().post(
        "/sign-in/", {"email": "planner-a@example.com", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    other_ip = Client().post(
        "/sign-in/", {"email": "planner-a@example.com", "password": PASSWORD}, REMOTE_ADDR="10.9.9.10"
    )
    assert blocked.status_code == 429
    assert other_ip.status_code == 302


def test_sign_out_needs_a_post(team_a):
    client = sign_in("owner-a@example.com")
    assert client.get("/sign-out/").status_code == 405
    assert client.post("/sign-out/")["Location"] == "/sign-in/"
    assert client.get("/w/ws-a/")["Location"] == "/sign-in/?next=/w/ws-a/"


def test_disabled_user_loses_the_session_and_cannot_sign_in(team_a):
    client = sign_in("planner-a@example.com")
    get_user_model().objects.filter(email="planner-a@example.com").update(is_active=False)
    assert client.get("/w/ws-a/").status_code == 302
    again = Client().post("/sign-in/", {"email": "planner-a@example.com", "password": PASSWORD})
    assert again.status_code == 200
    assert "The email address or the password is not correct." in again.content.decode()


def test_sign_in_defaults_the_language_to_the_workspace_language(team_a):
    response = Client().post("/sign-in/", {"email": "owner-a@example.com", "password": PASSWORD})
    assert response.cookies["django_language"].value == "zh-hans"


def test_sign_in_keeps_a_language_the_member_chose(team_a):
    client = Client()
    client.cookies["django_language"] = "en"
    response = client.post("/sign-in/", {"email": "owner-a@example.com", "password": PASSWORD})
    assert "django_language" not in response.cookies


def test_password_change_keeps_this_session_and_ends_the_others(team_a):
    laptop = sign_in("viewer-a@example.com")
    phone = sign_in("viewer-a@example.com")
    response = laptop.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "Pu'er-cake-357g!", "new_password2": "Pu'er-cake-357g!"},
    )
    assert response.status_code == 302
    assert laptop.get("/w/ws-a/").status_code == 200
    assert phone.get("/w/ws-a/")["Location"] == "/sign-in/?next=/w/ws-a/"
    assert sign_in("viewer-a@example.com", "Pu'er-cake-357g!").get("/w/ws-a/").status_code == 200


def test_password_change_shows_field_errors(team_a):
    client = sign_in("viewer-a@example.com")
    response = client.post(
        "/account/password/", {"old_password": "wrong", "new_password1": "short", "new_password2": "short"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"old_password", "new_password2"}
    assert 'class="field has-error"' in response.content.decode()


def _reset_link(message) -> str:
    match = re.search(r"http://127\.0\.0\.1:8000(/password-reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(team_a):
    known = Client().post("/password-reset/", {"email": "owner-a@example.com"})
    unknown = Client().post("/password-reset/", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/password-reset/sent/"
    assert [message.to for message in mail.outbox] == [["owner-a@example.com"]]


def test_password_reset_link_sets_a_new_password_and_ends_other_sessions(team_a):
    other_session = sign_in("implementer-a@example.com")
    Client().post("/password-reset/", {"email": "implementer-a@example.com"})
    client = Client()
    form_url = client.get(_reset_link(mail.outbox[0]))["Location"]
    done = client.post(form_url, {"new_password1": "Oolong-tea-2027?", "new_password2": "Oolong-tea-2027?"})
    assert done["Location"] == "/password-reset/done/"
    assert other_session.get("/w/ws-a/").status_code == 302
    assert sign_in("implementer-a@example.com", "Oolong-tea-2027?").get("/w/ws-a/").status_code == 200


def test_members_added_without_a_password_can_choose_one_by_reset(team_a):
    from netmark.core import services

    services.add_member(team_a.owner, "xin.tongshi@example.com", Role.VIEWER)
    Client().post("/password-reset/", {"email": "xin.tongshi@example.com"})
    assert len(mail.outbox) == 1


def test_password_reset_requests_are_throttled_per_ip(team_a):
    for _attempt in range(auth_services.RESET_REQUEST_LIMIT):
        assert Client().post("/password-reset/", {"email": "a@example.com"}).status_code == 302
    assert Client().post("/password-reset/", {"email": "a@example.com"}).status_code == 429


def test_reset_email_goes_to_the_outbox_folder_in_the_embedded_default(team_a, file_outbox):
    Client().post("/password-reset/", {"email": "owner-a@example.com"})
    (written,) = list(file_outbox.iterdir())
    assert "owner-a@example.com" in written.read_text(encoding="utf-8")


def test_the_admin_login_form_is_replaced_by_the_throttled_sign_in(db):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/admin/"
