"""Image files: what a PNG or JPEG header says (its type and size), and PNGs made here.

The service reads two kinds of image (limits.md: "PNG and JPEG image formats"): the images a model
trains and tests on, and the image sent to DetectAnomalies. Only the header is read: the size and
the file type are what the documented rules are about. PNGs are made for the masks of segmentation
results.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

PNG = "image/png"
JPEG = "image/jpeg"
MAX_IMAGE_BYTES = 8 * 1024 * 1024  # limits.md: 8 MB, for training images and DetectAnomalies
MIN_SIDE, MAX_SIDE = 64, 4096  # limits.md: 64 x 64 to 4096 x 4096 pixels
# Enough of a file to find its size: a JPEG's frame header may follow EXIF data (up to 64 KB).
HEADER_BYTES = 128 * 1024

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers carry the image size; the rest (0xC4, 0xC8, 0xCC) do not.
_JPEG_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def file_type(data: bytes) -> str | None:
    """PNG or JPEG, from the file's signature; None for anything else."""
    if data.startswith(_PNG_SIGNATURE):
        return PNG
    if data.startswith(b"\xff\xd8"):
        return JPEG
    return None


def dimensions(data: bytes, content_type: str) -> tuple[int, int] | None:
    """Width and height of a ``content_type`` image; None when the header isn't one."""
    return _png_size(data) if content_type == PNG else _jpeg_size(data)


def examine(
    data: bytes, length: int, kind: str | None, unreadable: str
) -> tuple[tuple[int, int] | None, str | None]:
    """The width and height of an image of ``length`` bytes that begins with ``data``, read as
    ``kind`` (PNG or JPEG, or None for neither); or what limits.md finds wrong with it, worded to
    follow the image's name ("is larger than ..."), ``unreadable`` when it isn't a ``kind`` image.
    """
    if length > MAX_IMAGE_BYTES:
        return None, f"is larger than {MAX_IMAGE_BYTES} bytes"
    size = None if kind is None else dimensions(data, kind)
    if size is None:
        return None, unreadable
    width, height = size
    if MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE:
        return size, None
    return None, f"is {width}x{height} pixels; each side must be {MIN_SIDE} to {MAX_SIDE}"


def _png_size(data: bytes) -> tuple[int, int] | None:
    if not data.startswith(_PNG_SIGNATURE) or len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    if not data.startswith(b"\xff\xd8"):
        return None
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        if marker in _JPEG_FRAME_MARKERS and position + 9 <= len(data):
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return int(width), int(height)
        position += 2 + length
    return None


def banded_png(
    width: int,
    height: int,
    palette: Sequence[tuple[int, int, int]],
    bands: Sequence[tuple[int, int]],
) -> bytes:
    """A palette PNG of horizontal bands: ``bands`` are (palette index, rows), top to bottom."""
    if not 1 <= width <= 2**31 - 1 or not 1 <= height <= 2**31 - 1:
        raise ValueError(f"an image can't be {width}x{height} pixels")
    if sum(rows for _, rows in bands) != height:
        raise ValueError("the bands must cover the image's height")
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    # Each row is a filter byte (0: none) and one palette index per pixel.
    pixels = b"".join((b"\x00" + bytes([index]) * width) * rows for index, rows in bands)
    return (
        _PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"PLTE", b"".join(bytes(color) for color in palette))
        + _chunk(b"IDAT", zlib.compress(pixels))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    checksum = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)
