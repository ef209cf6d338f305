"""A landing page's uploaded image: replace, remove, and the file behind a page (docs/capture.md).

Members who execute change it. The new file is written before the row changes and removed again if
the change fails; the old file is removed only after the commit, so a rolled-back change never
leaves a page pointing at a missing file.
"""

from pathlib import Path

from django.db import transaction

from netmark.capture import images, services
from netmark.capture.models import LandingPage
from netmark.core import records
from netmark.core.errors import NotFound
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for

NO_IMAGE = {"image_name": "", "image_width": None, "image_height": None}


def _swap(member, page: LandingPage, changes: dict) -> LandingPage:
    old = page.image_name
    page = records.update_record(
        member, LandingPage, page.pk, changes, capability=Capability.EXECUTE, instance=page
    )
    if old and old != page.image_name:
        transaction.on_commit(lambda: images.discard(page.workspace_id, old))
    return page


def set_page_image(member, page_id, data: bytes) -> LandingPage:
    """Checks and stores ``data`` as the page's image (replacing any earlier one)."""
    require(member, Capability.EXECUTE)
    page = get_for(LandingPage, member.workspace, page_id)
    checked = images.check_image(data)
    name = images.write(page.workspace_id, checked)
    changes = {"image_name": name, "image_width": checked.width, "image_height": checked.height}
    try:
        with transaction.atomic():
            return _swap(member, page, changes)
    except BaseException:
        images.discard(page.workspace_id, name)
        raise


@transaction.atomic
def remove_page_image(member, page_id) -> LandingPage:
    require(member, Capability.EXECUTE)
    page = get_for(LandingPage, member.workspace, page_id)
    return _swap(member, page, NO_IMAGE)


@transaction.atomic
def save_page(member, page_id, data: dict, *, image: bytes | None = None, remove_image=False):
    """Creates (``page_id`` None) or changes a page and its image in one transaction: a refused
    image leaves no new page behind."""
    if page_id is None:
        page = services.create_page(member, **data)
    else:
        page = services.update_page(member, page_id, **data)
    if image is not None:
        return set_page_image(member, page.pk, image)
    if remove_image and page.image_name:
        return remove_page_image(member, page.pk)
    return page


def image_file(page: LandingPage) -> tuple[Path, str]:
    """The page's stored file and its Content-Type; ``NotFound`` when it has none (or it is gone)."""
    path = images.path_of(page.workspace_id, page.image_name)
    if path is None or not path.is_file():
        raise NotFound()
    return path, images.content_type_of(page.image_name)
