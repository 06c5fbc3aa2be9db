"""Image files: what a PNG or JPEG header says (its type and size), whether the whole file decodes,
and PNGs made here.

The service reads two kinds of image (limits.md: "PNG and JPEG image formats"): the images a model
trains and tests on, and the image sent to DetectAnomalies. The header gives the file type and the
size, what the documented rules are about; then Pillow decodes the file, so one whose data is
truncated or corrupt behind an intact header is refused too. What a decoding found is kept by the
image's SHA-256 (a bounded cache): an image sent again, or trained on by another model, is decoded
once. PNGs are made for the masks of segmentation results.
"""

from __future__ import annotations

import hashlib
import io
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Sequence

from PIL import Image

PNG = "image/png"
JPEG = "image/jpeg"
MAX_IMAGE_BYTES = 8 * 1024 * 1024  # limits.md: 8 MB, for training images and DetectAnomalies
MIN_SIDE, MAX_SIDE = 64, 4096  # limits.md: 64 x 64 to 4096 x 4096 pixels
DECODE_CACHE_SIZE = 4096  # images whose decoding is remembered; each costs a digest and a flag

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers carry the image size; the rest (0xC4, 0xC8, 0xCC) do not.
_JPEG_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Pillow's names for each type; it calls a JPEG that holds several pictures MPO.
_PILLOW_FORMATS = {PNG: ("PNG",), JPEG: ("JPEG", "MPO")}


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
    data: bytes, length: int, kind: str | None, unreadable: str, digest: str | None = None
) -> tuple[tuple[int, int] | None, str | None]:
    """The width and height of the image ``data`` of ``length`` bytes (the whole file, unless it
    is over the size limit), read as ``kind`` (PNG or JPEG, or None for neither); or what limits.md
    finds wrong with it, worded to follow the image's name ("is larger than ..."), ``unreadable``
    when it isn't a ``kind`` image that decodes. ``digest`` is the SHA-256 of ``data`` in hex,
    when the caller has it.
    """
    if length > MAX_IMAGE_BYTES:
        return None, f"is larger than {MAX_IMAGE_BYTES} bytes"
    size = None if kind is None else dimensions(data, kind)
    if size is None or kind is None:
        return None, unreadable
    width, height = size
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        return None, f"is {width}x{height} pixels; each side must be {MIN_SIDE} to {MAX_SIDE}"
    # Decoded last: the header's checks are cheap, and an image they refuse isn't decoded.
    if not decode_cache.decodes(data, kind, digest):
        return None, unreadable
    return size, None


class DecodeCache:
    """Whether images decode, by their SHA-256 and type: each distinct image is decoded once (while
    it is among the ``maxsize`` used last). ``decoded`` counts decodings, ``hits`` answers kept."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self.decoded = 0
        self.hits = 0
        self._found: OrderedDict[tuple[str, str], bool] = OrderedDict()
        # Mocks may serve several threads; decoding itself runs outside the lock.
        self._lock = threading.Lock()

    def decodes(self, data: bytes, kind: str, digest: str | None = None) -> bool:
        key = (digest or hashlib.sha256(data).hexdigest(), kind)
        with self._lock:
            found = self._found.get(key)
            if found is not None:
                self._found.move_to_end(key)
                self.hits += 1
                return found
        found = _decode(data, kind)
        with self._lock:
            self.decoded += 1
            self._found[key] = found
            if len(self._found) > self.maxsize:
                self._found.popitem(last=False)
        return found

    def clear(self) -> None:
        with self._lock:
            self._found.clear()
            self.decoded = self.hits = 0

    def __len__(self) -> int:
        return len(self._found)


decode_cache = DecodeCache(DECODE_CACHE_SIZE)


def _decode(data: bytes, kind: str) -> bool:
    """Whether Pillow decodes every pixel of ``data`` as a ``kind`` image."""
    formats = _PILLOW_FORMATS[kind]
    try:
        if kind == PNG:
            # verify() checks a PNG's chunk checksums and its end, which load() lets pass.
            with Image.open(io.BytesIO(data), formats=formats) as image:
                image.verify()
        with Image.open(io.BytesIO(data), formats=formats) as image:
            image.load()
            return image.format in formats
    except Exception:  # Pillow has no one exception for a broken file (OSError, SyntaxError, ...)
        return False


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
