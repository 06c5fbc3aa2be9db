"""Dataset content: manifest lines (SageMaker Ground Truth format) and the entries made from them.

A manifest is JSON Lines; each line names one image (``source-ref``, an ``s3://`` URI) and, when
labeled, its class. The developer guide (manifest-file-classification): the label attribute may
have any name, with a ``<name>-metadata`` object of type ``groundtruth/image-classification``; its
value "isn't used", the metadata's ``class-name`` decides (``normal`` or ``anomaly``), and any other
class name makes the image an unlabeled one. For a segmentation model (manifest-file-segmentation)
a line adds a mask: an attribute ending in ``-ref`` naming a PNG in S3, and its ``-ref-metadata`` of
type ``groundtruth/semantic-segmentation`` whose ``internal-color-map`` maps keys to anomaly labels
(``class-name``) and their ``hex-color`` in the mask, and "0" to BACKGROUND (white) in the guide's
examples; lines exported from a project have no BACKGROUND entry. Lines keep the text they were
given: ListDatasetEntries returns them as stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

MAX_ENTRY_CHARACTERS = 8192  # DatasetEntry's max length in the API model

NORMAL = "normal"
ANOMALY = "anomaly"
SEGMENTATION = "groundtruth/semantic-segmentation"
BACKGROUND = "BACKGROUND"
BACKGROUND_COLOR = "#ffffff"
MAX_LABELS_ON_A_MASK = 20  # limits.md: "Maximum number of anomaly labels on a mask image"
_HEX_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")


class ManifestError(ValueError):
    """A manifest or a change set that cannot be read, with the line that shows why."""


@dataclass(frozen=True)
class Mask:
    """An image's segmentation: where its mask image is, and the anomaly labels it paints."""

    ref: str
    labels: tuple[tuple[str, str], ...]  # (anomaly label, hex color), BACKGROUND left out


@dataclass
class Entry:
    source_ref: str
    line: str
    anomaly_class: str | None  # NORMAL, ANOMALY, or None when unlabeled
    added_at: float
    sequence: int = 0  # the entry's place in its dataset, kept when the entry is replaced
    mask: Mask | None = None

    @property
    def labeled(self) -> bool:
        return self.anomaly_class is not None

    @property
    def anomaly_labels(self) -> frozenset[str]:
        return frozenset() if self.mask is None else frozenset(n for n, _ in self.mask.labels)


def bucket_of(uri: str) -> str:
    """The bucket of an ``s3://bucket/key`` URI."""
    return uri.removeprefix("s3://").partition("/")[0]


def parse_lines(text: str, added_at: float, images_bucket: str | None = None) -> Iterator[Entry]:
    """The entries of JSON Lines ``text``; blank lines are skipped; the first bad line raises.

    "The images referenced by a manifest file must be located in the same Amazon S3 bucket. The
    manifest file can be in a different bucket." (manifest-files.md; masks are images of the
    dataset too, manifest-file-segmentation.md). The images all lines name must be in one bucket:
    ``images_bucket`` when given (that of a dataset's images, which added ones join), else the
    first line's.
    """
    first_line = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        entry = _entry(line, number, added_at)
        if images_bucket is None:
            images_bucket, first_line = bucket_of(entry.source_ref), number
        refs = [("an image", entry.source_ref)]
        if entry.mask is not None:
            refs.append(("a mask", entry.mask.ref))
        for what, ref in refs:
            if bucket_of(ref) != images_bucket:
                where = (
                    f"line {first_line}'s image is in {images_bucket}"
                    if first_line
                    else f"the dataset's images are in {images_bucket}"
                )
                raise ManifestError(
                    f"Line {number} names {what} in the bucket {bucket_of(ref)}; a dataset's "
                    f"images must all be in one bucket, and {where}."
                )
        yield entry


def _entry(line: str, number: int, added_at: float) -> Entry:
    if len(line) > MAX_ENTRY_CHARACTERS:
        raise ManifestError(f"Line {number} is longer than {MAX_ENTRY_CHARACTERS} characters.")
    try:
        document = json.loads(line)
    except ValueError:
        raise ManifestError(f"Line {number} is not valid JSON.") from None
    if not isinstance(document, dict):
        raise ManifestError(f"Line {number} is not a JSON object.")
    source_ref = document.get("source-ref")
    if not isinstance(source_ref, str) or not source_ref.startswith("s3://"):
        raise ManifestError(f"Line {number} has no source-ref with an s3:// location.")
    mask = _mask(document, number)
    return Entry(source_ref, line, _anomaly_class(document), added_at, mask=mask)


def _mask(document: dict[str, Any], number: int) -> Mask | None:
    for key, metadata in document.items():
        if not key.endswith("-ref-metadata") or not isinstance(metadata, dict):
            continue
        if metadata.get("type") != SEGMENTATION:
            continue
        ref = document.get(key[: -len("-metadata")])
        if not isinstance(ref, str) or not ref.startswith("s3://"):
            raise ManifestError(
                f"Line {number} has segmentation metadata {key} without an s3:// mask location."
            )
        return Mask(ref, _mask_labels(metadata.get("internal-color-map"), number))
    return None


def _mask_labels(color_map: Any, number: int) -> tuple[tuple[str, str], ...]:
    def bad(why: str) -> ManifestError:
        return ManifestError(f"Line {number} has an internal-color-map that {why}.")

    if not isinstance(color_map, dict):
        raise ManifestError(f"Line {number} has no internal-color-map object.")
    # The guide puts BACKGROUND in entry "0", but lines exported from a real project number their
    # anomaly labels from "0" with no BACKGROUND entry, and the service took them: it is optional.
    # A mask's background is white whether or not an entry names it.
    labels = []
    owners: set[str] = set()
    for key, value in color_map.items():
        if not isinstance(value, dict):
            raise bad(f"has a non-object entry {key!r}")
        name, color = value.get("class-name"), value.get("hex-color")
        if not isinstance(name, str) or not name:
            raise bad(f"has no class-name in entry {key!r}")
        if not isinstance(color, str) or not _HEX_COLOR.fullmatch(color):
            raise bad(f"has no #rrggbb hex-color in entry {key!r}")
        if name == BACKGROUND and color.lower() != BACKGROUND_COLOR:
            raise bad(f"doesn't give {BACKGROUND} the color {BACKGROUND_COLOR}")
        if color.lower() in owners:
            raise bad(f"gives the color {color} of another entry to {name}")
        if name != BACKGROUND and color.lower() == BACKGROUND_COLOR:
            raise bad(f"gives {name} the color {color} of a mask's background")
        owners.add(color.lower())
        if name != BACKGROUND:
            labels.append((name, color))
    if len(labels) > MAX_LABELS_ON_A_MASK:
        raise bad(f"has {len(labels)} anomaly labels; a mask may have {MAX_LABELS_ON_A_MASK}")
    return tuple(labels)


def _anomaly_class(document: dict[str, Any]) -> str | None:
    for key, metadata in document.items():
        if not key.endswith("-metadata") or key[: -len("-metadata")] not in document:
            continue
        if not isinstance(metadata, dict) or metadata.get("type") == SEGMENTATION:
            continue
        class_name = metadata.get("class-name")
        if class_name in (NORMAL, ANOMALY):
            return str(class_name)
    return None


@dataclass(frozen=True)
class ImageStats:
    total: int
    labeled: int
    normal: int
    anomaly: int

    @classmethod
    def of(cls, entries: Iterable[Entry]) -> ImageStats:
        classes = [entry.anomaly_class for entry in entries]
        return cls(
            total=len(classes),
            labeled=sum(c is not None for c in classes),
            normal=classes.count(NORMAL),
            anomaly=classes.count(ANOMALY),
        )

    def wire(self) -> dict[str, int]:
        return {
            "Total": self.total,
            "Labeled": self.labeled,
            "Normal": self.normal,
            "Anomaly": self.anomaly,
        }


def matches(
    entry: Entry,
    labeled: bool | None,
    anomaly_class: str | None,
    before: float | None,
    after: float | None,
    source_ref_contains: str | None,
) -> bool:
    """ListDatasetEntries' filters; each one given narrows the list."""
    return (
        (labeled is None or entry.labeled == labeled)
        and (anomaly_class is None or entry.anomaly_class == anomaly_class)
        and (before is None or entry.added_at < before)
        and (after is None or entry.added_at > after)
        and (source_ref_contains is None or source_ref_contains in entry.source_ref)
    )
