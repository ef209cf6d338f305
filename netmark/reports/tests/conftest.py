"""Fixtures of the reports tests: an event store of their own and a promotion with traffic."""

import datetime

import pytest

from netmark.analytics.stores import reset_store
from netmark.reports import services


@pytest.fixture(autouse=True)
def own_event_store(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    reset_store()
    yield
    reset_store()


def make_report(member, **fields):
    fields.setdefault("name", "周报 Weekly report")
    fields.setdefault("kind", "weekly")
    fields.setdefault("language", "zh-hans")
    fields.setdefault("send_time", datetime.time(8, 0))
    return services.create_report(member, **fields)
