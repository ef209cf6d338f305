"""TOKEN (shared/RELIABILITY.md): render tokens cannot be forged, mutated or moved to another form.

Hypothesis mutates a valid token (flipped, dropped and inserted characters); none is accepted, and
nothing is written. Public ids are random and long, so forms cannot be walked by guessing.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netmark.capture import submissions
from netmark.capture.models import Submission
from netmark.capture.tests.factories import aged_token, answers, make_form
from netmark.core.errors import NetmarkError
from netmark.core.scoping import scoped

pytestmark = pytest.mark.django_db
ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_:."


def mutate(token: str, position: int, character: str, how: str) -> str:
    position %= len(token)
    if how == "flip":
        replacement = character if character != token[position] else ("a" if token[position] != "a" else "b")
        return token[:position] + replacement + token[position + 1 :]
    if how == "drop":
        return token[:position] + token[position + 1 :]
    return token[:position] + character + token[position:]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    position=st.integers(min_value=0, max_value=10_000),
    character=st.sampled_from(ALPHABET),
    how=st.sampled_from(["flip", "drop", "insert"]),
)
def test_no_mutated_token_is_accepted(team_a, position, character, how):
    form = scoped(submissions.Form, team_a.workspace).first() or make_form(team_a)
    token = mutate(aged_token(form), position, character, how)
    with pytest.raises(NetmarkError) as refused:
        submissions.submit(form, answers(form, _token=token), ip=f"198.51.100.{position % 250}")
    assert refused.value.status in (400, 429)
    assert scoped(Submission, team_a.workspace).count() == 0


def test_the_unmutated_token_is_accepted(team_a):
    form = make_form(team_a)
    outcome = submissions.submit(form, answers(form), ip="198.51.100.1")
    assert outcome.accepted is True and scoped(Submission, team_a.workspace).count() == 1
