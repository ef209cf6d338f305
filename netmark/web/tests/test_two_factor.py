"""TOTP two-factor sign-in: enrolment with a server-made QR code, the code step, switching it off."""

import time

from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from netmark.core import auth_services
from netmark.web.tests.conftest import sign_in


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or ``steps_ahead`` periods later: each code works once)."""
    value = totp(
        device.bin_key, step=device.step, t0=device.t0 - steps_ahead * device.step, digits=device.digits
    )
    return f"{value:0{device.digits}d}"


def enrol(client: Client, email: str) -> TOTPDevice:
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user__email=email, confirmed=False)
    response = client.post("/account/two-factor/", {"action": "confirm", "code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    return device


def test_enrolment_page_shows_a_qr_code_made_on_the_server(team_a):
    client = sign_in("planner-a@example.com")
    response = client.get("/account/two-factor/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<svg width="' in page and 'class="segno"' in page
    assert "otpauth://totp/netmark%3Aplanner-a%40example.com?secret=" in page
    assert TOTPDevice.objects.filter(user__email="planner-a@example.com", confirmed=False).count() == 1


def test_a_wrong_code_does_not_enrol(team_a):
    client = sign_in("planner-a@example.com")
    client.get("/account/two-factor/")
    response = client.post("/account/two-factor/", {"action": "confirm", "code": "000000"})
    assert response.status_code == 200
    assert "This code is not correct" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_after_enrolment_sign_in_asks_for_the_code(team_a):
    device = enrol(sign_in("planner-a@example.com"), "planner-a@example.com")
    assert device.confirmed
    client = Client()
    first = client.post("/sign-in/", {"email": "planner-a@example.com", "password": PASSWORD})
    assert first["Location"] == "/sign-in/code/"
    assert client.get("/w/ws-a/")["Location"] == "/sign-in/?next=/w/ws-a/"
    second = client.post("/sign-in/code/", {"code": code_for(device, steps_ahead=1)})
    assert second["Location"] == "/"
    assert client.get("/w/ws-a/").status_code == 200
    assert client.session["otp_device_id"] == device.persistent_id


def test_a_code_is_accepted_only_once(team_a):
    device = enrol(sign_in("planner-a@example.com"), "planner-a@example.com")
    client = Client()
    client.post("/sign-in/", {"email": "planner-a@example.com", "password": PASSWORD})
    replay = client.post("/sign-in/code/", {"code": code_for(device)})
    assert replay.status_code == 200
    assert "_auth_user_id" not in client.session


def test_wrong_codes_are_throttled(team_a):
    enrol(sign_in("planner-a@example.com"), "planner-a@example.com")
    client = Client()
    client.post("/sign-in/", {"email": "planner-a@example.com", "password": PASSWORD})
    statuses = [client.post("/sign-in/code/", {"code": "123456"}).status_code for _ in range(6)]
    assert statuses == [200] * auth_services.CODE_FAILURE_LIMIT + [429]


def test_the_code_page_without_a_password_step_sends_back_to_sign_in(team_a):
    response = Client().get("/sign-in/code/")
    assert response["Location"] == "/sign-in/"


def test_the_pending_sign_in_expires(team_a, monkeypatch):
    device = enrol(sign_in("planner-a@example.com"), "planner-a@example.com")
    client = Client()
    client.post("/sign-in/", {"email": "planner-a@example.com", "password": PASSWORD})
    later = time.time() + 301
    monkeypatch.setattr("netmark.web.auth_views.time.time", lambda: later)
    response = client.post("/sign-in/code/", {"code": code_for(device, steps_ahead=1)})
    assert response["Location"] == "/sign-in/"


def test_switching_off_needs_a_current_code(team_a):
    client = sign_in("planner-a@example.com")
    device = enrol(client, "planner-a@example.com")
    refused = client.post("/account/two-factor/", {"action": "disable", "code": "000000"})
    assert refused.status_code == 200
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    TOTPDevice.objects.get(
        pk=device.pk
    ).throttle_reset()  # django-otp's back-off after a wrong code has passed
    client.post("/account/two-factor/", {"action": "disable", "code": code_for(device, steps_ahead=1)})
    assert not TOTPDevice.objects.filter(user__email="planner-a@example.com").exists()
    assert (
        Client().post("/sign-in/", {"email": "planner-a@example.com", "password": PASSWORD})["Location"]
        == "/"
    )
