"""The roi sections of periodic reports: ROI by channel and by promotion, from the same numbers as
the evaluation pages."""

import datetime
from decimal import Decimal

import pytest

from netmark.reports.sections import ReportPeriod, get_section
from netmark.roi.tests.test_evaluation import costs, traffic  # noqa: F401 - the fixtures

pytestmark = pytest.mark.django_db
PRESALE = ReportPeriod(datetime.date(2026, 10, 12), datetime.date(2026, 10, 25))


def test_roi_by_channel_lists_the_channels_with_their_numbers(team_a, presale, costs, traffic):  # noqa: F811
    data = get_section("roi_by_channel").build(team_a.workspace, PRESALE, "en")
    rows = {row[0]: row for row in data.tables[0].rows}
    weibo = rows["云岭茶业微博"]
    assert weibo[1:5] == [Decimal("1260.00"), 3, 1, Decimal("5000.00")]
    assert weibo[5] == pytest.approx(2.9683)
    assert data.charts[0].labels == list(rows)
    narrowed = get_section("roi_by_channel").build(
        team_a.workspace, ReportPeriod(PRESALE.start, PRESALE.end, presale.pk), "en"
    )
    assert {row[0] for row in narrowed.tables[0].rows} == set(rows)


def test_roi_by_promotion_counts_only_the_report_days(team_a, presale, costs, traffic):  # noqa: F811
    data = get_section("roi_by_promotion").build(team_a.workspace, PRESALE, "en")
    [row] = data.tables[0].rows
    assert row[:4] == [
        "双11预售 Double 11 presale",
        Decimal("3700.00"),
        Decimal("9250.00"),
        Decimal("5550.00"),
    ]
    assert row[4] == pytest.approx(1.5)
    empty = get_section("roi_by_promotion").build(
        team_a.workspace, ReportPeriod(datetime.date(2027, 1, 1), datetime.date(2027, 1, 7)), "en"
    )
    assert empty.is_empty and empty.empty
