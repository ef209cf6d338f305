"""Minimal readers for the QR tests: segno's 1-bit greyscale PNG and its SVG path, back to modules."""

import re
import struct
import zlib


def _chunks(data: bytes):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position = 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        yield data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
        position += 12 + length


def _paeth(left: int, up: int, corner: int) -> int:
    estimate = left + up - corner
    distances = (abs(estimate - left), abs(estimate - up), abs(estimate - corner))
    return (left, up, corner)[distances.index(min(distances))]


def _unfilter(raw: bytes, stride: int, height: int) -> list[bytes]:
    rows, previous, position = [], bytes(stride), 0
    for _ in range(height):
        kind, line = raw[position], bytearray(raw[position + 1 : position + 1 + stride])
        position += 1 + stride
        for index in range(stride):
            left = line[index - 1] if index else 0
            up, corner = previous[index], previous[index - 1] if index else 0
            line[index] = (
                line[index] + (0, left, up, (left + up) // 2, _paeth(left, up, corner))[kind]
            ) & 0xFF
        rows.append(bytes(line))
        previous = line
    return rows


def read_bits(data: bytes) -> list[list[int]]:
    """Pixel rows of a 1-bit greyscale PNG: 1 for black, 0 for white."""
    chunks = list(_chunks(data))
    header = next(body for kind, body in chunks if kind == b"IHDR")
    width, height, depth, colour, _compression, _filter, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, colour, interlace) == (1, 0, 0), "only 1-bit greyscale PNGs"
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    rows = _unfilter(raw, (width + 7) // 8, height)
    return [[0 if row[x // 8] >> (7 - x % 8) & 1 else 1 for x in range(width)] for row in rows]


def modules(data: bytes, scale: int, border: int) -> list[list[int]]:
    """The QR modules of a PNG drawn with ``scale`` pixels per module and a ``border`` quiet zone."""
    pixels = read_bits(data)
    size = len(pixels) // scale - 2 * border
    centre = scale // 2
    return [
        [pixels[(border + y) * scale + centre][(border + x) * scale + centre] for x in range(size)]
        for y in range(size)
    ]


def svg_modules(svg: str, border: int) -> list[list[int]]:
    """The QR modules of segno's SVG: its one path draws each row's dark runs (``M``/``m`` moves,
    ``h`` runs of dark modules, in module units before the ``scale`` transform)."""
    width = int(re.search(r'(?:width="|viewBox="0 0 )(\d+)', svg).group(1))
    scale = int(re.search(r'transform="scale\((\d+)\)"', svg).group(1))
    size = width // scale - 2 * border
    grid = [[0] * size for _ in range(size)]
    x = y = 0.0
    path = re.search(r' d="([^"]+)"', svg).group(1)
    for command, first, second in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            for column in range(int(x), int(x + float(first))):
                grid[int(y) - border][column - border] = 1
            x += float(first)
    return grid
