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


def test_attribution_credits_every_sale_of_each_site_under_five_models(team_a, presale):
    from netmark.analytics.tests.helpers import make_site
    from netmark.roi.tests.test_journeys import DAY, issue_example

    issue_example(make_site(team_a.workspace, timezone="Asia/Shanghai"))
    data = get_section("attribution").build(team_a.workspace, ReportPeriod(DAY, DAY), "en")
    [table] = data.tables
    assert table.headers == ["Channel", "First touch", "Last touch", "Linear", "Markov", "Shapley"]
    assert table.title == "shop.example.com: 1 sales"
    rows = {row[0]: row[1:] for row in table.rows}
    assert rows == {
        "Email": [0, 1, 0.33, 0.4, 0.33],
        "Search": [1, 0, 0.33, 0.2, 0.33],
        "Social": [0, 0, 0.33, 0.4, 0.33],
    }
    [chart] = data.charts
    assert chart.unit == "%" and chart.labels == ["Email", "Search", "Social"]
    assert [name for name, _values in chart.series] == ["First touch", "Linear", "Shapley"]
    assert data.notes
    by_promotion = get_section("attribution").build(
        team_a.workspace, ReportPeriod(DAY, DAY, presale.pk), "en"
    )
    assert by_promotion.tables[0].headers[0] == "Promotion"
    quiet = get_section("attribution").build(team_a.workspace, PRESALE, "en")
    assert quiet.is_empty and "nothing to attribute" in str(quiet.empty)
