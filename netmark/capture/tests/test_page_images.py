"""Landing page images: checked by content (PNG, JPEG, WebP, GIF; size, dimensions, polyglots),
re-encoded, stored per workspace, served with safe headers, replaced and removed; one workspace
never reaches another's image."""

import io
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from netmark.capture import images, services
from netmark.capture.models import LandingPage
from netmark.core.errors import ValidationFailed
from netmark.core.scoping import scoped

pytestmark = pytest.mark.django_db

FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}


def picture(kind: str = "PNG", size=(40, 30), colour=(200, 30, 60)) -> bytes:
    out = io.BytesIO()
    mode = "RGB" if kind in ("JPEG", "GIF") else "RGBA"
    Image.new(mode, size, colour[: len(mode)] if mode == "RGB" else (*colour, 255)).save(out, format=kind)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "image/png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def edit(browser, page, data: bytes | None = None, name="tea.png", **extra):
    fields = {
        "title": page.title,
        "slug": page.slug,
        "language": page.language,
        "is_published": "on",
        "image_alt_en": "A cup of green tea",
        "image_alt_zh": "一杯绿茶",
        **extra,
    }
    if data is not None:
        fields["image"] = upload(name, data)
    return browser.post(f"/w/{page.workspace.slug}/capture/landing-pages/{page.pk}/edit/", fields)


@pytest.fixture
def page(team_a):
    return services.create_page(team_a.owner, slug="spring", title="春茶", language="en", is_published=True)


def stored_files(workspace) -> list[Path]:
    folder = Path(settings.DATA_DIR) / "uploads" / "pages" / str(workspace.pk)
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("kind", list(FORMATS))
def test_an_uploaded_image_is_stored_per_workspace_and_served_with_its_checked_type(team_a, page, kind):
    response = edit(team_a.browser_client(), page, picture(kind), name=f"tea.{kind.lower()}")
    assert response.status_code == 302, response.content.decode()[:3000]
    page.refresh_from_db()
    assert (page.image_width, page.image_height) == (40, 30)
    assert stored_files(team_a.workspace) == [images.folder(team_a.workspace.pk) / page.image_name]
    landing = Client().get("/p/ws-a/spring/").content.decode()
    src = f"/p/ws-a/spring/image/{page.image_name}"
    assert f'src="{src}" alt="A cup of green tea" width="40" height="30"' in landing
    served = Client().get(src)
    assert served.status_code == 200
    assert served["Content-Type"] == FORMATS[kind]
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"
    with Image.open(io.BytesIO(b"".join(served.streaming_content))) as again:
        assert (again.format, again.size) == (kind, (40, 30))


def test_the_alt_text_follows_the_page_language_and_falls_back_to_the_other(team_a, page):
    browser = team_a.browser_client()
    edit(browser, page, picture(), language="zh-hans")
    page.refresh_from_db()
    assert 'alt="一杯绿茶"' in Client().get("/p/ws-a/spring/").content.decode()
    edit(browser, page, language="zh-hans", image_alt_zh="")
    assert 'alt="A cup of green tea"' in Client().get("/p/ws-a/spring/").content.decode()


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(2)</script></svg>"
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (SVG, "This file is not a PNG, JPEG, WebP or GIF image."),
        (b"<html><script>alert(1)</script></html>", "This file is not a PNG, JPEG, WebP or GIF image."),
        (b"%PDF-1.4\n1 0 obj<<>>endobj", "This file is not a PNG, JPEG, WebP or GIF image."),
        (picture()[:60], "The image file is damaged or incomplete."),
        (picture(size=(4001, 10)), "The image is 4001 × 10 pixels; at most 4000 pixels a side are allowed."),
    ],
    ids=["svg", "html", "pdf", "truncated", "too-wide"],
)
def test_a_bad_upload_is_refused_on_the_form_and_nothing_is_stored(team_a, page, data, message):
    response = edit(team_a.browser_client(), page, data, name="tea.png")
    assert response.status_code == 200
    assert message in response.content.decode()
    page.refresh_from_db()
    assert page.image_name == "" and stored_files(team_a.workspace) == []


def test_a_file_over_five_megabytes_is_refused(team_a, page):
    big = picture() + b"\0" * images.MAX_BYTES
    response = edit(team_a.browser_client(), page, big)
    assert "The image is larger than 5 MB." in response.content.decode()
    assert stored_files(team_a.workspace) == []


def bomb_png(side: int) -> bytes:
    """A tiny PNG file whose header claims ``side`` × ``side`` pixels (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    header = side.to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    rows = zlib.compress(b"\0" * (side + 1) * 64, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def test_a_png_without_image_data_is_refused_not_a_server_error(team_a, page):
    whole = bomb_png(10)
    no_idat = whole[: whole.index(b"IDAT") - 4] + whole[-12:]  # signature, IHDR, IEND
    response = edit(team_a.browser_client(), page, no_idat)
    assert response.status_code == 200
    assert "The image file is damaged or incomplete." in response.content.decode()


def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded(team_a, page):
    response = edit(team_a.browser_client(), page, bomb_png(30_000))
    assert response.status_code == 200
    text = response.content.decode()
    assert "This file is not a PNG, JPEG, WebP or GIF image." in text or "30000 × 30000" in text
    assert stored_files(team_a.workspace) == []


def test_a_gif_html_polyglot_is_re_encoded_so_the_script_never_reaches_the_disk(team_a, page):
    polyglot = picture("GIF") + b"<html><body><script>alert(document.domain)</script></body></html>"
    assert edit(team_a.browser_client(), page, polyglot, name="x.html").status_code == 302
    page.refresh_from_db()
    (stored,) = stored_files(team_a.workspace)
    assert stored.suffix == ".gif" and b"<script" not in stored.read_bytes()
    served = Client().get(f"/p/ws-a/spring/image/{page.image_name}")
    assert served["Content-Type"] == "image/gif" and served["X-Content-Type-Options"] == "nosniff"


def test_replacing_and_removing_an_image_removes_the_old_file(
    team_a, page, django_capture_on_commit_callbacks
):
    browser = team_a.browser_client()
    with django_capture_on_commit_callbacks(execute=True):
        edit(browser, page, picture(colour=(1, 2, 3)))
    page.refresh_from_db()
    first = page.image_name
    with django_capture_on_commit_callbacks(execute=True):
        edit(browser, page, picture("JPEG", size=(64, 48)), name="new.jpg")
    page.refresh_from_db()
    assert page.image_name != first and page.image_name.endswith(".jpg")
    assert [path.name for path in stored_files(team_a.workspace)] == [page.image_name]
    assert Client().get(f"/p/ws-a/spring/image/{first}").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert edit(browser, page, remove_image="on").status_code == 302
    page.refresh_from_db()
    assert (page.image_name, page.image_width) == ("", None) and stored_files(team_a.workspace) == []
    assert "<img" not in Client().get("/p/ws-a/spring/").content.decode()


def test_deleting_a_page_deletes_its_image(team_a, page, django_capture_on_commit_callbacks):
    edit(team_a.browser_client(), page, picture())
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_page(team_a.owner, page.pk)
    assert stored_files(team_a.workspace) == []


def test_a_new_page_with_a_bad_image_is_not_created(team_a):
    response = team_a.browser_client().post(
        "/w/ws-a/capture/landing-pages/new/",
        {"title": "夏茶", "slug": "summer", "language": "zh-hans", "image": upload("x.png", SVG)},
    )
    assert response.status_code == 200
    assert "This file is not a PNG, JPEG, WebP or GIF image." in response.content.decode()
    assert scoped(LandingPage, team_a.workspace).count() == 0


def test_the_edit_page_previews_an_unpublished_pages_image_to_members_only(team_a, team_b, page):
    edit(team_a.browser_client(), page, picture(), is_published="")
    page.refresh_from_db()
    assert not page.is_published
    preview = f"/w/ws-a/capture/landing-pages/{page.pk}/image/"
    assert team_a.browser_client("viewer").get(preview)["Content-Type"] == "image/png"
    assert (
        preview
        in team_a.browser_client().get(f"/w/ws-a/capture/landing-pages/{page.pk}/edit/").content.decode()
    )
    assert Client().get(f"/p/ws-a/spring/image/{page.image_name}").status_code == 404
    assert team_b.browser_client().get(preview).status_code == 404
    assert team_b.browser_client().get(f"/w/ws-b/capture/landing-pages/{page.pk}/image/").status_code == 404


def test_another_workspace_cannot_reach_an_image_by_its_name(team_a, team_b, page):
    edit(team_a.browser_client(), page, picture())
    page.refresh_from_db()
    other = services.create_page(team_b.owner, slug="spring", title="B", is_published=True)
    assert Client().get(f"/p/ws-b/spring/image/{page.image_name}").status_code == 404
    assert (
        Client().get(f"/p/ws-b/{other.slug}/image/..%2F{team_a.workspace.pk}%2F{page.image_name}").status_code
        == 404
    )
    assert Client().get("/p/ws-a/spring/image/..%2F..%2Fnetmark.db").status_code == 404


def test_a_viewer_cannot_upload(team_a, page):
    response = edit(team_a.browser_client("viewer"), page, picture())
    assert response.status_code == 403
    page.refresh_from_db()
    assert page.image_name == "" and stored_files(team_a.workspace) == []


def test_the_api_shows_the_uploaded_image_and_sets_the_descriptions(team_a, page):
    edit(team_a.browser_client(), page, picture())
    page.refresh_from_db()
    api = team_a.api()
    response = api.patch(
        f"/api/v1/landing-pages/{page.pk}", {"image_alt_zh": "  新茶  "}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["uploaded_image_url"].endswith(f"/p/ws-a/spring/image/{page.image_name}")
    assert (body["image_width"], body["image_height"], body["image_alt_zh"]) == (40, 30, "新茶")


SEEDS = [picture(kind) for kind in FORMATS]


@given(
    seed=st.sampled_from(SEEDS),
    cut=st.integers(min_value=0, max_value=2000),
    flips=st.lists(st.tuples(st.integers(min_value=0, max_value=2000), st.integers(0, 255)), max_size=8),
    tail=st.binary(max_size=200),
)
@hypothesis_settings(max_examples=300, deadline=None)
def test_any_damaged_image_is_refused_or_re_encoded_never_an_unexpected_error(seed, cut, flips, tail):
    data = bytearray(seed[: max(1, len(seed) - cut)] if cut % 3 == 0 else seed)
    for where, value in flips:
        data[where % len(data)] = value
    try:
        checked = images.check_image(bytes(data) + tail)
    except ValidationFailed as exc:
        assert set(exc.fields) == {"image"}
    else:
        with Image.open(io.BytesIO(checked.data)) as again:
            again.load()
            assert again.size == (checked.width, checked.height)
