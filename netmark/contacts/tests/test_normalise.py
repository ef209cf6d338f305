import pytest
from hypothesis import given
from hypothesis import strategies as st

from netmark.contacts import normalise
from netmark.core.errors import ValidationFailed

mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


def _spaced(number: str, draw_sep) -> str:
    return f"{number[:3]}{draw_sep}{number[3:7]}{draw_sep}{number[7:]}"


@given(
    mobiles,
    st.sampled_from(["", "+86", "+86 ", "0086", "0086 ", "86-", "(+86)", "＋８６"]),
    st.sampled_from(["", " ", "-", ".", "　"]),
)
def test_every_written_form_of_a_chinese_mobile_is_one_number(number, prefix, separator):
    written = prefix + _spaced(number, separator)
    assert normalise.phone(written) == "+86" + number


@given(mobiles)
def test_full_width_digits_are_the_same_number(number):
    full_width = "".join(chr(ord(digit) + 0xFEE0) for digit in number)
    assert normalise.phone(full_width) == "+86" + number


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("0871-6555-0019", "+8687165550019"),
        ("+852 9123 4567", "+85291234567"),
        ("87165550029", "87165550029"),
        ("", ""),
    ],
)
def test_landlines_and_foreign_numbers(written, expected):
    assert normalise.phone(written) == expected


@pytest.mark.parametrize("written", ["8.61381E+12", "13912340022 / 18612340022", "call me", "12"])
def test_unusable_phone_cells_are_refused(written):
    with pytest.raises(ValidationFailed) as error:
        normalise.phone(written)
    assert set(error.value.fields) == {"phone"}


def test_email_is_trimmed_and_lower_cased():
    assert normalise.email(" LiangChen@Mail.example ") == "liangchen@mail.example"
    assert normalise.email("ZhangWei@QQ.example") == "zhangwei@qq.example"


@pytest.mark.parametrize("written", ["zhoujie@", "wumin@@163.example", "zhengqiang@163", "a b@c.d"])
def test_malformed_emails_are_refused(written):
    with pytest.raises(ValidationFailed):
        normalise.email(written)


def test_text_folds_full_width_space():
    assert normalise.text("陈　静 ") == "陈 静"
