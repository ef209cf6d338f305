"""CSRF: every view of the URL configuration is protected, except the explicit allow-list below.

The walk finds each view's ``csrf_exempt`` mark; the API proves it needs no cookie protection by
authenticating with bearer tokens only. Then a signed-in browser without a CSRF token is refused
with 403 on every protected route.
"""

import pytest
from django.conf import settings
from django.test import Client

from netmark.core.roles import Role
from netmark.tests.apiwalk import openapi
from netmark.tests.urlwalk import Route, routes

pytestmark = pytest.mark.django_db

# Route prefixes whose views may skip Django's CSRF check, with the reason.
EXEMPT = {
    "api/v1/": "the token API: bearer tokens in a header, never cookies, so a forged form cannot use it",
    "api/event": "the tracker's Plausible-compatible endpoint: public, reads no cookie, only appends events",
    "api/send": "the tracker's Umami-compatible endpoint: public, reads no cookie, only appends events",
    "f/<str:public_id>/submit": "public form submissions (hosted, iframe and script embeds on other sites):"
    " no cookie is read; the signed render token of the form is the authority, rate limited per address",
    "mail/unsubscribe/": "RFC 8058 one-click unsubscribe: mail clients POST without cookies; the signed token"
    " is the authority and the only effect is adding the token's own address to the suppression list",
    "mail/hooks/": "provider webhooks (SES, SendGrid, Mailgun): servers POST without cookies; each call is"
    " authenticated by the provider's signature over the body (HOOK-IN)",
    "mail/confirm/": "double opt-in confirmation from the emailed link: the signed, expiring token is the"
    " authority and the only effect is confirming the token's own subscription",
}


def is_allowed_exempt(route: Route) -> bool:
    return any(route.route.startswith(prefix) for prefix in EXEMPT)


def test_only_the_allow_list_is_csrf_exempt():
    exempt = [
        r.route for r in routes() if getattr(r.callback, "csrf_exempt", False) and not is_allowed_exempt(r)
    ]
    assert exempt == []


def test_csrf_middleware_is_on():
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


def test_every_api_operation_authenticates_with_bearer_tokens_only():
    document = openapi()
    schemes = document["components"]["securitySchemes"]
    cookie_or_other = [
        f"{method.upper()} {path}: {name}"
        for path, item in document["paths"].items()
        for method, spec in item.items()
        for requirement in spec.get("security", [])
        for name in requirement
        if (schemes[name]["type"], schemes[name].get("scheme")) != ("http", "bearer")
    ]
    assert cookie_or_other == []


def protected_routes() -> list[Route]:
    return [r for r in routes() if not is_allowed_exempt(r) and not r.route.startswith("admin/")]


@pytest.mark.parametrize("route", protected_routes(), ids=lambda r: r.route or "/")
def test_a_post_without_a_csrf_token_is_refused(team_a, route):
    client = Client(enforce_csrf_checks=True)
    client.force_login(team_a.member(Role.OWNER).user)
    response = client.post(route.sample(), {"name": "伪造"})
    assert response.status_code == 403
    assert b"CSRF" in response.content


def test_the_admin_refuses_a_post_without_a_csrf_token(team_a):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "owner-a@example.com", "password": "x"})
    assert response.status_code == 403
