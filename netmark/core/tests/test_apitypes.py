from decimal import Decimal

import pytest
from ninja import Schema
from pydantic import ValidationError

from netmark.core.apitypes import bounded_decimal

Money = bounded_decimal("0", "999999999999.99", 2)


class Priced(Schema):
    price: Money


def test_a_json_number_is_rounded_to_cents():
    assert Priced(price=0.125).price == Decimal("0.13")


def test_a_tiny_negative_number_is_refused_not_rounded_to_zero():
    with pytest.raises(ValidationError):
        Priced(price=-7.2e-239)


def test_a_string_with_too_many_decimals_is_refused():
    with pytest.raises(ValidationError):
        Priced(price="1.234")


def test_a_huge_number_is_refused_without_a_decimal_error():
    with pytest.raises(ValidationError):
        Priced(price=1e300)


def test_booleans_are_not_amounts():
    with pytest.raises(ValidationError):
        Priced(price=True)
