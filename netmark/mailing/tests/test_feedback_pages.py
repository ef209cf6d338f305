"""The provider webhooks page (owners) and the deliverability page (every member)."""

import pytest

from netmark.mailing.feedback_models import FeedbackHook

pytestmark = pytest.mark.django_db


def test_an_owner_creates_a_webhook_and_sees_its_address(team_a):
    client = team_a.browser_client("owner")
    url = f"/w/{team_a.workspace.slug}/mailing/provider-webhooks/"
    response = client.post(url, {"provider": "mailgun", "secret": "key-" + "5" * 32}, follow=True)
    hook = FeedbackHook.unscoped.get(workspace=team_a.workspace)
    assert response.status_code == 200 and f"/mail/hooks/mailgun/{hook.key}/" in response.content.decode()
    refused = client.post(url, {"provider": "ses", "secret": "no certificate"})
    assert refused.status_code == 200 and "SNS signing certificate" in refused.content.decode()
    assert FeedbackHook.unscoped.count() == 1
    delete = f"/w/{team_a.workspace.slug}/mailing/provider-webhooks/{hook.pk}/delete/"
    assert client.post(delete).status_code == 302 and FeedbackHook.unscoped.count() == 0


@pytest.mark.parametrize("role", ["planner", "implementer", "viewer"])
def test_only_owners_reach_the_webhooks_page(team_a, role):
    client = team_a.browser_client(role)
    url = f"/w/{team_a.workspace.slug}/mailing/provider-webhooks/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"provider": "mailgun", "secret": "key-" + "5" * 32}).status_code == 403
    assert FeedbackHook.unscoped.count() == 0


def test_the_deliverability_page_refuses_a_bad_domain_politely(team_a):
    response = team_a.browser_client("viewer").get(
        f"/w/{team_a.workspace.slug}/mailing/deliverability/?domain=not a domain"
    )
    assert response.status_code == 200 and "Enter a domain name" in response.content.decode()
