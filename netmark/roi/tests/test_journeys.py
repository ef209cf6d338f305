"""Attribution of a site's conversions, from events in the real store to every model's credit."""

from datetime import UTC, date, datetime

import pytest

from netmark.analytics.stores import get_store
from netmark.analytics.stores.base import CONVERSION, CUSTOM
from netmark.analytics.tests.helpers import event, make_site
from netmark.core.errors import NotFound, ValidationFailed
from netmark.links import services as links
from netmark.planning.tests.factories import make_plan
from netmark.roi import journeys

pytestmark = pytest.mark.django_db
DAY = date(2026, 9, 21)
T0 = int(datetime(2026, 9, 21, 2, tzinfo=UTC).timestamp() * 1000)  # 10:00 in Shanghai
HOUR = 3_600_000


@pytest.fixture
def site(team_a):
    return make_site(team_a.workspace, timezone="Asia/Shanghai")


def load(*events):
    store = get_store()
    store.append(list(events))
    store.process_all()


def issue_example(site):
    """The issue's paths: C1 > C2 > C3 converts; C1 and C2 > C3 do not."""
    load(
        event(site, T0, 1, path="/", channel="search", utm_campaign="spring-launch", utm_source="baidu",
              utm_medium="cpc"),
        event(site, T0 + 2 * HOUR, 1, path="/", channel="social"),
        event(site, T0 + 4 * HOUR, 1, path="/", channel="email"),
        event(site, T0 + 4 * HOUR + 60_000, 1, kind=CONVERSION, name="Purchase", revenue_micros=300_000_000,
              currency="CNY"),
        event(site, T0, 2, path="/", channel="search", utm_campaign="spring-launch", utm_source="baidu",
              utm_medium="cpc"),
        event(site, T0 + HOUR, 3, path="/", channel="social"),
        event(site, T0 + 3 * HOUR, 3, path="/", channel="email"),
        event(site, T0 + 3 * HOUR + 5, 3, kind=CUSTOM, name="Newsletter"),
    )  # fmt: skip


def test_the_issue_example_from_stored_events_gives_its_known_credit(team_a, site):
    issue_example(site)
    report = journeys.site_attribution(team_a.workspace, site.pk, DAY, DAY, ["event:Purchase"])
    assert {path.touches: (path.conversions, path.nulls) for path in report.paths.paths} == {
        ("search", "social", "email"): (1, 0),
        ("search",): (0, 1),
        ("social", "email"): (0, 1),
    }
    markov = {channel: round(models["markov"].conversions, 6) for channel, models in report.credit.items()}
    assert markov == {"email": 0.4, "search": 0.2, "social": 0.4}
    assert report.credit["email"]["last_touch"].value == 300.0
    assert report.credit["search"]["first_touch"].conversions == 1
    assert report.credit["social"]["linear"].conversions == pytest.approx(1 / 3)
    assert any("search" in note for note in report.notes)  # opens journeys, closes none


def test_touches_labelled_by_promotion_use_the_links_mapping_and_never_invent_one(team_a, site):
    plan = make_plan(team_a.owner, name="春茶上新 Spring launch", utm_campaign="spring-launch")
    links.create_mapping(team_a.owner, plan_id=plan.pk, utm_campaign="spring-launch")
    issue_example(site)
    report = journeys.site_attribution(
        team_a.workspace, site.pk, DAY, DAY, ["event:Purchase"], dimension="promotion"
    )
    labels = {path.touches for path in report.paths.paths}
    assert labels == {
        ("春茶上新 Spring launch", "(no promotion)", "(no promotion)"),
        ("春茶上新 Spring launch",),
        ("(no promotion)", "(no promotion)"),
    }
    collapsed = journeys.site_attribution(
        team_a.workspace, site.pk, DAY, DAY, ["event:Purchase"], dimension="promotion",
        collapse_repeats=True,
    )  # fmt: skip
    assert ("(no promotion)",) in {path.touches for path in collapsed.paths.paths}


def test_a_promotions_own_utm_campaign_labels_its_touches_when_it_alone_has_it(team_a, site):
    make_plan(team_a.owner, name="春茶上新 Spring launch", utm_campaign="Spring-Launch")
    issue_example(site)
    report = journeys.site_attribution(team_a.workspace, site.pk, DAY, DAY, [], dimension="promotion")
    assert ("春茶上新 Spring launch",) in {path.touches for path in report.paths.paths}
    # Two promotions claiming the same campaign: no guess between them.
    make_plan(team_a.owner, name="春茶二期", utm_campaign="spring-launch")
    shared = journeys.site_attribution(team_a.workspace, site.pk, DAY, DAY, [], dimension="promotion")
    assert {label for path in shared.paths.paths for label in path.touches} == {"(no promotion)"}


def test_a_day_without_conversions_gives_null_paths_and_no_credit(team_a, site):
    issue_example(site)
    report = journeys.site_attribution(team_a.workspace, site.pk, DAY, DAY, ["event:Nothing"])
    assert report.paths.conversions == 0
    assert set(report.credit) == {"search", "social", "email"}
    assert all(credit.conversions == 0 for models in report.credit.values() for credit in models.values())
    assert sum(path.nulls for path in report.paths.paths) == 3


def test_bad_requests_are_validation_errors_and_foreign_sites_are_not_found(team_a, team_b, site):
    with pytest.raises(ValidationFailed):
        journeys.site_attribution(team_a.workspace, site.pk, DAY, DAY, ["purchase"])
    with pytest.raises(ValidationFailed):
        journeys.site_attribution(team_a.workspace, site.pk, DAY, DAY, ["event:x"], dimension="os")
    with pytest.raises(ValidationFailed):
        journeys.site_attribution(team_a.workspace, site.pk, DAY, DAY, ["event:x"], lookback_days=900)
    with pytest.raises(NotFound):
        journeys.site_attribution(team_b.workspace, site.pk, DAY, DAY, ["event:Purchase"])
