"""Double opt-in: the confirmation email in the contact's language, the signed expiring link, the
public page (GET shows, POST confirms), consent recorded, and a one-click unsubscribe ending the
subscription."""

import email
import time
from email import policy

import pytest
from django.core import signing as django_signing
from django.test import Client

from netmark.contacts.consent import may_contact
from netmark.core import signing
from netmark.mailing import lists
from netmark.mailing.campaign_models import Subscription
from netmark.mailing.tests import campaign_factories as make
from netmark.mailing.unsubscribe import make_token, unsubscribe

pytestmark = pytest.mark.django_db
Status = Subscription.Status


def subscribe(the_list, address, django_capture_on_commit_callbacks, **options):
    with django_capture_on_commit_callbacks(execute=True):
        subscription, _created = lists.subscribe(the_list, address, source="test", **options)
    subscription.refresh_from_db()
    return subscription


def link_in(received) -> str:
    parsed = email.message_from_bytes(received.data, policy=policy.default)
    html = parsed.get_body(("html",)).get_content()
    return html.split('href="')[1].split('"')[0]


@pytest.mark.parametrize(
    ("language", "subject"),
    [("zh-hans", "请确认订阅 春季新品"), ("en", "Please confirm your subscription to 春季新品")],
)
def test_the_confirmation_email_is_in_the_contacts_language(
    team_a, server_row, smtp_server, django_capture_on_commit_callbacks, language, subject
):
    the_list = make.mailing_list(team_a.workspace, server_row)
    subscription = subscribe(
        the_list, "Ming@Example.com", django_capture_on_commit_callbacks, language=language
    )
    assert (subscription.status, subscription.contact.email) == (Status.UNCONFIRMED, "ming@example.com")
    assert subscription.confirmation_sent_at is not None
    [received] = smtp_server.messages
    parsed = email.message_from_bytes(received.data, policy=policy.default)
    assert (parsed["To"], parsed["Subject"]) == ("ming@example.com", subject)
    assert link_in(received).startswith("http://127.0.0.1:8000/mail/confirm/")
    assert not may_contact(subscription.contact, "email_marketing")


def test_get_shows_the_page_and_only_post_confirms(
    team_a, server_row, smtp_server, django_capture_on_commit_callbacks
):
    the_list = make.mailing_list(team_a.workspace, server_row)
    subscription = subscribe(the_list, "fang@example.com", django_capture_on_commit_callbacks, language="en")
    path = link_in(smtp_server.messages[0]).removeprefix("http://127.0.0.1:8000")
    client = Client(enforce_csrf_checks=True)
    for _n in range(3):
        page = client.get(path)
        assert page.status_code == 200 and b"Confirm my subscription" in page.content
    subscription.refresh_from_db()
    assert subscription.status == Status.UNCONFIRMED
    done = client.post(path)
    assert done.status_code == 200 and b'data-state="done"' in done.content
    subscription.refresh_from_db()
    assert subscription.status == Status.CONFIRMED and subscription.confirmed_at is not None
    assert may_contact(subscription.contact, "email_marketing")
    assert client.post(path).status_code == 200  # idempotent


def test_forged_expired_and_other_purpose_tokens_answer_404(
    team_a, server_row, django_capture_on_commit_callbacks, monkeypatch
):
    the_list = make.mailing_list(team_a.workspace, server_row)
    with django_capture_on_commit_callbacks(execute=False):
        subscription, _created = lists.subscribe(the_list, "li@example.com")
    token = lists.confirm_token(subscription)
    with monkeypatch.context() as patch:  # a link sent a day longer ago than it lasts
        now = time.time()
        patch.setattr(django_signing.time, "time", lambda: now - (lists.CONFIRM_DAYS + 1) * 86400)
        expired = lists.confirm_token(subscription)
    client = Client()
    assert client.get(f"/mail/confirm/{token[:-2]}xx/").status_code == 404
    other = signing.sign("mailing.unsubscribe", {"w": subscription.workspace_id, "s": subscription.pk})
    assert client.post(f"/mail/confirm/{other}/").status_code == 404
    assert client.post(f"/mail/confirm/{expired}/").status_code == 404
    subscription.refresh_from_db()
    assert subscription.status == Status.UNCONFIRMED
    assert client.get(f"/mail/confirm/{token}/").status_code == 200


def test_a_one_click_unsubscribe_ends_the_list_subscription_and_an_old_link_does_not_revive_it(
    team_a, server_row, django_capture_on_commit_callbacks
):
    the_list = make.mailing_list(team_a.workspace, server_row)
    with django_capture_on_commit_callbacks(execute=False):
        subscription, _created = lists.subscribe(the_list, "zhao@example.com")
    token = lists.confirm_token(subscription)
    lists.confirm(token)
    unsubscribe(make_token(team_a.workspace.pk, "zhao@example.com", list_key=str(the_list.pk)))
    subscription.refresh_from_db()
    assert subscription.status == Status.UNSUBSCRIBED
    lists.confirm(token)
    subscription.refresh_from_db()
    assert subscription.status == Status.UNSUBSCRIBED
    assert lists.status_counts(the_list) == {"unconfirmed": 0, "confirmed": 0, "unsubscribed": 1}


def test_subscribing_again_after_leaving_starts_a_new_confirmation(
    team_a, server_row, django_capture_on_commit_callbacks
):
    the_list = make.mailing_list(team_a.workspace, server_row)
    with django_capture_on_commit_callbacks(execute=False):
        subscription, created = lists.subscribe(the_list, "yang@example.com")
        lists.unsubscribe_contact(team_a.workspace.pk, the_list.pk, "yang@example.com")
        again, created_again = lists.subscribe(the_list, "yang@example.com")
    assert (created, created_again, again.pk, again.status) == (
        True,
        False,
        subscription.pk,
        Status.UNCONFIRMED,
    )
