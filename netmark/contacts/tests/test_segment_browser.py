"""The segment builder in a real browser (Playwright driving Debian's chromium): condition rows give a
live count over htmx as they change, and Save stores the segment, under the strict CSP."""

import pytest

from netmark.contacts.models import Segment
from netmark.contacts.tests.factories import make_contact
from netmark.contacts.tests.test_browser import page_as, shoot  # noqa: F401 - the fixture
from netmark.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_builder_counts_live_and_saves(team_a, page_as):  # noqa: F811
    make_contact(team_a.owner, name="张伟", email="zw@example.com", stage="qualified", tags=["展会"])
    make_contact(team_a.owner, name="王芳", email="wf@example.com", stage="qualified")
    make_contact(team_a.owner, name="李娜", email="ln@example.com", stage="lead", tags=["展会"])
    page = page_as(team_a.member(Role.IMPLEMENTER))
    page.goto(f"/w/{team_a.workspace.slug}/contacts/segments/new/")
    page.wait_for_selector("#segment-count[data-count='3']")  # no condition yet: everyone
    page.fill("input[name=name]", "展会合格")
    page.select_option("select[name=field-0]", "stage")
    page.wait_for_selector("select[name=value-0]")  # the row came back with the stages to choose
    assert page.input_value("select[name=op-0]") == "eq"
    page.select_option("select[name=value-0]", "qualified")
    page.wait_for_selector("#segment-count[data-count='2']")
    page.click("button[name=add_row]")
    page.select_option("select[name=field-1]", "tag")
    page.wait_for_selector("select[name=op-1] option[value=has]:first-child", state="attached")
    page.select_option("select[name=op-1]", "has")
    page.fill("input[name=value-1]", "展会")
    page.wait_for_selector("#segment-count[data-count='1']")
    assert "张伟" in page.inner_text("#segment-count")
    shoot(page, "segments-builder")
    page.click(".form-actions button[type=submit]")
    page.wait_for_selector("[data-segment-count]")
    assert page.inner_text("[data-segment-count]") == "1"
    assert Segment.unscoped.get(workspace=team_a.workspace).name == "展会合格"
    assert page.console_errors == []
