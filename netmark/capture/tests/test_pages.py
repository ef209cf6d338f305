"""Capture pages: the builder (htmx rows), a form's embed codes and submissions, landing pages;
hostile input (XSS) escaped wherever it is shown; the hosted, framed and script embeds."""

import json

import pytest
from django.test import Client

from netmark.capture import services
from netmark.capture.models import Form
from netmark.capture.tests.factories import answers, make_form
from netmark.core.scoping import scoped

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'><svg onload=alert(3)>"


def test_the_builder_creates_a_form_from_its_rows(team_a):
    browser = team_a.browser_client()
    page = browser.get("/w/ws-a/capture/forms/new/")
    assert page.status_code == 200 and 'name="key_0"' in page.content.decode()
    row = browser.get("/w/ws-a/capture/forms/field-row/?index=3", HTTP_HX_REQUEST="true")
    assert 'name="key_3"' in row.content.decode()
    response = browser.post(
        "/w/ws-a/capture/forms/new/",
        {
            "name": "茶会报名",
            "language": "zh-hans",
            "consent_purpose": "email_marketing",
            "is_active": "on",
            "key_0": "name",
            "label_0": "姓名",
            "key_1": "email",
            "required_1": "on",
            "key_2": "",
            "tags": "春茶, 茶会",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    form = scoped(Form, team_a.workspace).get()
    assert [field["key"] for field in form.fields] == ["name", "email"]
    assert form.fields[1]["required"] is True and form.tags == ["春茶", "茶会"]


def test_the_builder_shows_service_errors(team_a):
    response = team_a.browser_client().post(
        "/w/ws-a/capture/forms/new/",
        {
            "name": "x",
            "language": "en",
            "consent_purpose": "email_marketing",
            "key_0": "email",
            "redirect_url": "javascript:alert(1)",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Enter an http:// or https:// address." in text
    assert scoped(Form, team_a.workspace).count() == 0


def test_hostile_values_are_escaped_on_every_page_and_embed(team_a):
    form = make_form(
        team_a,
        name=XSS,
        consent_text=XSS,
        fields=[
            {"key": "name", "label": XSS},
            {"key": "email", "required": True},
            {"key": "message", "label": XSS},
        ],
    )
    Client().post(
        f"/f/{form.public_id}/submit",
        json.dumps(answers(form, name=XSS, message=XSS)),
        content_type="application/json",
    )
    services.create_page(
        team_a.owner,
        slug="x",
        title=XSS,
        headline=XSS,
        body=XSS + "\n\n[x](javascript:alert(4))",
        form_id=form.pk,
        is_published=True,
    )
    browser = team_a.browser_client()
    from netmark.contacts.models import Contact

    contact = scoped(Contact, team_a.workspace).get()
    pages = [
        browser.get(f"/w/ws-a/contacts/{contact.pk}/"),  # the timeline shows the submission
        browser.get("/w/ws-a/capture/forms/"),
        browser.get(f"/w/ws-a/capture/forms/{form.pk}/"),
        browser.get("/w/ws-a/capture/landing-pages/"),
        Client().get(f"/f/{form.public_id}/"),
        Client().get(f"/f/{form.public_id}/frame/"),
        Client().get("/p/ws-a/x/"),
    ]
    for response in pages:
        text = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in text and "<img src=x" not in text and "<svg onload" not in text
        assert 'href="javascript:' not in text
    script = Client().get(f"/f/{form.public_id}/embed.js").content.decode()
    assert "</script>" not in script and "<img" not in script and "\\u003cscript\\u003e" in script


def test_the_hosted_form_is_not_framed_but_the_frame_version_is(team_a):
    form = make_form(team_a)
    hosted = Client().get(f"/f/{form.public_id}/")
    framed = Client().get(f"/f/{form.public_id}/frame/")
    assert (
        hosted["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in hosted["Content-Security-Policy"]
    )
    assert "X-Frame-Options" not in framed and "frame-ancestors *" in framed["Content-Security-Policy"]
    assert 'name="_token"' in framed.content.decode() and 'lang="zh-hans"' in framed.content.decode()


def test_a_landing_page_renders_markdown_safely_with_its_form_and_tracker(team_a):
    from netmark.analytics import services as analytics

    site = analytics.create_site(team_a.owner, name="茶店", domain="tea.example.com")
    form = make_form(team_a)
    services.create_page(
        team_a.owner,
        slug="spring",
        title="春茶",
        headline="明前龙井上市",
        body="**新茶** 到了\n\n- 龙井",
        image_url="https://img.example.com/tea.jpg",
        form_id=form.pk,
        site_id=site.pk,
        language="zh-hans",
        is_published=True,
    )
    response = Client().get("/p/ws-a/spring/")
    text = response.content.decode()
    assert "<strong>新茶</strong>" in text and "<li>龙井</li>" in text
    assert 'data-domain="tea.example.com"' in text and f"/f/{form.public_id}/submit" in text
    assert "https://img.example.com" in response["Content-Security-Policy"]


def test_unpublished_and_unknown_landing_pages_look_alike(team_a):
    services.create_page(team_a.owner, slug="draft", title="草稿", is_published=False)
    assert Client().get("/p/ws-a/draft/").status_code == 404
    assert Client().get("/p/ws-a/nothing/").status_code == 404
    assert Client().get("/p/ws-b/draft/").status_code == 404


def test_submissions_csv_page_export(team_a):
    form = make_form(team_a)
    Client().post(f"/f/{form.public_id}/submit", json.dumps(answers(form)), content_type="application/json")
    response = team_a.browser_client().get(f"/w/ws-a/capture/forms/{form.pk}/submissions.csv")
    assert response.status_code == 200 and "li.na@example.com" in response.content.decode("utf-8-sig")


def test_viewers_see_forms_but_neither_build_nor_export(team_a):
    from netmark.core.roles import Role

    form = make_form(team_a)
    viewer = team_a.browser_client(Role.VIEWER)
    detail = viewer.get(f"/w/ws-a/capture/forms/{form.pk}/")
    assert detail.status_code == 200 and "submissions.csv" not in detail.content.decode()
    assert viewer.get("/w/ws-a/capture/forms/new/").status_code == 403
    assert viewer.get(f"/w/ws-a/capture/forms/{form.pk}/submissions.csv").status_code == 403
    assert viewer.post(f"/w/ws-a/capture/forms/{form.pk}/delete/").status_code == 403
    assert scoped(Form, team_a.workspace).count() == 1


def test_an_error_sent_from_a_landing_page_shows_that_page_again(team_a):
    import re

    form = make_form(team_a)
    services.create_page(team_a.owner, slug="spring", title="春茶", headline="明前龙井上市", form_id=form.pk,
                         is_published=True)  # fmt: skip
    page = Client().get("/p/ws-a/spring/").content.decode()
    landing = re.search(r'name="_landing" value="([^"]+)"', page).group(1)
    response = Client().post(
        f"/f/{form.public_id}/submit", {**answers(form, email="bad"), "_landing": landing}
    )
    text = response.content.decode()
    assert response.status_code == 422
    assert "明前龙井上市" in text and "请输入邮箱地址" in text and 'value="bad"' in text
    forged = Client().post(f"/f/{form.public_id}/submit", {**answers(form, email="bad"), "_landing": "x"})
    assert forged.status_code == 422 and "明前龙井上市" not in forged.content.decode()  # the plain form page
