"""DetectAnomalies: what an acceptable image is, and deterministic results for one.

The body must really be an image of the type its Content-Type names (PNG or JPEG, the only two the
API accepts) that decodes whole, within the developer guide's limits (limits.md: at most 8 MB, 64
to 4096 pixels a side); the backend also holds it to the size of the model's training images. A
result is derived from the image bytes, so the same image always gets the same answer, unless a
test has set the result for that image. A segmentation model's results add the anomaly labels
found and a mask.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from .errors import ValidationException
from .images import JPEG, PNG, banded_png, examine


def image_size(body: bytes, content_type: str, key: str | None = None) -> tuple[int, int]:
    """Width and height of ``body``; a ValidationException when it is not an acceptable image.
    ``key`` is its ``image_key``, when the caller has it (the body is hashed once)."""
    if content_type not in (PNG, JPEG):
        raise ValidationException(
            f"The content type {content_type} is not supported; use image/png or image/jpeg."
        )
    kind = "PNG" if content_type == PNG else "JPEG"
    size, problem = examine(body, len(body), content_type, f"is not a valid {kind} image", key)
    if size is None:
        raise ValidationException(f"The image {problem}.")
    return size


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
    """What a test's result for an image is kept under: the SHA-256 of its bytes, in hex."""
    return hashlib.sha256(body).hexdigest()


# What a segmentation model calls the area outside anomalies, always first in Anomalies (the
# developer guide's example response).
BACKGROUND_NAME, BACKGROUND_COLOR = "background", "#FFFFFF"
_MOST_ANOMALY_TYPES_FOUND = 3


def derived_result(
    key: str, size: tuple[int, int], labels: Sequence[tuple[str, str]] = ()
) -> DetectionResult:
    """A result derived from an image's ``image_key``: the same image always gets the same answer.

    ``labels`` are a segmentation model's anomaly labels (name, mask color); with them, an image
    found anomalous gets one to three of them, each covering a band of 1-8% of the image's rows,
    and a mask of its size that paints exactly those bands (so areas and mask agree).
    """
    digest = bytes.fromhex(key)
    is_anomalous = digest[0] % 2 == 1
    confidence = round(0.5 + digest[1] / 255 * 0.5, 4)
    if not labels:
        return DetectionResult(is_anomalous, confidence)
    width, height = size
    found: list[tuple[int, int]] = []  # (index into labels, rows)
    if is_anomalous:
        count = 1 + digest[2] % min(len(labels), _MOST_ANOMALY_TYPES_FOUND)
        for number in range(count):
            rows = max(1, height * (1 + digest[4 + number] % 8) // 100)
            found.append(((digest[3] + number) % len(labels), rows))
    anomaly_rows = sum(rows for _, rows in found)
    top = digest[8] * (height - anomaly_rows) // 255
    bands = [(0, top), *((1 + n, rows) for n, (_, rows) in enumerate(found))]
    bands.append((0, height - top - anomaly_rows))
    colors = [BACKGROUND_COLOR] + [labels[index][1] for index, _ in found]
    background_area = round((height - anomaly_rows) / height, 6)
    anomalies = [Anomaly(BACKGROUND_NAME, background_area, BACKGROUND_COLOR)]
    anomalies += [
        Anomaly(labels[index][0], round(rows / height, 6), labels[index][1].upper())
        for index, rows in found
    ]
    mask = banded_png(width, height, [_rgb(color) for color in colors], bands)
    return DetectionResult(is_anomalous, confidence, tuple(anomalies), mask)


def _rgb(color: str) -> tuple[int, int, int]:
    value = int(color.lstrip("#"), 16)
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF
