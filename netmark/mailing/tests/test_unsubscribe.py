"""UNSUB and TOKEN: RFC 8058 one-click unsubscribe by POST without cookies; GET never changes state;
forged, mutated and other-purpose tokens are refused."""

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given, settings, strategies

from netmark.core import signing
from netmark.mailing import mime
from netmark.mailing.models import Suppression
from netmark.mailing.unsubscribe import PURPOSE, make_token, unsubscribe_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


def path_for(token: str) -> str:
    return f"/mail/unsubscribe/{token}/"


def suppressed(team, email="xiaoming@qq.com"):
    return list(
        Suppression.unscoped.filter(workspace=team.workspace, email=email).values_list("reason", flat=True)
    )


def test_the_url_in_list_unsubscribe_is_the_endpoint(team_a, settings):
    token = make_token(team_a.workspace.pk, "xiaoming@qq.com", campaign_key="spring")
    assert unsubscribe_url(token) == f"{settings.PUBLIC_URL}/mail/unsubscribe/{token}/"
    header = mime.Unsubscribe(unsubscribe_url(token)).header()
    assert header == f"<{settings.PUBLIC_URL}/mail/unsubscribe/{token}/>"


def test_one_click_post_urlencoded_without_cookies_unsubscribes_idempotently(team_a):
    token = make_token(team_a.workspace.pk, "XiaoMing@qq.com", list_key="news")
    client = Client(enforce_csrf_checks=True)
    for _ in range(3):
        response = client.post(
            path_for(token), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200 and not response.cookies
    assert suppressed(team_a) == ["unsubscribe"]
    assert Suppression.unscoped.get(email="xiaoming@qq.com").detail == "news"


def test_one_click_post_multipart_without_cookies_unsubscribes(team_a):
    token = make_token(team_a.workspace.pk, "xiaoming@qq.com")
    response = Client(enforce_csrf_checks=True).post(path_for(token), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "xiaoming@qq.com" in response.content.decode()
    assert suppressed(team_a) == ["unsubscribe"]


def test_a_thousand_gets_change_nothing(team_a):
    token = make_token(team_a.workspace.pk, "xiaoming@qq.com")
    client = Client()
    for _ in range(1000):
        response = client.get(path_for(token))
        assert response.status_code == 200
    assert b'method="post"' in response.content
    assert client.head(path_for(token)).status_code == 200
    assert suppressed(team_a) == []


def test_unsubscribing_in_one_workspace_leaves_the_other_alone(team_a, team_b):
    Client().post(path_for(make_token(team_a.workspace.pk, "xiaoming@qq.com")))
    assert suppressed(team_a) == ["unsubscribe"] and suppressed(team_b) == []


def test_the_page_speaks_the_workspace_language(team_a):
    response = Client().get(path_for(make_token(team_a.workspace.pk, "xiaoming@qq.com")))
    assert "退订" in response.content.decode()


def test_tokens_of_another_purpose_are_refused(team_a):
    value = {"w": team_a.workspace.pk, "e": "xiaoming@qq.com"}
    for purpose in ("calendar.feed", "invitation", "mailing.confirm", "mailing.click"):
        response = Client().post(path_for(signing.sign(purpose, value)))
        assert response.status_code == 404
    assert suppressed(team_a) == []


def test_a_token_for_a_workspace_that_does_not_exist_is_refused(team_a):
    response = Client().post(path_for(signing.sign(PURPOSE, {"w": 987654, "e": "a@qq.com"})))
    assert response.status_code == 404


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=strategies.data())
def test_mutated_tokens_are_refused(team_a, data):
    cache.clear()
    token = make_token(team_a.workspace.pk, "xiaoming@qq.com")
    # Draws never depend on the token, which carries the time: replays draw the same way.
    position = data.draw(strategies.integers(0, 10_000)) % len(token)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:"
    replacement = alphabet[data.draw(strategies.integers(0, len(alphabet) - 1))]
    if replacement == token[position]:
        replacement = alphabet[(alphabet.index(replacement) + 1) % len(alphabet)]
    mutated = token[:position] + replacement + token[position + 1 :]
    cut = data.draw(strategies.integers(0, 3))
    if cut:
        mutated = mutated[:-cut]
    assert Client().post(path_for(mutated)).status_code == 404
    assert suppressed(team_a) == []


def test_a_flood_of_bad_tokens_is_throttled(team_a, settings):
    settings.UNSUBSCRIBE_MISSES_PER_MINUTE = 5
    statuses = [Client().post(path_for(f"forged{index}")).status_code for index in range(7)]
    assert statuses == [404] * 5 + [429] * 2
