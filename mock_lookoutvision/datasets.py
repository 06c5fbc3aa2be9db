"""Dataset content: manifest lines (SageMaker Ground Truth format) and the entries made from them.

A manifest is JSON Lines; each line names one image (``source-ref``, an ``s3://`` URI) and, when
labeled, its class: ``anomaly-label`` 1 for an anomaly, 0 for normal, with
``anomaly-label-metadata`` (``class-name`` ``anomaly`` or ``normal``). Segmentation labels add an
``anomaly-mask-ref`` with its metadata. Lines keep the text they were given: ListDatasetEntries
returns them as stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

MAX_ENTRY_CHARACTERS = 8192  # DatasetEntry's max length in the API model

NORMAL = "normal"
ANOMALY = "anomaly"


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
    return Entry(source_ref, line, _anomaly_class(document, number), added_at)


def _anomaly_class(document: dict[str, Any], number: int) -> str | None:
    if "anomaly-label" not in document:
        return None
    label = document["anomaly-label"]
    metadata = document.get("anomaly-label-metadata")
    if label not in (0, 1) or isinstance(label, bool):
        raise ManifestError(f"Line {number} has an anomaly-label other than 0 or 1.")
    if not isinstance(metadata, dict):
        raise ManifestError(f"Line {number} has an anomaly-label without anomaly-label-metadata.")
    expected = ANOMALY if label == 1 else NORMAL
    if metadata.get("class-name", expected) != expected:
        raise ManifestError(
            f"Line {number} has anomaly-label {label} but class-name {metadata.get('class-name')}."
        )
    return expected


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
