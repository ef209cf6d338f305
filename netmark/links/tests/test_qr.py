"""QR codes: what they encode (decoded from the PNG), SVG downloads and the printable sheet."""

import re

import pytest
import segno

from netmark.core.roles import Role
from netmark.links import qr, services
from netmark.links.tests.factories import make_link
from netmark.links.tests.qrread import modules, svg_modules
from netmark.planning.tests.factories import make_channel, make_plan

pytestmark = pytest.mark.django_db


def expected_matrix(link) -> list[list[int]]:
    symbol = segno.make_qr(f"http://127.0.0.1:8000/s/{link.code}?qr=1", error="m")
    return [list(row) for row in symbol.matrix]


def test_the_qr_code_encodes_the_short_url_marked_as_a_scan(link):
    symbol = qr.make(link.code)
    assert not symbol.is_micro
    assert symbol.error in ("M", "Q", "H")
    assert services.qr_url(link.code) == f"http://127.0.0.1:8000/s/{link.code}?qr=1"


def test_png_download_draws_exactly_the_short_urls_modules(team_a, link):
    response = team_a.api(Role.VIEWER).get(f"/api/v1/links/{link.pk}/qr.png", {"scale": 6, "border": 2})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="qr-{link.code}.png"'
    drawn = modules(response.content, scale=6, border=2)
    assert drawn == expected_matrix(link)
    assert len(drawn) == 29  # version 3: 29 x 29 modules


def test_svg_download_draws_exactly_the_short_urls_modules(team_a, link):
    response = team_a.api().get(f"/api/v1/links/{link.pk}/qr.svg", {"scale": 3})
    assert (response.status_code, response["Content-Type"]) == (200, "image/svg+xml")
    assert response["Content-Disposition"] == f'attachment; filename="qr-{link.code}.svg"'
    svg = response.content.decode()
    assert svg.startswith('<?xml version="1.0" encoding="utf-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')
    assert svg_modules(svg, border=qr.BORDER) == expected_matrix(link)


def test_qr_options_are_bounded(team_a, link):
    api = team_a.api()
    assert api.get(f"/api/v1/links/{link.pk}/qr.png", {"scale": 0}).status_code == 422
    assert api.get(f"/api/v1/links/{link.pk}/qr.png", {"scale": 41}).status_code == 422
    assert api.get(f"/api/v1/links/{link.pk}/qr.svg", {"border": 11}).status_code == 422


def test_page_downloads_match_the_api(team_a, link):
    client = team_a.browser_client(Role.VIEWER)
    png = client.get(f"/w/{team_a.workspace.slug}/links/{link.pk}/qr.png")
    assert png["Content-Type"] == "image/png"
    assert modules(png.content, scale=qr.PNG_SCALE, border=qr.BORDER) == expected_matrix(link)
    svg = client.get(f"/w/{team_a.workspace.slug}/links/{link.pk}/qr.svg")
    assert svg.content == qr.svg(link.code)


def test_printable_sheet_shows_the_ticked_links_with_captions(team_a, team_b, plan, weibo, fair, link):
    poster = make_link(team_a.owner, plan, fair, name="展台易拉宝 Roll-up")
    foreign = make_link(team_b.owner, make_plan(team_b.owner), make_channel(team_b.owner), name="乙方海报")
    client = team_a.browser_client(Role.VIEWER)
    response = client.get(f"/w/{team_a.workspace.slug}/links/sheet/", {"ids": [poster.pk, foreign.pk]})
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count("<svg") == 1
    assert qr.inline_svg(poster.code) in text
    shown = re.search(r"<svg.*?</svg>", text).group(0)
    assert svg_modules(shown, qr.BORDER) == expected_matrix(poster)
    assert "展台易拉宝 Roll-up" in text and f"http://127.0.0.1:8000/s/{poster.code}" in text
    assert "乙方海报" not in text and foreign.code not in text
    assert "@page" not in text and "links/qr_sheet.css" in text


def test_printable_sheet_of_a_promotion_prints_its_active_links(team_a, plan, weibo, fair, link):
    make_link(team_a.owner, plan, fair, name="停用的 Paused", is_active=False)
    response = team_a.browser_client().get(f"/w/{team_a.workspace.slug}/links/sheet/", {"plan": plan.pk})
    text = response.content.decode()
    assert text.count("<svg") == 1
    assert link.code in text and "停用的 Paused" not in text
