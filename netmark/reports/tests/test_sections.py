"""Section builders on constructed data, with exact numbers."""

import datetime
from datetime import UTC
from decimal import Decimal

import pytest
from django.test import RequestFactory

from netmark.analytics import services as analytics
from netmark.analytics.stores import get_store
from netmark.analytics.tests.helpers import event, make_site
from netmark.links import clicks
from netmark.links.tests.factories import make_link
from netmark.planning import services as planning
from netmark.planning.tests.factories import make_channel, make_plan
from netmark.reports import builtin
from netmark.reports.sections import (
    ReportPeriod,
    Section,
    SectionData,
    all_sections,
    get_section,
    register_section,
    section_keys,
)

pytestmark = pytest.mark.django_db
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)
WEEK = ReportPeriod(datetime.date(2026, 3, 2), datetime.date(2026, 3, 8))


def _ms(day: int, hour: int = 2) -> int:
    return int(datetime.datetime(2026, 3, day, hour, tzinfo=UTC).timestamp() * 1000)


@pytest.fixture
def spring(team_a):
    plan = make_plan(
        team_a.owner,
        status="running",
        utm_campaign="spring-tea",
        targets=[{"kpi": "visits", "target": "4"}, {"kpi": "unique_visitors", "target": "3"}],
    )
    return plan


def _traffic(team_a):
    site = make_site(team_a.workspace)
    site.name = "云岭商城"
    site.save()
    store = get_store()
    store.append(
        [
            event(site, _ms(3), 1, path="/", utm_campaign="spring-tea", channel="social"),
            event(site, _ms(3) + 600_000, 1, path="/buy"),
            event(site, _ms(4), 2, path="/", utm_campaign="spring-tea", channel="social"),
            event(site, _ms(5), 3, path="/", channel="direct"),
            event(site, _ms(20), 4, path="/", channel="direct"),  # outside the week
        ]
    )
    store.process_all()
    return site


def test_the_four_builtin_sections_are_registered_in_order():
    assert section_keys()[:3] == ["plans", "traffic", "links"]
    assert "lessons" in section_keys()
    assert get_section("lessons").template == "reports/sections/_lessons.html"


def test_a_section_is_one_registration_and_a_clash_is_refused():
    def build(workspace, period, language):
        return SectionData(notes=["roi"])

    section = register_section(Section("roi_by_channel_test", "ROI by channel", build, order=40))
    assert get_section("roi_by_channel_test") is section
    assert section in all_sections()
    register_section(section)  # the same registration twice is harmless
    with pytest.raises(ValueError, match="already registered"):
        register_section(Section("roi_by_channel_test", "other", build))
    with pytest.raises(ValueError, match="lower-case"):
        register_section(Section("Bad-Key", "x", build))


def test_plans_against_results_has_expected_actual_percent_and_status(team_a, spring):
    _traffic(team_a)
    data = builtin.build_plans(team_a.workspace, WEEK, "en")
    assert [table.rows for table in data.tables] == [
        [
            ["春茶上新 Spring launch", "Visits", Decimal("4.0000"), 2, Decimal("50.0"), "behind"],
            ["春茶上新 Spring launch", "Unique visitors", Decimal("3.0000"), 2, Decimal("66.7"), "behind"],
        ]
    ]
    assert data.charts[0].series[0][1] == [50.0, 66.7]


def test_a_met_target_and_an_unmeasured_kpi(team_a):
    make_plan(
        team_a.owner,
        status="running",
        targets=[{"kpi": "budget", "target": "100"}, {"kpi": "mentions", "target": "10"}],
        channels=[{"channel_account_id": make_channel(team_a.owner).pk, "budget": "80"}],
    )
    rows = builtin.build_plans(team_a.workspace, WEEK, "en").tables[0].rows
    assert [row[1:] for row in rows] == [
        ["Budget", Decimal("100.0000"), Decimal("80.00"), Decimal("80.0"), "met"],  # lower is better
        ["Mentions", Decimal("10.0000"), None, None, "not measured"],  # no listening app measures it yet
    ]


def test_plans_outside_the_period_and_drafts_are_left_out(team_a):
    make_plan(
        team_a.owner, status="running", starts_on=datetime.date(2026, 4, 1), ends_on=datetime.date(2026, 4, 9)
    )
    make_plan(team_a.owner, targets=[{"kpi": "visits", "target": "1"}])  # a draft
    assert builtin.build_plans(team_a.workspace, WEEK, "en").is_empty


def test_traffic_per_site_with_channels_and_campaigns(team_a):
    _traffic(team_a)
    data = builtin.build_traffic(team_a.workspace, WEEK, "en")
    totals, channels, campaigns = data.tables
    assert totals.rows == [["云岭商城", 3, 3, 4, Decimal("66.7")]]
    assert channels.rows == [["social", 2, 2, 3], ["direct", 1, 1, 1]]
    assert campaigns.rows == [["spring-tea", 2, 2, 3], ["—", 1, 1, 1]]
    chart = data.charts[0]
    assert chart.labels[:4] == ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]
    assert chart.series[0][1] == [0, 1, 1, 1, 0, 0, 0]


def test_links_with_their_clicks(team_a, spring):
    channel = make_channel(team_a.owner, name="云岭茶业微博", channel_type="weibo")
    poster = make_link(team_a.owner, spring, channel)
    quiet = make_link(team_a.owner, spring, channel, name="", utm_content="quiet")
    factory = RequestFactory()
    for ip in ("203.0.113.7", "203.0.113.7", "203.0.113.8"):
        request = factory.get(f"/s/{poster.code}", HTTP_USER_AGENT=CHROME, REMOTE_ADDR=ip)
        assert clicks.record_click(poster, request, via_qr=False)
    analytics.process_pending()
    data = builtin.build_links(team_a.workspace, WEEK, "en")
    assert data.tables[0].rows == [
        ["春茶海报 Spring poster", spring.name, "云岭茶业微博", "spring-tea", 3, 2, 0],
        [quiet.code, spring.name, "云岭茶业微博", "spring-tea", 0, 0, 0],
    ]
    assert data.charts[0].series[0][1] == [2, 0]


def test_links_of_promotions_outside_the_period_are_left_out(team_a):
    april = make_plan(
        team_a.owner, status="running", starts_on=datetime.date(2026, 4, 1), ends_on=datetime.date(2026, 4, 9)
    )
    make_link(team_a.owner, april, make_channel(team_a.owner))
    assert builtin.build_links(team_a.workspace, WEEK, "en").is_empty


def test_lessons_of_plans_that_ended_in_the_period(team_a):
    ended = make_plan(
        team_a.owner, name="三月试饮", starts_on=datetime.date(2026, 2, 20), ends_on=datetime.date(2026, 3, 6)
    )
    planning.record_lessons(team_a.owner, ended.pk, "小红书比微博好。\nMore samples next time.")
    later = make_plan(team_a.owner, ends_on=datetime.date(2026, 3, 20))
    planning.record_lessons(team_a.owner, later.pk, "not yet")
    data = builtin.build_lessons(team_a.workspace, WEEK, "zh-hans")
    assert data.tables[0].rows == [
        ["三月试饮", datetime.date(2026, 3, 6), "小红书比微博好。\nMore samples next time."]
    ]
