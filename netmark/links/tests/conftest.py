"""Fixtures of the links tests: a promotion with channels, links, and an event store of its own."""

import pytest

from netmark.analytics.stores import reset_store
from netmark.links.tests.factories import make_link
from netmark.planning.tests.factories import make_channel, make_plan


@pytest.fixture(autouse=True)
def own_event_store(settings, tmp_path):
    """Click events of one test never count in another (SQLite reuses ids after a rollback)."""
    settings.DATA_DIR = tmp_path
    reset_store()
    yield
    reset_store()


@pytest.fixture
def plan(team_a):
    return make_plan(team_a.owner, utm_campaign="spring-launch")


@pytest.fixture
def weibo(team_a):
    return make_channel(team_a.owner, name="云岭茶业微博", channel_type="weibo")


@pytest.fixture
def fair(team_a):
    return make_channel(team_a.owner, name="春季茶博会 Tea fair", channel_type="offline_events")


@pytest.fixture
def link(team_a, plan, weibo):
    return make_link(team_a.owner, plan, weibo)
