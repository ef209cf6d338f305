"""Lists and campaigns through the API, the pages and the CLI: subscribe (double opt-in), create,
A/B variants, start, progress, export; another workspace's ids answer 404 and change nothing."""

import json

import pytest

from netmark.core.roles import Role
from netmark.mailing.campaign_models import Campaign, Subscription
from netmark.mailing.tests import campaign_factories as make

pytestmark = pytest.mark.django_db


def post(client, path, data):
    return client.post(path, json.dumps(data), content_type="application/json")


def test_a_campaign_from_the_api_sends_and_reports(
    team_a, server_row, smtp_server, django_capture_on_commit_callbacks
):
    api = team_a.api(Role.IMPLEMENTER)
    the_list = post(
        api, "/api/v1/mailing-lists", {"name": "会员通讯", "smtp_server_id": server_row.pk}
    ).json()
    with django_capture_on_commit_callbacks(execute=True):
        answer = post(
            api, f"/api/v1/mailing-lists/{the_list['id']}/subscriptions", {"email": "wang@example.com"}
        )
    assert (answer.status_code, answer.json()["status"]) == (201, "unconfirmed")
    listed = api.get(f"/api/v1/mailing-lists/{the_list['id']}/subscriptions").json()["items"]
    assert listed[0]["confirmation_sent_at"] is not None  # the email went out after the commit
    assert [m.rcpt_tos for m in smtp_server.messages] == [["wang@example.com"]]
    make.audience(team_a.workspace, Subscription.unscoped.get(pk=answer.json()["id"]).mailing_list,
                  ["a@example.com", "b@example.com"])  # fmt: skip
    campaign = post(api, "/api/v1/campaigns", {
        "name": "春茶", "mailing_list_id": the_list["id"], "smtp_server_id": server_row.pk,
        "subject": "新茶到了", "html": "<p>{{ contact.first_name }}</p>",
    }).json()  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        started = post(api, f"/api/v1/campaigns/{campaign['id']}/status", {"status": "sending"})
    assert started.status_code == 200, started.content
    progress = api.get(f"/api/v1/campaigns/{campaign['id']}/progress").json()
    assert (progress["status"], progress["states"]["sent"], progress["total"]) == ("done", 2, 2)
    export = api.get(f"/api/v1/campaigns/{campaign['id']}/recipients/export")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    assert len(export.content.decode("utf-8-sig").splitlines()) == 3  # the unconfirmed one gets nothing
    again = post(api, f"/api/v1/campaigns/{campaign['id']}/status", {"status": "sending"})
    assert again.status_code == 409
    assert post(api, f"/api/v1/campaigns/{campaign['id']}/status", {"status": "paused"}).status_code == 409


def test_a_failing_template_answers_422_naming_the_recipient(team_a, server_row):
    the_list = make.mailing_list(team_a.workspace, server_row)
    make.audience(team_a.workspace, the_list, ["x@example.com"])
    campaign = make.campaign(team_a.workspace, the_list, server_row, subject="{{ contact.missing.deeper }}")
    answer = post(team_a.api(), f"/api/v1/campaigns/{campaign.pk}/status", {"status": "sending"})
    assert answer.status_code == 422 and "x@example.com" in answer.json()["fields"]["template"]


def test_variants_and_scheduling(team_a, server_row):
    the_list = make.mailing_list(team_a.workspace, server_row)
    campaign = make.campaign(team_a.workspace, the_list, server_row, test_percent=20)
    api = team_a.api()
    variants = api.put(f"/api/v1/campaigns/{campaign.pk}/variants", json.dumps({"variants": [
        {"key": "A", "subject": "春茶"}, {"key": "B", "subject": "{{ contact.first_name }}的春茶"},
    ]}), content_type="application/json")  # fmt: skip
    assert [v["key"] for v in variants.json()] == ["A", "B"]
    answer = post(
        api,
        f"/api/v1/campaigns/{campaign.pk}/status",
        {"status": "sending", "at": "2030-01-01T09:00:00+08:00"},
    )
    assert answer.json()["status"] == "scheduled"
    assert (
        post(api, f"/api/v1/campaigns/{campaign.pk}/status", {"status": "cancelled"}).json()["status"]
        == "cancelled"
    )


def test_viewers_read_but_cannot_start(team_a, server_row):
    the_list = make.mailing_list(team_a.workspace, server_row)
    campaign = make.campaign(team_a.workspace, the_list, server_row)
    viewer = team_a.api(Role.VIEWER)
    assert viewer.get(f"/api/v1/campaigns/{campaign.pk}/progress").status_code == 200
    assert post(viewer, f"/api/v1/campaigns/{campaign.pk}/status", {"status": "sending"}).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == "draft"


def test_another_workspaces_campaign_and_list_answer_404_and_stay_as_they_were(team_a, team_b, server_row):
    the_list = make.mailing_list(team_a.workspace, server_row)
    campaign = make.campaign(team_a.workspace, the_list, server_row)
    other = team_b.api()
    assert other.get(f"/api/v1/campaigns/{campaign.pk}").status_code == 404
    assert post(other, f"/api/v1/campaigns/{campaign.pk}/status", {"status": "cancelled"}).status_code == 404
    assert (
        post(
            other, f"/api/v1/mailing-lists/{the_list.pk}/subscriptions", {"email": "x@example.com"}
        ).status_code
        == 404
    )
    created = post(
        other, "/api/v1/campaigns", {"name": "x", "mailing_list_id": the_list.pk, "subject": "s", "html": "h"}
    )
    assert created.status_code == 404
    campaign.refresh_from_db()
    assert (campaign.status, the_list.subscriptions.count(), Campaign.unscoped.count()) == ("draft", 0, 1)


def test_the_campaign_page_shows_progress_and_the_actions(
    team_a, server_row, smtp_server, django_capture_on_commit_callbacks
):
    the_list = make.mailing_list(team_a.workspace, server_row)
    make.audience(team_a.workspace, the_list, ["p@example.com"])
    campaign = make.campaign(team_a.workspace, the_list, server_row)
    browser = team_a.browser_client(Role.IMPLEMENTER)
    base = f"/w/{team_a.workspace.slug}/mailing/campaigns/{campaign.pk}/"
    page = browser.get(base)
    assert page.status_code == 200 and b"campaign_start" not in page.content and b"/start/" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        assert browser.post(base + "start/").status_code == 302
    partial = browser.get(base, HTTP_HX_REQUEST="true")
    assert b'data-count="sent">1<' in partial.content and b'data-status="done"' in partial.content
    assert browser.get(f"/w/{team_a.workspace.slug}/mailing/lists/{the_list.pk}/").status_code == 200
    assert team_a.browser_client(Role.VIEWER).post(base + "cancel/").status_code == 403


def test_the_cli_subscribes_and_reports(
    netmark_cli, team_a, server_row, smtp_server, django_capture_on_commit_callbacks
):
    the_list = make.mailing_list(team_a.workspace, server_row)
    with django_capture_on_commit_callbacks(execute=True):
        code, out, _err = netmark_cli(f"mailing subscribe --list {the_list.pk} li@example.com --json")
    assert code == 0 and json.loads(out)["status"] == "unconfirmed"
    campaign = make.campaign(team_a.workspace, the_list, server_row)
    code, out, _err = netmark_cli(f"mailing campaign-progress {campaign.pk} --json")
    assert code == 0 and json.loads(out)["status"] == "draft"
    code, _out, _err = netmark_cli(f"mailing campaign-cancel {campaign.pk}")
    campaign.refresh_from_db()
    assert (code, campaign.status) == (0, "cancelled")
