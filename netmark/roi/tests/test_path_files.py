"""Aggregated paths from CSV (UTF-8, BOM, GBK; Chinese headers) and credit tables to CSV."""

import pytest

from netmark.core import csvio
from netmark.roi import attribution
from netmark.roi.attribution import Path
from netmark.roi.attribution_markov import markov_credit
from netmark.roi.path_files import credit_csv, paths_csv, read_paths


def test_the_issue_example_reads_and_gives_its_markov_credit():
    data = b"path,conversions,value,null\r\nC1 > C2 > C3,1,100,0\r\nC1,0,0,1\r\nC2 > C3,0,0,1\r\n"
    paths = read_paths(data)
    assert paths == [
        Path(("C1",), nulls=1),
        Path(("C1", "C2", "C3"), conversions=1, value=100),
        Path(("C2", "C3"), nulls=1),
    ]
    credit = markov_credit(paths)
    assert {channel: round(c.conversions, 6) for channel, c in credit.items()} == {
        "C1": 0.2,
        "C2": 0.4,
        "C3": 0.4,
    }


def test_chinese_headers_in_gbk_and_repeated_paths_add_up():
    text = "路径,转化,价值,未转化\r\n百度 → 微信,2,¥1,200.00,3\r\n百度→微信,1,300,0\r\n小红书,0,,5\r\n"
    text = text.replace("¥1,200.00", '"1,200.00"')
    paths = read_paths(text.encode("gbk"))
    assert paths == [
        Path(("小红书",), nulls=5),
        Path(("百度", "微信"), conversions=3, value=1500, nulls=3),
    ]


def test_every_bad_row_is_reported_and_nothing_is_read():
    data = (
        b"path,conversions,value,null\n"
        b"a > > b,1,0,0\n"  # empty touch
        b",1,0,0\n"  # no path
        b"a,-1,0,0\n"  # negative
        b"a,x,0,0\n"  # not a number
        b"b,0,50,1\n"  # value without conversions
        b"c,1,10,0\n"  # fine
    )
    with pytest.raises(csvio.ImportFailed) as failed:
        read_paths(data)
    assert sorted({error.row for error in failed.value.errors}) == [2, 3, 4, 5, 6]


def test_a_file_without_counts_or_paths_is_refused():
    with pytest.raises(csvio.ImportFailed):
        read_paths(b"path,value\na,1\n")
    with pytest.raises(csvio.ImportFailed):
        read_paths(b"path,conversions\n")
    with pytest.raises(csvio.ImportFailed):
        read_paths(b"route,conversions\na,1\n")


def test_paths_and_credit_round_trip_through_csv_with_formulas_defused():
    paths = [Path(("=cmd|' /C calc'!A0", "微信"), conversions=2, value=10), Path(("微信",), nulls=4)]
    data = paths_csv(paths)
    assert data.startswith(b"\xef\xbb\xbf")
    assert "'=cmd" in data.decode("utf-8-sig")
    assert read_paths(data) == sorted(paths, key=lambda path: path.touches)
    credit = attribution.compare_models(paths)
    table = csvio.read_rows(credit_csv(credit))
    assert [row["channel"] for row in table] == ["'=cmd|' /C calc'!A0", "微信"]
    assert float(table[1]["last_touch_conversions"]) == 2.0
