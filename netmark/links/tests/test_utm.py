"""UTM values: normalisation, validation, channel defaults, destinations and tagged URLs."""

import pytest

from netmark.core.errors import ValidationFailed
from netmark.links import utm
from netmark.planning.catalogue import CHANNEL_TYPES
from netmark.planning.models import Plan

PREFIX = "http://127.0.0.1:8000/s/"


@pytest.mark.parametrize(
    ("raw", "separator", "expected"),
    [
        ("  Spring Sale ", "-", "spring-sale"),
        ("Spring Sale", "_", "spring_sale"),
        ("spring_sale-2026", "-", "spring-sale-2026"),
        ("ＷＥＩＢＯ", "-", "weibo"),
        ("Double  11__Presale", "_", "double_11_presale"),
        ("-cpc-", "-", "cpc"),
        ("v1.2", "-", "v1.2"),
        ("", "-", ""),
    ],
)
def test_values_are_trimmed_lower_cased_and_joined_by_the_separator(raw, separator, expected):
    assert utm.clean_value(raw, "utm_campaign", separator) == expected


@pytest.mark.parametrize("raw", ["双十一", "spring/sale", "a&b=c", "café", "50%"])
def test_values_a_url_cannot_carry_plainly_are_refused_with_a_pinyin_hint(raw):
    with pytest.raises(ValidationFailed) as caught:
        utm.clean_value(raw, "utm_campaign", "-")
    assert set(caught.value.fields) == {"utm_campaign"}
    assert "pinyin" in caught.value.fields["utm_campaign"]


def test_values_longer_than_100_characters_are_refused():
    with pytest.raises(ValidationFailed) as caught:
        utm.clean_value("a" * 101, "utm_term")
    assert caught.value.fields == {"utm_term": "At most 100 characters."}


def test_every_catalogue_channel_type_has_its_own_defaults():
    codes = {row[0] for row in CHANNEL_TYPES}
    assert codes <= set(utm.CHANNEL_DEFAULTS)
    assert utm.channel_defaults("baidu_search_ads") == ("baidu", "cpc")
    assert utm.channel_defaults("email") == ("email", "email")
    assert utm.channel_defaults("weibo") == ("weibo", "social")
    assert utm.channel_defaults("offline_events") == ("offline", "offline")
    assert utm.channel_defaults("tiktok") == ("tiktok", "referral")


def test_campaign_defaults_to_the_plans_value_then_a_slug_then_the_plan_id():
    assert utm.campaign_default(Plan(pk=7, name="Spring Launch 2026", utm_campaign="mingqian")) == "mingqian"
    assert utm.campaign_default(Plan(pk=7, name="Spring Launch 2026 春茶")) == "spring-launch-2026"
    assert utm.campaign_default(Plan(pk=7, name="中秋礼盒")) == "plan-7"


@pytest.mark.parametrize(
    "bad",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example.com/a",
        "//evil.example.com/",
        "/relative/path",
        "https://",
        "https://exa mple.com/",
        "https://example.com/\nSet-Cookie:x",
        "",
    ],
)
def test_destinations_must_be_absolute_http_urls(bad):
    with pytest.raises(ValidationFailed) as caught:
        utm.clean_destination(bad, PREFIX)
    assert set(caught.value.fields) == {"destination"}


def test_a_destination_may_not_be_another_short_link():
    with pytest.raises(ValidationFailed) as caught:
        utm.clean_destination(PREFIX + "AbCdEf12", PREFIX)
    assert caught.value.fields == {"destination": "A tracked link cannot lead to another short link."}


def test_utm_parameters_already_in_a_destination_are_dropped_and_the_rest_kept_byte_for_byte():
    url = "https://shop.example.com/p?id=5&utm_source=old&q=a+b%20c&UTM_Medium=x#top"
    assert utm.clean_destination(url, PREFIX) == "https://shop.example.com/p?id=5&q=a+b%20c#top"


def test_tagged_url_appends_the_utm_values_before_the_fragment():
    values = {
        "utm_source": "weibo",
        "utm_medium": "social",
        "utm_campaign": "spring",
        "utm_content": "",
        "utm_term": "tea gift",
    }
    tagged = utm.tagged_url("https://shop.example.com/p?id=5#top", values)
    assert (
        tagged
        == "https://shop.example.com/p?id=5&utm_source=weibo&utm_medium=social&utm_campaign=spring&utm_term=tea+gift#top"
    )
    assert (
        utm.tagged_url("https://shop.example.com/", {"utm_source": "x"})
        == "https://shop.example.com/?utm_source=x"
    )


def test_fingerprint_differs_when_any_of_the_six_values_differs():
    base = {"utm_source": "weibo", "utm_medium": "social", "utm_campaign": "spring"}
    first = utm.fingerprint("https://a.example/", base)
    assert first == utm.fingerprint("https://a.example/", dict(base))
    assert first != utm.fingerprint("https://b.example/", base)
    assert first != utm.fingerprint("https://a.example/", {**base, "utm_term": "tea"})
