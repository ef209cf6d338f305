"""QR codes of short links (segno): PNG and SVG downloads and inline SVG for the printable sheet.

A QR code encodes the link's short URL with ``?qr=1``, so a scan is recorded as one (the
destination is the same either way). Always a full QR code, never a Micro QR (which segno would
pick for short content and phone cameras do not read), with error correction M or better: printed
codes get scuffed.
"""

import io

import segno

from netmark.links.services import qr_url

PNG_SCALE, SVG_SCALE, BORDER = 10, 4, 4
MIN_SCALE, MAX_SCALE = 1, 40
MIN_BORDER, MAX_BORDER = 0, 10


def make(code: str) -> segno.QRCode:
    return segno.make_qr(qr_url(code), error="m")


def png(code: str, *, scale: int = PNG_SCALE, border: int = BORDER) -> bytes:
    buffer = io.BytesIO()
    make(code).save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()


def svg(code: str, *, scale: int = SVG_SCALE, border: int = BORDER) -> bytes:
    buffer = io.BytesIO()
    make(code).save(buffer, kind="svg", scale=scale, border=border, xmldecl=True)
    return buffer.getvalue()


def inline_svg(code: str) -> str:
    """An ``<svg>`` element without a fixed size, for HTML pages (sized by CSS)."""
    return make(code).svg_inline(scale=SVG_SCALE, border=BORDER, omitsize=True)
