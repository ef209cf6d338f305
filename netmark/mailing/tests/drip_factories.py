"""Factories for drip sequence tests: the sequence of the brief and a contact who confirmed."""

from django.utils import timezone

from netmark.contacts.models import Contact
from netmark.mailing import lists
from netmark.mailing.campaign_models import Subscription
from netmark.mailing.drip_models import Sequence, SequenceStep

WELCOME = {
    "subject": "{{ contact.first_name | default('朋友') }}，欢迎订阅云岭茶讯",
    "html": '<p>{{ contact.first_name }}，您好！</p><p><a href="https://yunling-tea.example/new">新茶</a></p>',
}
REMINDER = {"subject": "别错过春茶", "html": "<p>{{ contact.first_name }}，春茶还在等您。</p>"}
STEPS = [
    ("wait", {"days": 2}),
    ("email", WELCOME),
    ("wait", {"days": 1}),
    ("condition", {"test": "opened", "yes": 4, "no": 5}),
    ("tag", {"tag": "已读欢迎信", "then": "stop"}),
    ("email", REMINDER),
]


def welcome_sequence(workspace, the_list, server, *, status="active", steps=STEPS) -> Sequence:
    sequence = Sequence.unscoped.create(
        workspace=workspace, name="新订阅欢迎", trigger="subscribed", mailing_list=the_list, server=server,
        status=status,
    )  # fmt: skip
    for position, (kind, config) in enumerate(steps):
        SequenceStep.unscoped.create(
            workspace=workspace, sequence=sequence, position=position, kind=kind, config=config
        )
    return sequence


def confirmed(workspace, the_list, email: str, name: str) -> Contact:
    """A contact who subscribed and followed the confirmation link (the real ``lists.confirm``)."""
    contact = Contact.unscoped.create(workspace=workspace, email=email, name=name)
    subscription = Subscription.unscoped.create(
        workspace=workspace, mailing_list=the_list, contact=contact, subscribed_at=timezone.now()
    )
    lists.confirm(lists.confirm_token(subscription))
    return contact
