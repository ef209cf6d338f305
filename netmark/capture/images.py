"""Landing page images: checking an upload by its content, re-encoding it, and where it is stored
(docs/capture.md, "Landing pages").

An upload is accepted only when Pillow decodes it fully as PNG, JPEG, WebP or GIF within the size
and dimension limits; the stored file is Pillow's re-encoding of the pixels (metadata dropped), so
bytes from the upload (an SVG, HTML or script appended to an image: a polyglot) never reach the
disk. Files live under ``NETMARK_DATA_DIR/uploads/pages/<workspace id>/`` with a random name the
server chose; the name (``image_name``) is the only thing a page row keeps, and it is checked
against ``NAME`` before it becomes a path, so no request can name another workspace's file.
"""

import io
import re
import secrets
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from netmark.core.errors import ValidationFailed

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 4000
MAX_PIXELS = 16_000_000
MAX_FRAMES = 300
MAX_FRAME_PIXELS = 100_000_000  # all frames of an animation together (memory while re-encoding)
# Pillow's format name -> (file extension, Content-Type)
FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
    "GIF": ("gif", "image/gif"),
}
CONTENT_TYPES = dict(FORMATS.values())
# What Pillow's decoders raise on damaged input (IndexError: a PNG without image data, found by
# the property test in tests/test_page_images.py)
DAMAGED = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, struct.error)
NAME = re.compile(r"^[A-Za-z0-9_-]{22,43}\.(png|jpg|webp|gif)$")


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    extension: str
    width: int
    height: int


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(fields={"image": message})


def _open(data: bytes) -> Image.Image:
    """The decoded image; anything Pillow cannot identify (SVG, HTML, PDF, truncated files) is refused."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()  # structure and checksums, before any pixel is decoded
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(_("This file is not a PNG, JPEG, WebP or GIF image.")) from None
    except DAMAGED:
        raise _refuse(_("The image file is damaged or incomplete.")) from None
    return image


def _check_size(image: Image.Image) -> None:
    width, height = image.size
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise _refuse(
            _("The image is %(width)s × %(height)s pixels; at most %(side)s pixels a side are allowed.")
            % {"width": width, "height": height, "side": MAX_SIDE}
        )
    frames = getattr(image, "n_frames", 1)
    if frames > MAX_FRAMES or frames * width * height > MAX_FRAME_PIXELS:
        raise _refuse(_("An animated image may have at most %(n)s frames.") % {"n": MAX_FRAMES})


def _encode(image: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    animated = getattr(image, "n_frames", 1) > 1 and kind in ("GIF", "WEBP")
    if animated:
        image.save(out, format=kind, save_all=True, loop=image.info.get("loop", 0))
    elif kind == "JPEG":
        picture = ImageOps.exif_transpose(image).convert("RGB")
        picture.save(out, format="JPEG", quality=88, optimize=True)
    else:
        keep = kind != "PNG" or image.mode in ("1", "L", "LA", "P", "RGB", "RGBA")
        options = {"method": 1, "quality": 85} if kind == "WEBP" else {}  # faster than the default 4
        (image if keep else image.convert("RGBA")).save(out, format=kind, **options)
    return out.getvalue()


def check_image(data: bytes) -> CheckedImage:
    """The re-encoded image, or ``ValidationFailed`` on ``image`` saying what is wrong with the file."""
    if not data:
        raise _refuse(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise _refuse(_("The image is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    image = _open(data)
    kind, (width, height) = image.format, image.size
    _check_size(image)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            encoded = _encode(image, kind)
    except (*DAMAGED, Image.DecompressionBombWarning):
        raise _refuse(_("The image file is damaged or incomplete.")) from None
    finally:
        image.close()
    return CheckedImage(encoded, FORMATS[kind][0], width, height)


def folder(workspace_id: int) -> Path:
    return Path(settings.DATA_DIR) / "uploads" / "pages" / str(int(workspace_id))


def path_of(workspace_id: int, name: str) -> Path | None:
    """The stored file of ``name`` in the workspace's folder; None for a name netmark did not make."""
    if not NAME.match(name or ""):
        return None
    return folder(workspace_id) / name


def content_type_of(name: str) -> str:
    return CONTENT_TYPES[name.rsplit(".", 1)[1]]


def write(workspace_id: int, checked: CheckedImage) -> str:
    """Stores the image under a new random name (written to a temporary file, then renamed)."""
    target = folder(workspace_id)
    target.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(24)}.{checked.extension}"
    temporary = target / f".{name}.part"
    temporary.write_bytes(checked.data)
    temporary.replace(target / name)
    return name


def discard(workspace_id: int, name: str) -> None:
    """Removes a stored file; a file already gone is not an error."""
    path = path_of(workspace_id, name)
    if path is not None:
        path.unlink(missing_ok=True)
