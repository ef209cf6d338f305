"""Signed outbound webhooks of a submission, and tenancy: a form of workspace A writes only A."""

import hashlib
import hmac
import json

import pytest
from django.test import Client

from netmark.capture.models import Submission
from netmark.capture.tests.factories import answers, make_form
from netmark.contacts.models import Consent, Contact, Interaction
from netmark.core import webhooks
from netmark.core.scoping import scoped
from netmark.core.tests.servers import serving

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    settings.ALLOW_PRIVATE_ADDRESSES = True  # the receiver listens on loopback
    with serving() as server:
        yield server


def submit(form, data):
    return Client().post(
        f"/f/{form.public_id}/submit",
        json.dumps(data),
        content_type="application/json",
        REMOTE_ADDR="203.0.113.7",
    )


def test_a_new_person_emits_form_submitted_and_contact_created_signed(
    team_a, receiver, django_capture_on_commit_callbacks
):
    subscription = webhooks.create_subscription(team_a.owner, receiver.url("/hook"), [], "云岭 CRM")
    form = make_form(team_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert submit(form, answers(form)).status_code == 200
    by_event = {request.headers["X-Netmark-Event"]: request for request in receiver.requests}
    assert sorted(by_event) == ["contact.created", "form.submitted"]
    for request in by_event.values():
        expected = hmac.new(
            subscription.secret.encode(),
            request.headers["X-Netmark-Timestamp"].encode() + b"." + request.body,
            hashlib.sha256,
        ).hexdigest()
        assert request.headers["X-Netmark-Signature"] == f"sha256={expected}"
    data = json.loads(by_event["form.submitted"].body)["data"]
    contact = scoped(Contact, team_a.workspace).get()
    assert data["form"]["public_id"] == form.public_id
    assert data["contact"]["id"] == contact.pk and data["contact_created"] is True
    assert data["submission"]["values"]["email"] == "li.na@example.com"
    assert json.loads(by_event["contact.created"].body)["data"]["contact"]["email"] == "li.na@example.com"


def test_a_known_person_emits_only_form_submitted(team_a, receiver, django_capture_on_commit_callbacks):
    webhooks.create_subscription(team_a.owner, receiver.url("/hook"), [], "")
    form = make_form(team_a)
    submit(form, answers(form))
    receiver.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit(form, answers(form))
    assert [request.headers["X-Netmark-Event"] for request in receiver.requests] == ["form.submitted"]


def test_a_form_of_a_writes_only_workspace_a(team_a, team_b, receiver, django_capture_on_commit_callbacks):
    webhooks.create_subscription(team_b.owner, receiver.url("/b"), [], "")
    form_a, form_b = make_form(team_a), make_form(team_b)
    submit(form_b, answers(form_b))  # B already knows li.na@example.com
    before_b = [
        scoped(model, team_b.workspace).count() for model in (Contact, Consent, Interaction, Submission)
    ]
    receiver.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert submit(form_a, answers(form_a)).status_code == 200
    after_b = [
        scoped(model, team_b.workspace).count() for model in (Contact, Consent, Interaction, Submission)
    ]
    assert after_b == before_b
    assert receiver.requests == []  # B's webhook heard nothing
    contact_a = scoped(Contact, team_a.workspace).get()
    assert contact_a.workspace_id == team_a.workspace.pk
    assert scoped(Submission, team_a.workspace).get().contact_created is True  # not matched to B's person


def test_a_token_of_a_form_of_a_does_not_open_a_form_of_b(team_a, team_b):
    form_a, form_b = make_form(team_a), make_form(team_b)
    response = submit(form_b, answers(form_a))  # A's render token on B's form
    assert response.status_code == 400
    assert scoped(Contact, team_b.workspace).count() == 0


def test_a_form_of_a_promotion_makes_it_the_contacts_source(team_a):
    import datetime

    from netmark.planning import services as planning

    plan = planning.create_plan(
        team_a.owner,
        name="春茶上新 Spring launch",
        objective="让白领知道明前龙井上市",
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 3, 31),
    )
    form = make_form(team_a, plan_id=plan.pk)
    assert submit(form, answers(form)).status_code == 200
    assert scoped(Contact, team_a.workspace).get().source_plan_id == plan.pk
