# ruff: noqa: F811 - the mailing fixtures are imported, then requested by name
"""A form that subscribes to a mailing list: who ticks the consent box gets a double opt-in email
in the form's language (a real aiosmtpd server); who does not is not subscribed; a form cannot
subscribe without a consent box and an email field, nor to another workspace's list."""

import email
from email import policy

import pytest
from django.test import Client

from netmark.capture.tests.factories import FIELDS, answers, make_form
from netmark.core.errors import NotFound, ValidationFailed
from netmark.mailing.campaign_models import Subscription
from netmark.mailing.tests import campaign_factories as mailing
from netmark.mailing.tests.conftest import loopback_allowed, server_row, smtp_server  # noqa: F401

pytestmark = pytest.mark.django_db


def post(form, data):
    return Client().post(f"/f/{form.public_id}/submit", data, REMOTE_ADDR="203.0.113.7")


@pytest.fixture
def newsletter(team_a, server_row):
    return mailing.mailing_list(team_a.workspace, server_row, name="云岭茶讯 Newsletter")


def test_ticking_the_box_subscribes_with_a_confirmation_email_in_the_forms_language(
    team_a,
    newsletter,
    smtp_server,
    django_capture_on_commit_callbacks,
):
    form = make_form(team_a, mailing_list_id=newsletter.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert post(form, answers(form)).status_code == 200
    subscription = Subscription.unscoped.get(mailing_list=newsletter)
    assert (subscription.contact.email, subscription.status) == ("li.na@example.com", "unconfirmed")
    assert subscription.source == f"form:{form.public_id}"
    [message] = smtp_server.messages
    parsed = email.message_from_bytes(message.data, policy=policy.default)
    assert message.rcpt_tos == ["li.na@example.com"]
    assert "/mail/confirm/" in parsed.get_body(("html",)).get_content()
    assert any("\u4e00" <= char <= "\u9fff" for char in parsed["Subject"])  # the form is in Chinese


def test_without_the_box_ticked_nobody_is_subscribed(
    team_a, newsletter, smtp_server, django_capture_on_commit_callbacks
):
    form = make_form(team_a, mailing_list_id=newsletter.pk)
    data = answers(form)
    data.pop("consent")
    with django_capture_on_commit_callbacks(execute=True):
        assert post(form, data).status_code == 200
    assert not Subscription.unscoped.exists() and smtp_server.messages == []


def test_a_subscribing_form_needs_consent_and_email_and_its_own_workspaces_list(team_a, team_b, newsletter):
    with pytest.raises(ValidationFailed) as no_box:
        make_form(team_a, mailing_list_id=newsletter.pk, consent_text="")
    assert "consent checkbox" in no_box.value.fields["consent_text"]
    without_email = [field for field in FIELDS if field["key"] != "email"]
    with pytest.raises(ValidationFailed) as no_email:
        make_form(team_a, mailing_list_id=newsletter.pk, fields=without_email)
    assert "email field" in no_email.value.fields["fields"]
    with pytest.raises((NotFound, ValidationFailed)):
        make_form(team_b, mailing_list_id=newsletter.pk)
