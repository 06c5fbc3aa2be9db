"""DetectAnomalies: what an acceptable image is, and deterministic results for one.

The body must really be an image of the type its Content-Type names (PNG or JPEG, the only two the
API accepts), within the developer guide's limits (limits.md: at most 8 MB, 64 to 4096 pixels a
side). A result is derived from the image bytes, so the same image always gets the same answer,
unless a test has set the result for that image.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field

from .errors import ValidationException

MAX_IMAGE_BYTES = 8 * 1024 * 1024
MIN_SIDE, MAX_SIDE = 64, 4096
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers carry the image size; the rest (0xC4, 0xC8, 0xCC) do not.
_JPEG_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def image_size(body: bytes, content_type: str) -> tuple[int, int]:
    """Width and height of ``body``; a ValidationException when it is not an acceptable image."""
    if content_type not in ("image/png", "image/jpeg"):
        raise ValidationException(
            f"The content type {content_type} is not supported; use image/png or image/jpeg."
        )
    if len(body) > MAX_IMAGE_BYTES:
        raise ValidationException(f"The image is larger than {MAX_IMAGE_BYTES} bytes.")
    size = _png_size(body) if content_type == "image/png" else _jpeg_size(body)
    if size is None:
        kind = "PNG" if content_type == "image/png" else "JPEG"
        raise ValidationException(f"The image is not a valid {kind} image.")
    width, height = size
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise ValidationException(
            f"The image is {width}x{height} pixels; each side must be {MIN_SIDE} to {MAX_SIDE}."
        )
    return size


def _png_size(body: bytes) -> tuple[int, int] | None:
    if not body.startswith(_PNG_SIGNATURE) or body[12:16] != b"IHDR" or len(body) < 24:
        return None
    width, height = struct.unpack(">II", body[16:24])
    return int(width), int(height)


def _jpeg_size(body: bytes) -> tuple[int, int] | None:
    if not body.startswith(b"\xff\xd8"):
        return None
    position = 2
    while position + 4 <= len(body):
        if body[position] != 0xFF:
            return None
        marker = body[position + 1]
        length = struct.unpack(">H", body[position + 2 : position + 4])[0]
        if marker in _JPEG_FRAME_MARKERS and position + 9 <= len(body):
            height, width = struct.unpack(">HH", body[position + 5 : position + 9])
            return int(width), int(height)
        position += 2 + length
    return None


@dataclass(frozen=True)
class Anomaly:
    name: str
    total_percentage_area: float
    color: str


@dataclass(frozen=True)
class DetectionResult:
    is_anomalous: bool
    confidence: float
    # For segmentation models only: the anomaly types found and the mask image (PNG bytes).
    anomalies: tuple[Anomaly, ...] = field(default=())
    anomaly_mask: bytes | None = None

    def wire(self) -> dict[str, object]:
        result: dict[str, object] = {
            "Source": {"Type": "direct"},
            "IsAnomalous": self.is_anomalous,
            "Confidence": self.confidence,
        }
        if self.anomalies:
            result["Anomalies"] = [
                {
                    "Name": a.name,
                    "PixelAnomaly": {
                        "TotalPercentageArea": a.total_percentage_area,
                        "Color": a.color,
                    },
                }
                for a in self.anomalies
            ]
        if self.anomaly_mask is not None:
            result["AnomalyMask"] = self.anomaly_mask
        return result


def image_key(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def derived_result(body: bytes) -> DetectionResult:
    """A classification derived from the bytes: the same image always gets the same answer."""
    digest = hashlib.sha256(body).digest()
    return DetectionResult(
        is_anomalous=digest[0] % 2 == 1,
        confidence=round(0.5 + digest[1] / 255 * 0.5, 4),
    )
