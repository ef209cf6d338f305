"""Ready layouts: they render with the personalisation of a real message in both languages, and the
campaign form starts from them (issue 7)."""

import re

import pytest
from django.urls import reverse

from netmark.core.roles import Role
from netmark.mailing import composing, layouts
from netmark.mailing.campaign_models import Campaign
from netmark.mailing.previews import sample_contact
from netmark.mailing.templating import MessageTemplate

WORDS = {
    "zh-hans": ("王芳，您好！", "退订", "邮件偏好设置"),
    "en": ("Hello Alex,", "Unsubscribe", "Email preferences"),
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("key", list(layouts.LAYOUTS))
def test_every_layout_renders_in_both_languages_with_both_footer_links(team_a, key, language):
    source = layouts.render_layout(key, language)
    contact = sample_contact(team_a.workspace, language)
    context = composing.personalisation(
        contact, contact.email, "https://mk.example/u/T/", "https://mk.example/p/T/"
    )
    rendered = MessageTemplate("{{ contact.name }}", source).render(context)
    assert "[[" not in rendered.html and "{{" not in rendered.html
    greeting, unsubscribe, preferences = WORDS[language]
    assert greeting in rendered.html and greeting in rendered.text
    assert '<a href="https://mk.example/u/T/" style="color:#' in rendered.html
    assert '<a href="https://mk.example/p/T/" style="color:#' in rendered.html
    assert unsubscribe in rendered.html and preferences in rendered.html
    assert "max-width:600px" in rendered.html and 'name="viewport"' in rendered.html


@pytest.mark.parametrize("key", list(layouts.LAYOUTS))
def test_layouts_load_nothing_from_outside_and_run_no_script(key):
    source = layouts.render_layout(key, "zh-hans")
    assert not re.search(r"<(script|link|img|iframe|style)\b", source, re.IGNORECASE)
    assert not re.search(r"\bsrc\s*=", source, re.IGNORECASE)
    assert "<table" in source and 'role="presentation"' in source


def test_an_unknown_layout_is_a_validation_error():
    with pytest.raises(Exception) as caught:
        layouts.render_layout("nope", "en")
    assert caught.value.fields == {"layout": "Choose one of the layouts offered."}


def _create_url(team):
    return reverse("mailing:campaign_create", args=[team.workspace.slug])


def test_an_empty_body_with_a_layout_takes_the_layout_in_the_workspace_language(team_a):
    client = team_a.browser_client(Role.IMPLEMENTER)
    form = {"name": "春季资讯", "subject": "本月资讯", "layout": "newsletter", "html": ""}
    answer = client.post(_create_url(team_a), {**form, "test_percent": 0, "test_wait_minutes": 240})
    assert answer.status_code == 302
    campaign = Campaign.unscoped.get(workspace=team_a.workspace, name="春季资讯")
    assert campaign.html == layouts.render_layout("newsletter", team_a.workspace.language)


def test_an_empty_body_without_a_layout_is_refused_with_a_message(team_a):
    client = team_a.browser_client(Role.IMPLEMENTER)
    answer = client.post(_create_url(team_a), {"name": "空", "subject": "s", "html": " ",
                                               "test_percent": 0, "test_wait_minutes": 240})  # fmt: skip
    assert answer.status_code == 200
    assert "Write the HTML body or choose a layout." in answer.content.decode()
    assert not Campaign.unscoped.filter(workspace=team_a.workspace, name="空").exists()


def test_the_layout_parameter_prefills_the_body_and_an_unknown_one_is_ignored(team_a):
    client = team_a.browser_client(Role.IMPLEMENTER)
    page = client.get(_create_url(team_a) + "?layout=promotion").content.decode()
    assert "max-width:600px" in page and 'value="promotion" selected' in page
    assert 'data-layout="announcement"' in page
    plain = client.get(_create_url(team_a) + "?layout=%3Cscript%3E")
    assert plain.status_code == 200 and "max-width:600px" not in plain.content.decode()
