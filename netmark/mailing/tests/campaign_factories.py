"""Factories for list and campaign tests: confirmed subscribers with consent, a list, a campaign."""

from django.utils import timezone

from netmark.contacts.consent import record_consent
from netmark.contacts.models import Contact
from netmark.mailing.campaign_models import Campaign, MailingList, Subscription

HTML = (
    '<p>{{ contact.first_name | default("朋友") }}，您好！春茶上市。</p>'
    '<p><a href="{{ unsubscribe_url }}">退订</a></p>'
)
NAMES = ["王芳", "李娜", "张伟", "Lucy Chen", "刘洋", "陈静", "杨磊", "赵敏"]


def subscriber(workspace, mailing_list, email: str, *, name: str = "", language: str = "", consent=True):
    contact = Contact.unscoped.create(workspace=workspace, email=email, name=name, language=language)
    Subscription.unscoped.create(
        workspace=workspace, mailing_list=mailing_list, contact=contact,
        status=Subscription.Status.CONFIRMED, subscribed_at=timezone.now(), confirmed_at=timezone.now(),
    )  # fmt: skip
    if consent:
        record_consent(contact, "email_marketing", "granted", source="test")
    return contact


def mailing_list(workspace, server=None, name: str = "春季新品") -> MailingList:
    return MailingList.unscoped.create(workspace=workspace, name=name, server=server, language="zh-hans")


def audience(workspace, the_list, emails) -> list[Contact]:
    return [
        subscriber(workspace, the_list, email, name=NAMES[i % len(NAMES)]) for i, email in enumerate(emails)
    ]


def campaign(workspace, the_list, server, **fields) -> Campaign:
    values = {
        "name": "春茶上市",
        "subject": "{{ contact.first_name | default('朋友') }}，新茶到了",
        "html": HTML,
    }
    values.update(fields)
    return Campaign.unscoped.create(workspace=workspace, mailing_list=the_list, server=server, **values)
