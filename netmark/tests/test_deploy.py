"""DEPLOY: production settings are hardened and every page carries the security headers.

``manage.py check --deploy`` runs in a fresh process as an https installation would (a new data
folder, so the secret key is generated). The headers are checked on every route of the URL
configuration that a GET can reach, signed in as a workspace owner, so new pages are covered.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from netmark.core.roles import Role
from netmark.tests.seeding import seed_everything
from netmark.tests.urlwalk import Unfillable, routes, values_for

REPO = Path(__file__).resolve().parents[2]
SECURITY_HEADERS = ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Content-Security-Policy")


def test_check_deploy_passes_for_an_https_installation(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("NETMARK_", "DJANGO_"))}
    env.update(NETMARK_PUBLIC_URL="https://mk.example.com", NETMARK_DATA_DIR=str(tmp_path / "var"))
    if os.environ.get("NETMARK_DATABASE_URL"):
        env["NETMARK_DATABASE_URL"] = os.environ["NETMARK_DATABASE_URL"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0


def assert_security_headers(response, url: str) -> None:
    missing = [name for name in SECURITY_HEADERS if not response.has_header(name)]
    assert missing == [], f"{url} lacks {missing}"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/sign-in/", "/healthz", "/api/v1/docs", "/api/v1/openapi.json"])
def test_anonymous_pages_carry_the_security_headers(path):
    response = Client().get(path)
    assert response.status_code == 200
    assert_security_headers(response, path)


@pytest.mark.django_db
def test_every_page_carries_the_security_headers(team_a):
    seeder, problems = seed_everything(team_a, "a")
    client = Client(raise_request_exception=False)
    client.force_login(team_a.member(Role.OWNER).user)
    html_pages = 0
    for route in routes():
        if route.route.startswith(("admin/", "sign-out/")):
            continue
        try:
            url = route.fill(values_for(route, team_a, seeder))
        except Unfillable:  # a public token route: any well-formed URL still gets a page
            url = route.sample()
        response = client.get(url)
        assert response.status_code < 500, f"{url}: {response.status_code}"
        assert_security_headers(response, url)
        html_pages += response.get("Content-Type", "").startswith("text/html")
    assert problems == []
    assert html_pages >= 10
