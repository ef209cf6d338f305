"""Downloads keep their name: ASCII as a plain filename, Chinese as RFC 6266 ``filename*``."""

from urllib.parse import unquote

from netmark.core.apitools import file_answer


def test_an_ascii_name_is_a_plain_quoted_filename():
    answer = file_answer(b"a,b\n", "text/csv; charset=utf-8", "costs.csv")
    assert answer["Content-Disposition"] == 'attachment; filename="costs.csv"'
    assert answer["Content-Type"] == "text/csv; charset=utf-8" and answer.content == b"a,b\n"


def test_a_chinese_name_survives_as_utf8_filename_star():
    answer = file_answer(b"%PDF", "application/pdf", '双11 "预售".pdf')
    disposition = answer["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert unquote(disposition.split("''", 1)[1]) == '双11 "预售".pdf'
