"""The preference centre: reached with the unsubscribe token, GET changes nothing, the POST needs the
page's CSRF token, changes go through consent and land on the timeline, pages in the contact's
language, hostile list names stay text (XSS)."""

from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.test import Client

from netmark.contacts.models import Consent, Contact, Interaction
from netmark.mailing.campaign_models import MailingList, Subscription
from netmark.mailing.models import Suppression
from netmark.mailing.unsubscribe import make_token

pytestmark = pytest.mark.django_db
HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>"\'><b>'


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


@pytest.fixture
def setup(team_a):
    workspace = team_a.workspace
    person = Contact.unscoped.create(
        workspace=workspace, email="xiaoming@qq.com", name="小明", language="zh-hans"
    )
    news = MailingList.unscoped.create(workspace=workspace, name="新品速递", is_public=True)
    hostile = MailingList.unscoped.create(
        workspace=workspace, name=HOSTILE, is_public=True, description=HOSTILE
    )
    hidden = MailingList.unscoped.create(workspace=workspace, name="内部 VIP 名单", is_public=False)
    for mailing_list in (news, hidden):
        Subscription.unscoped.create(
            workspace=workspace, mailing_list=mailing_list, contact=person, status="confirmed",
            subscribed_at=person.created_at,
        )  # fmt: skip
    token = make_token(workspace.pk, "xiaoming@qq.com", list_key=str(news.pk))
    return {"person": person, "news": news, "hostile": hostile, "hidden": hidden, "token": token}


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.handlers = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.handlers += [name for name, _value in attrs if name.startswith("on")]


def page(client, token, **data):
    url = f"/mail/preferences/{token}/"
    if not data:
        return client.get(url)
    answer = client.get(url)
    csrf = answer.cookies["csrftoken"].value
    return client.post(url, {"csrfmiddlewaretoken": csrf, **data})


def status(setup, key) -> str:
    return Subscription.unscoped.get(mailing_list=setup[key], contact=setup["person"]).status


def test_get_shows_public_lists_only_in_the_contacts_language_and_changes_nothing(setup):
    client = Client(enforce_csrf_checks=True)
    for _ in range(20):
        answer = page(client, setup["token"])
    html = answer.content.decode()
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    assert "新品速递" in html and "内部 VIP 名单" not in html and "邮件偏好" in html
    assert status(setup, "news") == "confirmed" and Suppression.unscoped.count() == 0
    assert Interaction.unscoped.filter(kind="email_preferences").count() == 0


def test_hostile_list_names_are_text(setup):
    html = page(Client(), setup["token"]).content.decode()
    parser = Elements()
    parser.feed(html)
    assert "script" not in parser.tags and "img" not in parser.tags and "b" not in parser.tags
    assert parser.handlers == []
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_a_post_without_the_pages_csrf_token_is_refused(setup):
    client = Client(enforce_csrf_checks=True)
    answer = client.post(f"/mail/preferences/{setup['token']}/", {"stop_all": "1"})
    assert answer.status_code == 403
    assert Suppression.unscoped.count() == 0 and status(setup, "news") == "confirmed"


def test_leaving_and_joining_lists_and_the_language(setup):
    client = Client(enforce_csrf_checks=True)
    answer = page(
        client, setup["token"], list=[str(setup["hostile"].pk), str(setup["hidden"].pk)], language="en"
    )
    assert (
        answer.status_code == 200 and "Your preferences are saved." in answer.content.decode()
    )  # now English
    assert status(setup, "news") == "unsubscribed"
    assert status(setup, "hostile") == "confirmed"
    assert status(setup, "hidden") == "confirmed"  # not public: untouched, and not joinable from here
    person = Contact.unscoped.get(pk=setup["person"].pk)
    assert person.language == "en"
    consent = Consent.unscoped.get(contact=person, purpose="email_marketing")
    assert (consent.status, consent.source) == ("granted", "preference_centre") and consent.ip_hash
    entry = Interaction.unscoped.get(contact=person, kind="email_preferences")
    assert entry.payload["joined"] == [HOSTILE] and entry.payload["left"] == ["新品速递"]
    assert entry.payload["language"] == "en"
    assert Interaction.unscoped.filter(contact=person, kind="consent").count() == 1


def test_unsubscribe_from_all_then_back_to_one_list(setup):
    client = Client(enforce_csrf_checks=True)
    answer = page(client, setup["token"], stop_all="1", list=[str(setup["news"].pk)])
    assert 'data-state="stopped"' in answer.content.decode()
    assert Suppression.unscoped.get(email="xiaoming@qq.com").reason == "unsubscribe"
    assert {status(setup, key) for key in ("news", "hidden")} == {"unsubscribed"}
    person = setup["person"]
    assert (
        Consent.unscoped.filter(contact=person, status="withdrawn", source="preference_centre").count() == 1
    )
    assert Interaction.unscoped.filter(contact=person, kind="email_unsubscribe").count() == 1

    page(client, setup["token"], list=[str(setup["news"].pk)])
    assert status(setup, "news") == "confirmed" and status(setup, "hidden") == "unsubscribed"
    assert not Suppression.unscoped.filter(email="xiaoming@qq.com").exists()
    latest = Consent.unscoped.filter(contact=person).order_by("-recorded_at", "-id").first()
    assert latest.status == "granted"


def test_bounces_and_complaints_stay_suppressed_when_joining(setup):
    Suppression.unscoped.create(
        workspace=setup["person"].workspace, email="xiaoming@qq.com", reason="complaint"
    )
    page(Client(enforce_csrf_checks=True), setup["token"], list=[str(setup["hostile"].pk)])
    assert Suppression.unscoped.get(email="xiaoming@qq.com").reason == "complaint"


def test_an_address_without_a_contact_can_join_a_list(team_a):
    news = MailingList.unscoped.create(workspace=team_a.workspace, name="Tea news", is_public=True)
    token = make_token(team_a.workspace.pk, "new@163.com")
    page(Client(enforce_csrf_checks=True), token, list=[str(news.pk)])
    contact = Contact.unscoped.get(workspace=team_a.workspace, email="new@163.com")
    assert Subscription.unscoped.get(contact=contact).status == "confirmed"


def test_forged_and_other_purpose_tokens_are_404_and_bad_input_is_4xx(setup, team_a):
    assert Client().get("/mail/preferences/x" + setup["token"] + "/").status_code == 404
    answer = page(
        Client(enforce_csrf_checks=True), setup["token"], language="fr", list=["abc", "-1", "9" * 30]
    )
    assert answer.status_code == 400 and status(setup, "news") == "confirmed"


def test_the_unsubscribe_page_links_to_the_preference_centre(setup):
    html = Client().get(f"/mail/unsubscribe/{setup['token']}/").content.decode()
    assert f'href="/mail/preferences/{setup["token"]}/"' in html
