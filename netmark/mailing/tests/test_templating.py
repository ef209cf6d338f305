"""TEMPLATE: personalisation is sandboxed; failures are found before sending; renders over 1 s abort."""

import time

import pytest
from django.conf import settings

from netmark.mailing.templating import MessageTemplate, RenderFailed, contact_context, validate_all

GREETING = '{{ contact.first_name | default("朋友") }}'


def render(source, contact=None, field="html"):
    template = MessageTemplate(
        source if field == "subject" else "s", source if field == "html" else "<p></p>"
    )
    return template.render({"contact": contact_context(contact or {})})


def test_personalised_subject_and_body_with_a_chinese_default():
    template = MessageTemplate(f"{GREETING}，新茶到了", f"<p>{GREETING}您好</p>")
    assert template.render({"contact": contact_context({"first_name": "小明"})}).subject == "小明，新茶到了"
    rendered = template.render({"contact": contact_context({"first_name": ""})})
    assert (rendered.subject, rendered.html) == ("朋友，新茶到了", "<p>朋友您好</p>")


def test_the_plain_text_part_comes_from_the_html_template_and_is_personalised():
    template = MessageTemplate("s", f'<h1>{GREETING}您好</h1><p>新茶<a href="{{{{ url }}}}">看看</a></p>')
    rendered = template.render({"contact": {"first_name": "小明"}, "url": "https://yunling-tea.example/a"})
    assert rendered.text == "小明您好\n\n新茶看看 (https://yunling-tea.example/a)\n"


def test_html_output_is_escaped_and_subject_is_plain():
    template = MessageTemplate("{{ contact.company }}", "<p>{{ contact.company }}</p>")
    rendered = template.render({"contact": {"company": "<b>茶&茶</b>"}})
    assert rendered.html == "<p>&lt;b&gt;茶&amp;茶&lt;/b&gt;</p>"
    assert rendered.subject == "<b>茶&茶</b>"


PROBES = [
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ contact.__class__ }}",
    "{{ contact.update({'a': 1}) }}",
    "{{ settings.SECRET_KEY }}",
    "{{ config }}",
    "{{ request.META }}",
    "{{ environ }}",
    "{{ self._TemplateReference__context }}",
    "{{ lipsum.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.environ }}",
    "{{ range.__self__ }}",
    "{{ (1).__class__.__base__.__subclasses__() }}",
    "{{ contact|attr('__class__') }}",
    "{% set x = contact.pop('first_name') %}",
    "{{ 'x' * 100000000 }}",
    "{{ 9 ** 999 }}",
    "{% for i in range(10**8) %}{% endfor %}",
    "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
]


@pytest.mark.parametrize("probe", PROBES)
def test_probes_are_refused(probe):
    with pytest.raises(RenderFailed) as error:
        render(probe, {"first_name": "小明"})
    assert settings.SECRET_KEY not in str(error.value.fields)


def test_a_render_over_one_second_is_aborted():
    loop = "{% for _ in range(1000) %}"
    endless = loop * 3 + "x" + "{% endfor %}" * 3
    started = time.monotonic()
    with pytest.raises(RenderFailed) as error:
        render(endless)
    assert 0.9 < time.monotonic() - started < 2.0
    assert "1 s" in error.value.fields["html"]


def test_a_syntax_error_names_the_field_and_line():
    with pytest.raises(RenderFailed) as error:
        MessageTemplate("{{ contact.first_name ", "<p></p>")
    assert list(error.value.fields) == ["subject"] and "Line 1" in error.value.fields["subject"]


def test_validate_all_finds_every_recipient_that_fails_before_sending():
    template = MessageTemplate("{{ contact.first_name }}，你好", "<p>{{ contact.city | default('') }}</p>")
    contexts = [
        ("a@qq.com", {"contact": {"first_name": "小明"}}),
        ("b@qq.com", {"contact": {}}),
        ("c@163.com", {"contact": {"first_name": "小红"}}),
        ("d@163.com", {"contact": {"first_name": None}}),
    ]
    contexts = [(key, {"contact": contact_context(ctx["contact"])}) for key, ctx in contexts]
    failures = validate_all(template, contexts)
    assert [failure.key for failure in failures] == ["b@qq.com", "d@163.com"]
    assert "first_name" in failures[0].fields["subject"]
