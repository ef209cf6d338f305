"""A landing page image in a real browser (Playwright driving Debian's chromium): uploaded on the
edit page, previewed there, shown on the public page with its alt text; a refused file is named on
the form. Screenshotted, without a console error under the strict CSP."""

import pytest
from PIL import Image

from netmark.capture import services
from netmark.contacts.tests.test_browser import page_as, shoot  # noqa: F401 - the fixture
from netmark.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_image_is_uploaded_previewed_and_shown_on_the_public_page(team_a, page_as, tmp_path):  # noqa: F811
    landing = services.create_page(
        team_a.owner,
        slug="spring",
        title="春茶",
        headline="明前龙井上市",
        language="zh-hans",
        is_published=True,
    )
    picture = tmp_path / "tea.png"
    image = Image.new("RGB", (640, 320), (46, 125, 50))
    image.paste((250, 240, 200), (40, 40, 600, 280))
    image.save(picture, format="PNG")
    fake = tmp_path / "tea.jpg"
    fake.write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>')
    page = page_as(team_a.member(Role.IMPLEMENTER))
    edit = f"/w/{team_a.workspace.slug}/capture/landing-pages/{landing.pk}/edit/"
    page.goto(edit)
    page.set_input_files("input[name=image]", str(fake))
    page.click(".form-actions button[type=submit]")
    assert "此文件不是 PNG、JPEG、WebP 或 GIF 图片。" in page.inner_text(".field.has-error")
    shoot(page, "landing-image-refused-zh")
    page.set_input_files("input[name=image]", str(picture))
    page.fill("input[name=image_alt_zh]", "一杯明前龙井")
    page.fill("input[name=image_alt_en]", "A cup of spring green tea")
    page.click(".form-actions button[type=submit]")
    page.wait_for_url("**/capture/landing-pages/")
    page.goto(edit)
    preview = page.locator("[data-current-image] img")
    assert preview.evaluate("img => img.complete && img.naturalWidth") == 640
    shoot(page, "landing-image-edit-zh")
    public = page.context.browser.new_context(base_url=page.url.split("/w/", 1)[0]).new_page()
    # public pages have no icon of their own: the browser's /favicon.ico guess is not our error
    public.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    errors, missing = [], []
    public.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    public.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    public.goto("/p/ws-a/spring/")
    hero = public.locator("img.nm-hero")
    assert hero.get_attribute("alt") == "一杯明前龙井"
    assert hero.evaluate("img => img.complete && img.naturalWidth") == 640
    shoot(public, "landing-image-public-zh")
    assert (errors, missing, page.console_errors) == ([], [], [])
