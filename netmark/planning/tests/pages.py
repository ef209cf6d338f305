"""Helpers of the planning page tests: URLs, signed-in clients, plan form submissions, a sample plan."""

from django.conf import settings
from django.test import Client
from django.urls import reverse

from netmark.core.roles import Role
from netmark.planning.tests.factories import make_channel, make_plan


def url(team, name: str, *args) -> str:
    return reverse(f"planning:{name}", args=[team.workspace.slug, *args])


def browser(team, role=Role.OWNER, language: str = "en") -> Client:
    """A signed-in client of ``team``'s ``role`` that chose ``language`` with the language switch."""
    client = team.browser_client(role)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def rows(prefix: str, items: list[dict]) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(items)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, item in enumerate(items):
        data.update({f"{prefix}-{index}-{key}": value for key, value in item.items()})
    return data


def plan_form(channels=(), targets=(), **fields) -> dict:
    """A plan form submission: a one-off plan in March 2026 unless told otherwise."""
    data = {
        "name": "春茶上新 · Spring launch",
        "objective": "让上海白领知道明前龙井上市",
        "starts_on": "2026-03-02",
        "ends_on": "2026-03-15",
        "currency": "CNY",
        "status": "draft",
        "schedule": "once",
        "weekday": "MO",
    }
    data.update(fields)
    return {**data, **rows("channels", list(channels)), **rows("targets", list(targets))}


def sample_plan(team):
    """A one-off plan from 2 to 15 March 2026 with a 1,200.50 channel budget and two expected results."""
    channel = make_channel(team.owner)
    return make_plan(
        team.owner,
        channels=[{"channel_account_id": channel.pk, "budget": "1200.50"}],
        targets=[{"kpi": "leads", "target": "300"}, {"kpi": "budget", "target": "1500"}],
    )
