"""CSV reading (encodings, delimiters, headers, limits) and writing (BOM, CRLF, CSV-OUT escaping)."""

import codecs
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from netmark.core import csvio
from netmark.core.errors import TooLarge

SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "samples"
CONTACT_HEADERS = ["姓名", "手机", "邮箱", "公司", "职位", "城市", "来源", "添加时间", "备注"]


def sample(name: str) -> bytes:
    return (SAMPLES / "contacts" / name).read_bytes()


# Reading


def test_excel_gbk_contacts_are_decoded_as_gb18030():
    table = csvio.read_table(sample("contacts_excel_cn_gbk.csv"))
    assert (table.encoding, table.delimiter) == ("gb18030", ",")
    assert table.headers == CONTACT_HEADERS
    assert len(table.rows) == 29  # 30 records, one of them all empty
    assert table.rows[0].values["姓名"] == "张伟"
    assert table.rows[0].values["公司"] == "昆明云岭贸易有限公司"


def test_excel_utf8_bom_contacts_keep_characters_outside_gbk():
    table = csvio.read_table(sample("contacts_excel_cn_utf8bom.csv"))
    assert table.encoding == "utf-8-sig"
    assert table.headers == CONTACT_HEADERS
    names = [row.values["姓名"] for row in table.rows]
    assert "王䶮" in names
    assert "王?" in [row.values["姓名"] for row in csvio.read_table(sample("contacts_excel_cn_gbk.csv")).rows]


def test_both_contact_samples_give_the_same_rows_apart_from_the_rare_character():
    gbk = csvio.read_rows(sample("contacts_excel_cn_gbk.csv"))
    utf8 = csvio.read_rows(sample("contacts_excel_cn_utf8bom.csv"))
    differing = [index for index, (left, right) in enumerate(zip(gbk, utf8, strict=True)) if left != right]
    assert [utf8[index]["姓名"] for index in differing] == ["王䶮"]


def test_row_numbers_are_spreadsheet_rows_across_multiline_cells_and_blank_rows():
    table = csvio.read_table(sample("contacts_excel_cn_utf8bom.csv"))
    by_name = {row.values["姓名"]: row for row in table.rows}
    assert by_name["马超"].number == 18
    assert by_name["马超"].values["备注"] == "第一次联系：询价\n第二次：约了10月25日看样"
    assert by_name["罗琳"].number == 19
    assert by_name["林涛"].number == 26
    assert by_name["黄磊"].number == 28  # row 27 is all empty and skipped


def test_a_row_with_more_cells_than_columns_keeps_the_extra_cells():
    table = csvio.read_table(sample("contacts_excel_cn_utf8bom.csv"))
    row = next(row for row in table.rows if row.values["姓名"] == "郑强")
    assert row.extra == ("邮箱里的逗号没加引号",)


def test_short_rows_are_padded_with_empty_cells():
    table = csvio.read_table(b"a,b,c\r\n1\r\n")
    assert table.rows[0].values == {"a": "1", "b": "", "c": ""}


def test_utf16_with_bom_and_tabs_is_read():
    data = codecs.BOM_UTF16_LE + "名称\t预算\r\n微博\t5000\r\n".encode("utf-16-le")
    table = csvio.read_table(data)
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert table.rows[0].values == {"名称": "微博", "预算": "5000"}


def test_excel_unicode_text_report_with_a_title_line_is_read_as_tab_separated():
    data = (SAMPLES / "ads" / "google_ads_campaign_report_daily_excel-csv_utf16le_tab.csv").read_bytes()
    table = csvio.read_table(data)
    assert (table.encoding, table.delimiter, table.headers) == ("utf-16", "\t", ["campaign report"])
    assert table.rows[1].values["campaign report"] == "Day"


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b\n1,2\n", ","),
        ("a\tb\n1\t2\n", "\t"),
        ("a;b\n1;2\n", ";"),
        ('"a;x",b\n1,2\n', ","),
        ("title\na;b;c\n1;2,5;3\n4;5;6\n", ";"),
        ("name\n白茶\n", ","),
    ],
)
def test_delimiter_is_sniffed_outside_quotes(text, delimiter):
    assert csvio.read_table(text.encode()).delimiter == delimiter


def test_headers_are_normalised():
    table = csvio.read_table("\ufeff Name ,Monthly   Budget,预算：微博,ＫＰＩ\n1,2,3,4\n".encode())
    assert table.headers == ["name", "monthly budget", "预算:微博", "kpi"]


def test_a_duplicated_header_is_refused():
    with pytest.raises(csvio.CsvError) as error:
        csvio.read_table(b"name,Name\n1,2\n")
    assert "name" in error.value.message


def test_undecodable_bytes_are_refused_naming_the_line():
    data = "名称,预算\n微博,5000\n".encode() + b"\xff\xfe\xfd,1\n"
    with pytest.raises(csvio.CsvError) as error:
        csvio.read_table(data)
    assert error.value.message.startswith("Line 3 is not valid UTF-8, UTF-16 or GBK/GB18030 text (byte 0xff)")


def test_empty_input_is_refused():
    with pytest.raises(csvio.CsvError):
        csvio.read_table(b"")


def test_input_over_the_byte_limit_is_refused_before_decoding():
    with pytest.raises(TooLarge):
        csvio.read_table(b"a\n" + b"x\n" * 100, max_bytes=50)


def test_input_over_the_row_limit_is_refused():
    with pytest.raises(TooLarge):
        csvio.read_table(b"a\n" + b"x\n" * 11, max_rows=10)


# Writing


def test_export_is_utf8_with_bom_and_crlf():
    data = csvio.write_rows(["名称", "预算"], [{"名称": "微博", "预算": Decimal("5000.00")}])
    assert data == codecs.BOM_UTF8 + "名称,预算\r\n微博,5000.00\r\n".encode()


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (
            '=HYPERLINK("http://phish.example/?id=1","点我领券")',
            '\'=HYPERLINK("http://phish.example/?id=1","点我领券")',
        ),
        ("+加微信备注：茶友", "'+加微信备注：茶友"),
        ("-无-", "'-无-"),
        ("@老客户 转介绍", "'@老客户 转介绍"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("+86 139 1234 0002", "'+86 139 1234 0002"),
        ("-12.5", "-12.5"),
        ("+8613712340003", "+8613712340003"),
        ("-1.5e3", "-1.5e3"),
        (Decimal("-12.50"), "-12.50"),
        (-3, "-3"),
        ("普洱 = 好茶", "普洱 = 好茶"),
        (None, ""),
        (True, "true"),
    ],
)
def test_formula_triggers_are_escaped_but_plain_numbers_are_not(value, written):
    assert csvio.escape_cell(value) == written


CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@given(st.lists(st.tuples(CELL, CELL), min_size=1, max_size=8))
@example([("\t", "\t\t")])  # tabs inside cells must not be taken for the delimiter
def test_written_cells_read_back_escaped_or_unchanged(rows):
    """CSV-OUT: every trigger cell comes back with a leading quote, every other cell unchanged."""
    data = csvio.write_rows(["a", "b"], rows)
    escaped = [{"a": csvio.escape_cell(a), "b": csvio.escape_cell(b)} for a, b in rows]
    # Rows whose cells are all blank are skipped on reading, by design.
    assert csvio.read_rows(data) == [row for row in escaped if any(value.strip() for value in row.values())]
    for a, b in rows:
        for cell in (a, b):
            trigger = cell.startswith(csvio.FORMULA_TRIGGERS) and not csvio.PLAIN_NUMBER.fullmatch(cell)
            assert csvio.escape_cell(cell) == ("'" + cell if trigger else cell)
    for row in csvio.read_rows(data):
        for value in row.values():
            if value.startswith(csvio.FORMULA_TRIGGERS):
                assert csvio.PLAIN_NUMBER.fullmatch(value)


# Import helpers


def test_columns_are_mapped_from_english_and_chinese_aliases():
    table = csvio.read_table("名称,Monthly budget,预算：微博\n云岭,100,5\n".encode())
    mapped = csvio.map_columns(
        table, {"name": "name", "名称": "name", "monthly budget": "monthly_budget"}, {"预算:": "budget:"}
    )
    assert mapped.rows[0].values == {"name": "云岭", "monthly_budget": "100", "budget:微博": "5"}


def test_unknown_columns_fail_the_import_at_row_one():
    table = csvio.read_table(b"name,colour\nx,red\n")
    with pytest.raises(csvio.ImportFailed) as error:
        csvio.map_columns(table, {"name": "name"})
    assert error.value.errors == [
        csvio.RowError(1, "colour", "Unknown column; check the spelling of the header.")
    ]


def test_row_reader_collects_every_error_of_a_row():
    table = csvio.read_table("name,budget,starts,active\n,很多,明天,也许\n".encode())
    errors: list[csvio.RowError] = []
    reader = csvio.RowReader(table.rows[0], errors)
    assert reader.text("name", required=True) == ""
    assert reader.decimal("budget") is None
    assert reader.date("starts") is None
    assert reader.boolean("active") is True
    assert [(error.row, error.column) for error in errors] == [
        (2, "name"),
        (2, "budget"),
        (2, "starts"),
        (2, "active"),
    ]


def test_row_reader_parses_chinese_spreadsheet_conventions():
    table = csvio.read_table('budget,starts,active,count\n"¥1,200.50",2026/10/12,否,3\n'.encode())
    errors: list[csvio.RowError] = []
    reader = csvio.RowReader(table.rows[0], errors)
    assert reader.decimal("budget") == Decimal("1200.50")
    assert str(reader.date("starts")) == "2026-10-12"
    assert reader.boolean("active") is False
    assert reader.integer("count") == 3
    assert errors == []


def test_import_failed_lists_rows_in_order_with_a_summary():
    error = csvio.ImportFailed([csvio.RowError(5, "price", "bad"), csvio.RowError(3, "name", "empty")])
    assert [str(item) for item in error.errors] == ["row 3, name: empty", "row 5, price: bad"]
    assert error.message == "2 row(s) have errors; nothing was imported."
    assert error.fields == {"3:name": "empty", "5:price": "bad"}
