"""TOKEN: a client share link opens one finished run, read-only, without sign-in; forged, mutated,
expired, revoked and other-purpose tokens are refused, and the page shows nothing else."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netmark.core import signing
from netmark.core.errors import NotFound, PermissionDenied
from netmark.core.roles import Role
from netmark.planning.tests.factories import make_plan
from netmark.reports import services, shares
from netmark.reports.models import ReportRun, ShareLink
from netmark.reports.tests.conftest import make_report

pytestmark = pytest.mark.django_db


def _run(team, name="客户月报 Client report"):
    report = make_report(team.owner, name=name, sections=["plans", "lessons"])
    return services.request_run(team.owner, report.pk, inline=True)


@pytest.fixture
def shared(team_a):
    make_plan(team_a.owner, name="内部计划 Internal plan", status="running")
    run = _run(team_a)
    share = services.create_share(team_a.owner, run.pk, days=7)
    return run, share, shares.token_for(share)


def _path(token: str) -> str:
    return f"/r/{token}/"


def test_the_link_opens_the_run_without_sign_in_and_reveals_nothing_else(shared, team_a):
    run, share, token = shared
    response = Client().get(_path(token))
    assert response.status_code == 200
    page = response.content.decode()
    assert "客户月报 Client report" in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "/w/" not in page and "csrfmiddlewaretoken" not in page  # no navigation, no forms
    assert "owner-a@example.com" not in page
    # Each display signs the share afresh; every copy opens the same run and dies with the row.
    assert shares.run_for_token(services.share_url(share).split("/r/")[1].rstrip("/")) == run


def test_an_expired_link_is_refused(shared):
    run, share, token = shared
    ShareLink.unscoped.filter(pk=share.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert Client().get(_path(token)).status_code == 404


def test_a_revoked_link_is_refused(shared, team_a):
    run, share, token = shared
    services.revoke_share(team_a.owner, share.pk)
    assert Client().get(_path(token)).status_code == 404


def test_a_token_of_another_purpose_is_refused(shared):
    run, share, token = shared
    for purpose in ("invitation", "calendar-feed", "unsubscribe"):
        moved = signing.sign(purpose, [share.pk, run.pk])
        assert Client().get(_path(moved)).status_code == 404


def test_a_token_naming_another_run_is_refused(shared, team_a, team_b):
    run, share, token = shared
    theirs = _run(team_b, name="B 的报告")
    forged = signing.sign(shares.PURPOSE, [share.pk, theirs.pk])
    assert Client().get(_path(forged)).status_code == 404
    with pytest.raises(NotFound):
        shares.run_for_token(signing.sign(shares.PURPOSE, {"share": share.pk}))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_tokens_are_refused(shared, data):
    run, share, token = shared
    index = data.draw(st.integers(0, len(token) - 1))
    replacement = data.draw(
        st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:.")
    )
    mutated = token[:index] + replacement + token[index + 1 :]
    if mutated == token:
        return
    with pytest.raises(NotFound):
        shares.run_for_token(mutated)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=st.text(max_size=200))
def test_arbitrary_text_is_refused(shared, junk):
    with pytest.raises(NotFound):
        shares.run_for_token(junk)


def test_only_finished_runs_are_shared_and_viewers_cannot_share(shared, team_a):
    run, share, token = shared
    with pytest.raises(PermissionDenied):
        services.create_share(team_a.member(Role.VIEWER), run.pk)
    ReportRun.unscoped.filter(pk=run.pk).update(status=ReportRun.Status.FAILED)
    assert Client().get(_path(token)).status_code == 404


def test_another_workspace_cannot_share_or_revoke(shared, team_b):
    run, share, token = shared
    with pytest.raises(NotFound):
        services.create_share(team_b.owner, run.pk)
    with pytest.raises(NotFound):
        services.revoke_share(team_b.owner, share.pk)
    assert Client().get(_path(token)).status_code == 200
