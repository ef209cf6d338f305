"""REDIRECT: ``/s/<code>`` leads only to the destination netmark recorded for that code; clicks and
scans are recorded (bots flagged, unique visitors counted); misses tell nothing."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netmark.analytics import services as analytics
from netmark.links import clicks, services
from netmark.links.tests.factories import make_link
from netmark.planning.tests.factories import make_channel, make_plan

pytestmark = pytest.mark.django_db
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/141.0 Safari/537.36"
)
WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.60(0x18003c2f) NetType/WIFI Language/zh_CN"
)


@pytest.fixture
def recorded(monkeypatch):
    """The real ``record_click``, with the arguments of each call kept for the test to read."""
    calls = []
    real = analytics.record_click

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(analytics, "record_click", spy)
    return calls


def counts(link) -> dict:
    analytics.process_pending()
    return clicks.click_counts(link.workspace_id, [link.pk])[link.pk]


def test_a_click_redirects_302_to_the_exact_tagged_destination_and_is_counted(client, link, recorded):
    response = client.get(f"/s/{link.code}", HTTP_USER_AGENT=CHROME, HTTP_REFERER="https://weibo.com/u/1")
    assert response.status_code == 302
    assert response["Location"] == link.target_url
    assert response["Cache-Control"] == "no-store"
    assert [call["via_qr"] for call in recorded] == [False]
    assert recorded[0]["utm"] == {
        "utm_source": "weibo",
        "utm_medium": "social",
        "utm_campaign": "spring-launch",
    }
    assert (recorded[0]["referrer"], recorded[0]["workspace_id"]) == (
        "https://weibo.com/u/1",
        link.workspace_id,
    )
    assert counts(link) == {"raw": 1, "unique": 1, "bots": 0}


def test_a_scan_is_a_click_marked_as_from_a_qr_code_with_the_same_destination(
    client, team_a, plan, fair, recorded
):
    poster = make_link(team_a.owner, plan, fair, name="展台海报")
    response = client.get(f"/s/{poster.code}?qr=1", HTTP_USER_AGENT=WECHAT)
    assert (response.status_code, response["Location"]) == (302, poster.target_url)
    assert recorded[0]["via_qr"] is True
    assert recorded[0]["utm"]["utm_medium"] == "offline"
    assert counts(poster)["raw"] == 1


def test_bots_are_counted_apart_and_unique_visitors_once(client, link):
    client.get(f"/s/{link.code}", HTTP_USER_AGENT=CHROME, REMOTE_ADDR="203.0.113.7")
    client.get(f"/s/{link.code}", HTTP_USER_AGENT=CHROME, REMOTE_ADDR="203.0.113.7")
    client.get(f"/s/{link.code}", HTTP_USER_AGENT=WECHAT, REMOTE_ADDR="198.51.100.20")
    client.get(f"/s/{link.code}", HTTP_USER_AGENT="Mozilla/5.0 (compatible; Baiduspider/2.0)")
    client.get(
        f"/s/{link.code}", HTTP_USER_AGENT=CHROME, HTTP_SEC_PURPOSE="prefetch", REMOTE_ADDR="192.0.2.9"
    )
    assert counts(link) == {"raw": 5, "unique": 2, "bots": 2}


def test_unknown_inactive_and_malformed_codes_answer_the_same_plain_404(client, team_a, link):
    inactive = make_link(team_a.owner, link.plan, link.channel_account, utm_content="paused", is_active=False)
    answers = [
        client.get(path) for path in (f"/s/{inactive.code}", "/s/Zz9Zz9Zz", "/s/short", f"/s/{link.code}x")
    ]
    assert {answer.status_code for answer in answers} == {404}
    assert len({answer.content for answer in answers}) == 1
    body = answers[0].content.decode()
    assert "Location" not in answers[0]
    for secret in (team_a.workspace.name, link.plan.name, "yunling-tea.example", "nav"):
        assert secret not in body
    assert counts(inactive)["raw"] == 0


def test_head_redirects_without_counting_and_other_methods_are_refused(client, link, recorded):
    head = client.head(f"/s/{link.code}")
    assert (head.status_code, head["Location"]) == (302, link.target_url)
    assert recorded == []
    assert client.post(f"/s/{link.code}").status_code == 405


def test_the_redirect_happens_even_when_the_click_cannot_be_stored(client, link, monkeypatch):
    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(analytics, "record_click", broken)
    assert client.get(f"/s/{link.code}")["Location"] == link.target_url
    monkeypatch.setattr(analytics, "record_click", lambda **kwargs: False)
    assert client.get(f"/s/{link.code}")["Location"] == link.target_url


def test_an_address_that_keeps_guessing_is_slowed_down_but_real_links_still_work(client, link, settings):
    settings.SHORT_LINK_MISSES_PER_MINUTE = 3
    statuses = [client.get(f"/s/Guess{index:04d}").status_code for index in range(5)]
    assert statuses == [404, 404, 404, 429, 429]
    assert client.get(f"/s/{link.code}").status_code == 302


def test_each_workspaces_code_leads_to_its_own_destination_and_counts_there(client, team_a, team_b, link):
    theirs = make_link(
        team_b.owner, make_plan(team_b.owner), make_channel(team_b.owner), destination="https://b.example/"
    )
    assert client.get(f"/s/{theirs.code}")["Location"] == theirs.target_url
    assert client.get(f"/s/{link.code}")["Location"] == link.target_url
    analytics.process_pending()
    assert clicks.click_counts(team_a.workspace.pk, [theirs.pk])[theirs.pk]["raw"] == 0
    assert clicks.click_counts(team_b.workspace.pk, [theirs.pk])[theirs.pk]["raw"] == 1


PARAMETER_NAMES = st.sampled_from(
    ["next", "url", "redirect", "to", "destination", "return", "utm_source", "qr", "code"]
)
TEXT = st.text(max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    choice=st.one_of(st.integers(0, 1), st.text(min_size=0, max_size=20)),
    mutation=st.sampled_from(["none", "swapcase", "append", "truncate"]),
    params=st.dictionaries(
        st.one_of(PARAMETER_NAMES, TEXT), st.one_of(TEXT, st.just("https://evil.example/")), max_size=4
    ),
)
def test_fuzz_no_code_or_parameter_leads_anywhere_but_a_recorded_destination(
    client, link, team_a, settings, choice, mutation, params
):
    settings.SHORT_LINK_MISSES_PER_MINUTE = 10**9
    other = services.list_links(team_a.workspace).exclude(pk=link.pk).first() or make_link(
        team_a.owner, link.plan, link.channel_account, destination="https://yunling-tea.example/other"
    )
    targets = {link.code: link.target_url, other.code: other.target_url}
    code = [link.code, other.code][choice] if isinstance(choice, int) else choice
    code = {"none": code, "swapcase": code.swapcase(), "append": code + "0", "truncate": code[:-1]}[mutation]
    response = client.get("/s/" + quote(code, safe=""), params)
    if code in targets:
        assert (response.status_code, response["Location"]) == (302, targets[code])
    else:
        assert response.status_code in (404, 429) and not response.has_header("Location")
