"""Every status the service reports, and every asynchronous step that moves one, in one place.

The status values are the API model's enums (ModelStatus, DatasetStatus, ModelPackagingJobStatus).
A ``Step`` is one kind of work that takes simulated time: its name is what ``durations`` and the
handle use, its ``state_model`` the moto state-manager model that may drive it instead.
"""

from __future__ import annotations

from enum import Enum


class _Status(str, Enum):
    # The value, not "ModelStatus.TRAINED", wherever a status is formatted into a message.
    __str__ = str.__str__


class ModelStatus(_Status):
    TRAINING = "TRAINING"
    TRAINED = "TRAINED"
    TRAINING_FAILED = "TRAINING_FAILED"
    STARTING_HOSTING = "STARTING_HOSTING"
    HOSTED = "HOSTED"
    HOSTING_FAILED = "HOSTING_FAILED"
    STOPPING_HOSTING = "STOPPING_HOSTING"
    SYSTEM_UPDATING = "SYSTEM_UPDATING"
    DELETING = "DELETING"
    # Never shown: a model whose deletion completed is gone on the next read.
    DELETED = "DELETED"


class DatasetStatus(_Status):
    CREATE_IN_PROGRESS = "CREATE_IN_PROGRESS"
    CREATE_COMPLETE = "CREATE_COMPLETE"
    CREATE_FAILED = "CREATE_FAILED"
    UPDATE_IN_PROGRESS = "UPDATE_IN_PROGRESS"
    UPDATE_COMPLETE = "UPDATE_COMPLETE"
    UPDATE_FAILED_ROLLBACK_IN_PROGRESS = "UPDATE_FAILED_ROLLBACK_IN_PROGRESS"
    UPDATE_FAILED_ROLLBACK_COMPLETE = "UPDATE_FAILED_ROLLBACK_COMPLETE"
    DELETE_IN_PROGRESS = "DELETE_IN_PROGRESS"
    DELETE_COMPLETE = "DELETE_COMPLETE"
    DELETE_FAILED = "DELETE_FAILED"


class PackagingJobStatus(_Status):
    CREATED = "CREATED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class Step(str, Enum):
    """An asynchronous step: how long it takes by default, and moto's state-manager model for it."""

    state_model: str
    default_seconds: float

    def __new__(cls, name: str, state_model: str, default_seconds: float) -> Step:
        step = str.__new__(cls, name)
        step._value_ = name
        step.state_model = state_model
        step.default_seconds = default_seconds
        return step

    __str__ = str.__str__

    DATASET_IMPORT = ("dataset_import", "lookoutvision::dataset", 60.0)
    DATASET_UPDATE = ("dataset_update", "lookoutvision::dataset", 60.0)
    # As short as a model's deletion: the guide's DeleteDataset example reports "Dataset deleted."
    # once the call returns, where its DeleteModel example polls ListModels (delete-dataset.md,
    # delete-model.md); nothing documents a longer wait.
    DATASET_DELETION = ("dataset_deletion", "lookoutvision::dataset", 5.0)
    # The developer guide: training "takes at least 30 minutes" and "might take several hours".
    TRAINING = ("training", "lookoutvision::model", 3600.0)
    HOSTING_START = ("hosting_start", "lookoutvision::model_hosting", 600.0)
    HOSTING_STOP = ("hosting_stop", "lookoutvision::model_hosting", 600.0)
    # "It might take a few seconds to delete a model." (developer guide)
    MODEL_DELETION = ("model_deletion", "lookoutvision::model_deletion", 5.0)
    PACKAGING = ("packaging", "lookoutvision::model_packaging_job", 1800.0)


STEPS_BY_NAME = {step.value: step for step in Step}
# Shorthands a ``durations`` mapping may use for several steps at once.
STEP_GROUPS: dict[str, tuple[Step, ...]] = {
    "dataset": (Step.DATASET_IMPORT, Step.DATASET_UPDATE, Step.DATASET_DELETION),
    "hosting": (Step.HOSTING_START, Step.HOSTING_STOP),
}

MODEL_HOSTING_STATUSES = frozenset(
    {ModelStatus.STARTING_HOSTING, ModelStatus.HOSTED, ModelStatus.STOPPING_HOSTING}
)
DATASET_BUSY_STATUSES = frozenset(
    {
        DatasetStatus.CREATE_IN_PROGRESS,
        DatasetStatus.UPDATE_IN_PROGRESS,
        DatasetStatus.DELETE_IN_PROGRESS,
    }
)
