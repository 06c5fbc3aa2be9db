"""Datasets: CreateDataset (from a manifest in S3, or empty), DescribeDataset, ListDatasetEntries,
UpdateDatasetEntries, DeleteDataset."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..clock import clock
from ..errors import ConflictException, ResourceNotFoundException, ValidationException
from ..idempotency import Done
from ..lifecycle import Lifecycle, Outcome
from ..manifests import Entry, ImageStats, ManifestError, bucket_of, matches, parse_lines
from ..pagination import paginate
from ..statuses import DATASET_BUSY_STATUSES, DatasetStatus, Step
from ..storage import Unavailable
from .base import Project, ServiceState

# "The dataset was created successfully." is the developer guide's example; the rest follow it.
CREATED = Outcome(DatasetStatus.CREATE_COMPLETE, "The dataset was created successfully.")
UPDATED = Outcome(DatasetStatus.UPDATE_COMPLETE, "The dataset was updated successfully.")
DELETED = Outcome(DatasetStatus.DELETE_COMPLETE, "The dataset was deleted successfully.")
# limits.md: at most 16,000 images in a training dataset and 4,000 in a test dataset.
MAX_DATASET_IMAGES = {"train": 16_000, "test": 4_000}


@dataclass
class Dataset:
    project_name: str
    dataset_type: str
    created_at: float
    lifecycle: Lifecycle
    entries: dict[str, Entry] = field(default_factory=dict)  # by source-ref, in sequence order
    updated_at: float = 0.0
    _next_sequence: int = 0
    revision: int = 0  # grows with every change of the entries
    # The entries in order and their sequence numbers, for resuming a page; made per revision.
    _ordered: tuple[int, list[Entry], list[int]] = (-1, [], [])

    @property
    def resource_id(self) -> str:
        return f"{self.project_name}/{self.dataset_type}"

    def add(self, entries: list[Entry], now: float) -> None:
        """Adds entries, or replaces those with the same source-ref (keeping their place)."""
        for entry in entries:
            old = self.entries.get(entry.source_ref)
            if old is None:
                self._next_sequence += 1
                entry.sequence = self._next_sequence
            else:
                entry.sequence = old.sequence
            self.entries[entry.source_ref] = entry
        self.updated_at = now
        self.revision += 1

    def images_bucket(self) -> str | None:
        """The bucket the dataset's images are in (all are in one); None while it has none."""
        for entry in self.entries.values():
            return bucket_of(entry.source_ref)
        return None

    def restore(self, entries: dict[str, Entry]) -> None:
        self.entries = entries
        self.revision += 1

    def entries_from(self, sequence: int | None) -> Iterator[Entry]:
        """The entries in sequence order, from ``sequence`` on."""
        if sequence is None:
            return iter(self.entries.values())
        revision, ordered, sequences = self._ordered
        if revision != self.revision:
            ordered = list(self.entries.values())
            sequences = [entry.sequence for entry in ordered]
            self._ordered = (self.revision, ordered, sequences)
        start = bisect.bisect_left(sequences, sequence)
        return (ordered[index] for index in range(start, len(ordered)))

    def metadata(self) -> dict[str, Any]:
        return {
            "DatasetType": self.dataset_type,
            "CreationTimestamp": self.created_at,
            "Status": self.lifecycle.refresh(is_read=False),
            "StatusMessage": self.lifecycle.status_message,
        }

    def describe(self) -> dict[str, Any]:
        status = self.lifecycle.refresh()
        return {
            "ProjectName": self.project_name,
            "DatasetType": self.dataset_type,
            "CreationTimestamp": self.created_at,
            "LastUpdatedTimestamp": self.updated_at,
            "Status": status,
            "StatusMessage": self.lifecycle.status_message,
            "ImageStats": ImageStats.of(self.entries.values()).wire(),
        }


def check_dataset_size(dataset_type: str, images: int) -> None:
    limit = MAX_DATASET_IMAGES[dataset_type]
    if images > limit:
        raise ManifestError(
            f"A {dataset_type} dataset holds at most {limit} images; this has {images}."
        )


class DatasetOperations(ServiceState):
    def dataset(self, project: Project, dataset_type: str) -> Dataset:
        """The dataset, or the ResourceNotFoundException the API answers."""
        dataset = project.live_datasets().get(dataset_type)
        if dataset is None:
            raise ResourceNotFoundException(
                f"The {dataset_type} dataset of project {project.name} does not exist.",
                resource_id=f"{project.name}/{dataset_type}",
                resource_type="DATASET",
            )
        return dataset

    def idle_dataset(
        self,
        project: Project,
        dataset_type: str,
        action: str,
        refused: frozenset[str] = DATASET_BUSY_STATUSES | {DatasetStatus.CREATE_FAILED},
    ) -> Dataset:
        """The dataset, unless its status is one in which it can't be ``action``."""
        return self.require_idle(self.dataset(project, dataset_type), action, refused)

    def require_idle(
        self,
        dataset: Dataset,
        action: str,
        refused: frozenset[str] = DATASET_BUSY_STATUSES | {DatasetStatus.CREATE_FAILED},
    ) -> Dataset:
        """``dataset``, unless its status is one in which it can't be ``action``."""
        status = dataset.lifecycle.refresh(is_read=False)
        if status in refused:
            raise ConflictException(
                f"The {dataset.dataset_type} dataset of project {dataset.project_name} is "
                f"{status}; it can't be {action} now.",
                resource_id=dataset.resource_id,
                resource_type="DATASET",
            )
        return dataset

    def create_dataset(
        self, project_name: str, dataset_type: str, dataset_source: dict[str, Any] | None = None
    ) -> Done:
        project = self.project(project_name)
        existing = project.live_datasets().get(dataset_type)
        # Replacing a dataset is "first delete the existing dataset ... and then create a new
        # dataset of the same dataset type" (create-dataset-sdk.md), with no wait between: a
        # deletion in progress ends now, as it would have run. One planned to fail would leave
        # the dataset, so the call is refused; it is decided before anything changes, as a call
        # that fails changes nothing (the deletion stays in progress).
        replacing = (
            existing is not None
            and existing.lifecycle.step() is Step.DATASET_DELETION
            and not existing.lifecycle.planned_to_fail()
        )
        # Looked at again: a deletion may have completed while the step was looked at.
        if not replacing and dataset_type in project.live_datasets():
            raise ConflictException(
                f"Project {project_name} already has a {dataset_type} dataset.",
                resource_id=f"{project_name}/{dataset_type}",
                resource_type="DATASET",
            )
        if existing is not None and replacing:
            existing.lifecycle.end_now()
        now = clock.time()
        dataset = Dataset(
            project_name,
            dataset_type,
            now,
            Lifecycle(DatasetStatus.CREATE_IN_PROGRESS, ""),
            updated_at=now,
        )
        manifest = (dataset_source or {}).get("GroundTruthManifest", {}).get("S3Object")
        if manifest is None:
            # "an empty dataset is created and the operation synchronously returns" (API)
            dataset.lifecycle.settle(CREATED.status, CREATED.message)
        else:
            problem = self._import(dataset, manifest, now)
            dataset.lifecycle.begin(
                Step.DATASET_IMPORT,
                DatasetStatus.CREATE_IN_PROGRESS,
                "The dataset is being created.",
                CREATED,
                DatasetStatus.CREATE_FAILED,
                planned_failure=problem or self.controls.planned_failure(Step.DATASET_IMPORT),
                on_failure=dataset.entries.clear,
            )
        project.datasets[dataset_type] = dataset
        return Done({"DatasetMetadata": dataset.metadata()}, dataset.resource_id, "DATASET")

    def _import(self, dataset: Dataset, s3_object: dict[str, Any], now: float) -> str | None:
        """Reads the manifest into the dataset; why the import will fail, if it will."""
        try:
            text = self.storage.read(
                s3_object["Bucket"], s3_object["Key"], s3_object.get("VersionId")
            ).decode("utf-8")
        except Unavailable as problem:
            return f"The manifest file can't be read: {problem}"
        except UnicodeDecodeError as problem:
            return f"The manifest file is not valid: {problem}"
        try:
            entries = list(parse_lines(text, now))
            check_dataset_size(dataset.dataset_type, len(entries))
        except ManifestError as problem:
            return f"The manifest file is not valid: {problem}"
        dataset.add(entries, now)
        return None

    def describe_dataset(self, project_name: str, dataset_type: str) -> dict[str, Any]:
        dataset = self.dataset(self.project(project_name), dataset_type)
        return {"DatasetDescription": dataset.describe()}

    def list_dataset_entries(
        self,
        project_name: str,
        dataset_type: str,
        labeled: bool | None = None,
        anomaly_class: str | None = None,
        before_creation_date: float | None = None,
        after_creation_date: float | None = None,
        next_token: str | None = None,
        max_results: int | None = None,
        source_ref_contains: str | None = None,
    ) -> dict[str, Any]:
        project = self.project(project_name)
        dataset = self.dataset(project, dataset_type)

        def selected_from(start: int | None) -> Iterator[Entry]:
            return (
                entry
                for entry in dataset.entries_from(start)
                if matches(
                    entry,
                    labeled,
                    anomaly_class,
                    before_creation_date,
                    after_creation_date,
                    source_ref_contains,
                )
            )

        scope = f"ListDatasetEntries/{project.arn}/{dataset_type}"
        page, token = paginate(scope, next_token, max_results, selected_from, lambda e: e.sequence)
        return {"DatasetEntries": [entry.line for entry in page], "NextToken": token}

    def update_dataset_entries(self, project_name: str, dataset_type: str, changes: bytes) -> Done:
        project = self.project(project_name)
        dataset = self.idle_dataset(project, dataset_type, "updated")
        now = clock.time()
        try:
            # Images added later "must be in the same S3 bucket as the images in your dataset"
            # (trial-detection.md).
            entries = list(parse_lines(changes.decode("utf-8"), now, dataset.images_bucket()))
        except (ManifestError, UnicodeDecodeError) as problem:
            raise ValidationException(f"The changes are not valid: {problem}") from None
        if not entries:
            raise ValidationException("The changes contain no dataset entries.")
        new = {entry.source_ref for entry in entries} - dataset.entries.keys()
        try:
            check_dataset_size(dataset_type, len(dataset.entries) + len(new))
        except ManifestError as problem:
            raise ValidationException(str(problem)) from None
        before = dict(dataset.entries)
        dataset.add(entries, now)
        dataset.lifecycle.begin(
            Step.DATASET_UPDATE,
            DatasetStatus.UPDATE_IN_PROGRESS,
            "The dataset is being updated.",
            UPDATED,
            # A failed update rolls the entries back.
            DatasetStatus.UPDATE_FAILED_ROLLBACK_COMPLETE,
            planned_failure=self.controls.planned_failure(Step.DATASET_UPDATE),
            on_failure=lambda: dataset.restore(before),
        )
        return Done({"Status": DatasetStatus.UPDATE_IN_PROGRESS}, dataset.resource_id, "DATASET")

    def delete_dataset(self, project_name: str, dataset_type: str) -> Done:
        project = self.project(project_name)
        # A dataset whose creation failed can be deleted; a busy one can't.
        dataset = self.idle_dataset(project, dataset_type, "deleted", refused=DATASET_BUSY_STATUSES)
        dataset.lifecycle.begin(
            Step.DATASET_DELETION,
            DatasetStatus.DELETE_IN_PROGRESS,
            "The dataset is being deleted.",
            DELETED,
            DatasetStatus.DELETE_FAILED,
            planned_failure=self.controls.planned_failure(Step.DATASET_DELETION),
        )
        return Done({}, dataset.resource_id, "DATASET")
