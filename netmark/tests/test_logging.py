"""LOG, the API's part: bad tokens, refusals by the role table and rate-limit drops are logged on
``netmark.security`` as one line each, ``<event> ip=... at=<UTC ISO time> key=value ...`` (the format
of ``netmark.core.auth_services.log_security``), naming the workspace and the actor when known, with
CR and LF escaped and never a token secret."""

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from netmark.core.roles import Role

pytestmark = pytest.mark.django_db

UTC_TIME = re.compile(r" at=(\S+)")


@pytest.fixture
def security_lines(caplog):
    """The messages logged on ``netmark.security`` (which does not propagate to the root logger)."""
    logger = logging.getLogger("netmark.security")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="netmark.security")
    yield lambda: [r.getMessage() for r in caplog.records if r.name == "netmark.security"]
    logger.removeHandler(caplog.handler)


def only_line(lines: list[str], event: str) -> str:
    found = [line for line in lines if line.split(" ", 1)[0] == event]
    assert len(found) == 1, lines
    return found[0]


def assert_recent_utc(line: str) -> None:
    logged = datetime.fromisoformat(UTC_TIME.search(line).group(1))
    assert logged.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - logged) < timedelta(minutes=1)


def test_a_bad_token_is_logged_with_ip_and_utc_time_but_not_the_token(security_lines):
    secret = "nmk_forged-secret-value"
    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/me", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 401
    line = only_line(security_lines(), "api_bad_token")
    assert " ip=203.0.113.7 " in line
    assert "path=/api/v1/me" in line
    assert secret not in line
    assert_recent_utc(line)


def test_a_refusal_by_the_role_table_is_logged_with_workspace_and_actor(team_a, security_lines):
    response = team_a.api(Role.VIEWER).post(
        "/api/v1/products", {"name": "绿茶"}, content_type="application/json", REMOTE_ADDR="198.51.100.4"
    )
    assert response.status_code == 403
    line = only_line(security_lines(), "api_denied")
    assert " ip=198.51.100.4 " in line
    assert f"workspace={team_a.workspace.slug}" in line
    assert "actor=viewer-a@example.com" in line
    assert "path=/api/v1/products" in line
    assert_recent_utc(line)


def test_a_rate_limit_drop_is_logged_with_workspace_and_actor(team_a, security_lines, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    client = team_a.api(Role.PLANNER)
    statuses = [client.get("/api/v1/me", REMOTE_ADDR="192.0.2.9").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    line = only_line(security_lines(), "rate_limited")
    assert " ip=192.0.2.9 " in line
    assert f"workspace={team_a.workspace.slug}" in line
    assert "actor=planner-a@example.com" in line
    assert_recent_utc(line)


def test_carriage_returns_and_line_feeds_in_a_logged_path_are_escaped(security_lines):
    client = Client(HTTP_AUTHORIZATION="Bearer nmk_forged")
    client.get("/api/v1/products/1%0d%0aapi_denied%20ip=6.6.6.6")
    line = only_line(security_lines(), "api_bad_token")
    assert "\n" not in line and "\r" not in line
    assert "\\r\\napi_denied" in line
