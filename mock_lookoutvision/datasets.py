"""Dataset content: manifest lines (SageMaker Ground Truth format) and the entries made from them.

A manifest is JSON Lines; each line names one image (``source-ref``, an ``s3://`` URI) and, when
labeled, its class. The developer guide (manifest-file-classification): the label attribute may
have any name, with a ``<name>-metadata`` object of type ``groundtruth/image-classification``; its
value "isn't used", the metadata's ``class-name`` decides (``normal`` or ``anomaly``), and any other
class name makes the image an unlabeled one. Segmentation labels add an ``anomaly-mask-ref`` with
its metadata. Lines keep the text they were given: ListDatasetEntries returns them as stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

MAX_ENTRY_CHARACTERS = 8192  # DatasetEntry's max length in the API model

NORMAL = "normal"
ANOMALY = "anomaly"
SEGMENTATION = "groundtruth/semantic-segmentation"


class ManifestError(ValueError):
    """A manifest or a change set that cannot be read, with the line that shows why."""


@dataclass
class Entry:
    source_ref: str
    line: str
    anomaly_class: str | None  # NORMAL, ANOMALY, or None when unlabeled
    added_at: float
    sequence: int = 0  # the entry's place in its dataset, kept when the entry is replaced

    @property
    def labeled(self) -> bool:
        return self.anomaly_class is not None


def parse_lines(text: str, added_at: float) -> Iterator[Entry]:
    """The entries of JSON Lines ``text``; blank lines are skipped; the first bad line raises."""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line:
            yield _entry(line, number, added_at)


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
    return Entry(source_ref, line, _anomaly_class(document), added_at)


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
