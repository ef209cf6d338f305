"""Attribution through the API and the page: the issue's example from stored events."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from netmark.core import csvio
from netmark.core.roles import Role
from netmark.roi.tests.test_journeys import issue_example, site  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
DAY = "2026-09-21"


def test_the_api_credits_the_issue_example_by_every_model(team_a, site):  # noqa: F811
    issue_example(site)
    response = team_a.api(Role.VIEWER).get(
        f"/api/v1/sites/{site.pk}/attribution", {"start": DAY, "end": DAY, "goal": "event:Purchase"}
    )
    assert response.status_code == 200, response.content
    answer = response.json()
    markov = {row["channel"]: round(row["credit"]["markov"]["conversions"], 6) for row in answer["channels"]}
    assert markov == {"email": 0.4, "search": 0.2, "social": 0.4}
    assert answer["totals"]["conversions"] == 1 and answer["totals"]["value"] == 300.0
    assert answer["top_paths"][0]["touches"] == ["search", "social", "email"]
    query = {"goal": "event:Purchase", "start": DAY, "end": DAY}
    csv = team_a.api().get(f"/api/v1/sites/{site.pk}/attribution/paths.csv", query)
    rows = csvio.read_rows(csv.content)
    assert {row["path"]: row["conversions"] for row in rows}["search > social > email"] == "1.0"


def test_bad_attribution_requests_are_422_and_foreign_sites_404(team_a, team_b, site):  # noqa: F811
    # No goal: every sale counts (the issue example's purchase is a server-side conversion).
    every_sale = team_a.api().get(f"/api/v1/sites/{site.pk}/attribution", {"start": DAY, "end": DAY})
    assert every_sale.status_code == 200 and every_sale.json()["totals"]["conversions"] == 0  # nothing stored
    bad = team_a.api().get(f"/api/v1/sites/{site.pk}/attribution", {"goal": "event:x", "lookback_days": 999})
    assert bad.status_code == 422
    foreign = team_b.api().get(f"/api/v1/sites/{site.pk}/attribution", {"goal": "event:x"})
    assert foreign.status_code == 404


def test_uploaded_paths_are_compared_and_bad_files_reported_by_row(team_a):
    data = b"path,conversions,value,null\r\nC1 > C2 > C3,1,0,0\r\nC1,0,0,1\r\nC2 > C3,0,0,1\r\n"
    upload = SimpleUploadedFile("paths.csv", data, "text/csv")
    response = team_a.api(Role.VIEWER).post("/api/v1/attribution/paths", {"paths": upload})
    assert response.status_code == 200, response.content
    linear = {
        row["channel"]: round(row["credit"]["linear"]["conversions"], 6)
        for row in response.json()["channels"]
    }
    assert linear == {"C1": round(1 / 3, 6), "C2": round(1 / 3, 6), "C3": round(1 / 3, 6)}
    broken = SimpleUploadedFile("paths.csv", b"path,conversions\r\na > > b,1\r\n", "text/csv")
    answer = team_a.api().post("/api/v1/attribution/paths", {"paths": broken})
    assert answer.status_code == 422 and "2:path" in answer.json()["fields"]


def test_the_page_shows_models_side_by_side_and_notes_in_chinese(team_a, site):  # noqa: F811
    issue_example(site)
    client = team_a.browser_client(Role.VIEWER, language=None)
    url = reverse("roi:attribution", args=[team_a.workspace.slug])
    query = {"site": site.pk, "start": DAY, "end": DAY, "goals": "event:Purchase", "dimension": "channel"}
    page = client.get(url, query)
    html = page.content.decode()
    assert page.status_code == 200
    # Channel groups are named in the page's language; the API and its CSV keep the keys.
    assert "马尔可夫" in html and "搜索引擎 → 社交媒体 → 电子邮件" in html
    assert "更多是开启客户旅程" in html  # search opens journeys: a note in plain words
    csv = client.get(reverse("roi:attribution_csv", args=[team_a.workspace.slug, "credit"]), query)
    assert csv.status_code == 200
    assert {row["channel"] for row in csvio.read_rows(csv.content)} == {"搜索引擎", "社交媒体", "电子邮件"}
    assert client.get(url, {**query, "goals": "purchase"}).status_code == 422
    nothing = client.get(reverse("roi:attribution_csv", args=[team_a.workspace.slug, "credit"]))
    assert nothing.status_code == 422
