"""TOKEN: signed links cannot be forged, altered, moved to another purpose or used after expiry."""

import string

import pytest
from django.core import signing as django_signing
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from netmark.core import signing
from netmark.core.errors import NotFound

purposes = st.sampled_from(["unsubscribe", "calendar-feed", "invitation", "share-report", "form"])
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
token_alphabet = string.ascii_letters + string.digits + "-_:."
fast = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(purpose=purposes, value=values)
def test_a_token_verifies_for_its_own_purpose(purpose, value):
    assert signing.unsign(purpose, signing.sign(purpose, value)) == value


@st.composite
def mutations(draw):
    """A token and a different string made from it by replacing, inserting, deleting or truncating."""
    token = signing.sign(draw(purposes), draw(values))
    position = draw(st.integers(0, len(token) - 1))
    kind = draw(st.sampled_from(["replace", "insert", "delete", "truncate", "swap"]))
    char = draw(st.sampled_from(token_alphabet))
    if kind == "replace":
        mutated = token[:position] + char + token[position + 1 :]
    elif kind == "insert":
        mutated = token[:position] + char + token[position:]
    elif kind == "delete":
        mutated = token[:position] + token[position + 1 :]
    elif kind == "truncate":
        mutated = token[:position]
    else:
        other = draw(st.integers(0, len(token) - 1))
        chars = list(token)
        chars[position], chars[other] = chars[other], chars[position]
        mutated = "".join(chars)
    return token, mutated


@fast
@given(pair=mutations(), purpose=purposes)
def test_a_mutated_token_never_verifies(pair, purpose):
    token, mutated = pair
    assume(mutated != token)
    with pytest.raises(NotFound):
        signing.unsign(purpose, mutated)


@fast
@given(value=values, signed_for=purposes, used_for=purposes)
def test_a_token_never_verifies_for_another_purpose(value, signed_for, used_for):
    assume(signed_for != used_for)
    with pytest.raises(NotFound):
        signing.unsign(used_for, signing.sign(signed_for, value))


@fast
@given(garbage=st.text(max_size=200), purpose=purposes)
def test_arbitrary_text_never_verifies_and_never_crashes(garbage, purpose):
    with pytest.raises(NotFound):
        signing.unsign(purpose, garbage)


@pytest.mark.parametrize("garbage", [None, 42, b"bytes", ["list"]])
def test_a_token_that_is_not_text_is_not_found(garbage):
    with pytest.raises(NotFound):
        signing.unsign("unsubscribe", garbage)


def test_a_token_signed_with_another_secret_never_verifies(settings):
    token = signing.sign("unsubscribe", {"contact": 7})
    settings.SECRET_KEY = "another installation's secret key, long enough to be realistic"
    with pytest.raises(NotFound):
        signing.unsign("unsubscribe", token)


def test_a_token_expires_after_its_max_age(monkeypatch):
    signed_at = 1_800_000_000
    monkeypatch.setattr(django_signing.time, "time", lambda: signed_at)
    token = signing.sign("share-report", {"report": 3})
    monkeypatch.setattr(django_signing.time, "time", lambda: signed_at + 3600)
    assert signing.unsign("share-report", token, max_age=3600) == {"report": 3}
    monkeypatch.setattr(django_signing.time, "time", lambda: signed_at + 3601)
    with pytest.raises(NotFound):
        signing.unsign("share-report", token, max_age=3600)
    assert signing.unsign("share-report", token) == {"report": 3}
