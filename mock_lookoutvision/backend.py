"""State and lifecycle: projects, models and their tags, one backend per account and region.

Everything time-dependent is a ``lifecycle.Lifecycle``, read lazily on the simulated clock (no
threads, no sleeps): a model in TRAINING becomes TRAINED, or TRAINING_FAILED, as soon as a read
finds its training over.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from moto.core.base_backend import BackendDict, BaseBackend

from .api_model import SERVICE_NAME
from .clock import clock
from .datasets import Entry, ImageStats, ManifestError, matches, parse_lines
from .errors import (
    ConflictException,
    LookoutVisionError,
    ResourceNotFoundException,
    S3Unavailable,
    ServiceQuotaExceededException,
    ValidationException,
)
from .images import HEADER_BYTES, MAX_IMAGE_BYTES
from .inference import DetectionResult, derived_result, image_key, image_size
from .lifecycle import (
    DATASET_STATE,
    DELETION_STATE,
    HOSTING_STATE,
    PACKAGING_STATE,
    TRAINING_STATE,
    InProgress,
    Lifecycle,
    Outcome,
)
from .packaging import PackagingJob, check_greengrass
from .quotas import (
    CONCURRENT_PACKAGING_JOBS,
    CONCURRENT_TRAININGS,
    INFERENCE_UNITS,
    MODELS_PER_PROJECT,
    PROJECTS,
    RUNNING_MODELS,
    Quotas,
)
from .training import Evaluation, image_problem, plan

# "An idempotency token is active for 8 hours." (CreateModel API reference)
TOKEN_LIFETIME_SECONDS = 8 * 3600.0
MAX_TAGS_PER_RESOURCE = 200
DEFAULT_PAGE_SIZE = 100
# Regions where the service was offered; others only when moto allows unknown regions.
REGIONS = [
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-central-1",
    "eu-west-1",
    "ap-northeast-1",
    "ap-northeast-2",
]

TRAINING = "TRAINING"
TRAINED = "TRAINED"
TRAINING_FAILED = "TRAINING_FAILED"
# The developer guide's example output (getting-started-sdk).
TRAINING_MESSAGE = "The model is being trained."
TRAINED_OUTCOME = Outcome(TRAINED, "Training completed successfully.")
PACKAGING_RUNNING = "RUNNING"
PACKAGING_FAILED = "FAILED"
PACKAGING_SUCCEEDED = Outcome("SUCCEEDED", "The model packaging job succeeded.")
DELETING = "DELETING"
# Never shown: a model whose deletion completed is dropped on the next read.
DELETED = "DELETED"
MODEL_DELETED = Outcome(DELETED, "The model was deleted.")
STARTING_HOSTING = "STARTING_HOSTING"
HOSTED = "HOSTED"
HOSTING_FAILED = "HOSTING_FAILED"
STOPPING_HOSTING = "STOPPING_HOSTING"
HOSTING_STATUSES = frozenset({STARTING_HOSTING, HOSTED, STOPPING_HOSTING})
# StatusMessage texts are not documented beyond training's; these follow its wording.
HOSTED_OUTCOME = Outcome(HOSTED, "The model is running.")
STOPPED_OUTCOME = Outcome(TRAINED, "The model was stopped.")
# StartModel applies to a trained model, or one whose last start failed or that was stopped.
STARTABLE_STATUSES = frozenset({TRAINED, HOSTING_FAILED})
# "You can't delete model version that is running or being trained." (developer guide)
UNDELETABLE_STATUSES = frozenset(
    {TRAINING, "STARTING_HOSTING", "HOSTED", "STOPPING_HOSTING", "SYSTEM_UPDATING", "DELETING"}
)


@dataclass
class Model:
    project_name: str
    version: str
    arn: str
    created_at: float
    output_config: dict[str, Any]
    description: str | None
    kms_key_id: str | None
    lifecycle: Lifecycle
    tags: dict[str, str] = field(default_factory=dict)
    # Inference units of the last StartModel, reported while the model is (being) hosted.
    inference_units: tuple[int, int] | None = None
    evaluation: Evaluation | None = None
    # The size of the images it trained on: DetectAnomalies wants the same (developer guide).
    image_size: tuple[int, int] | None = None

    def evaluation_key(self, kind: str) -> str:
        # The developer guide's example: Prefix + EvaluationManifest-<project>-<version>.json.
        prefix = self.output_config["S3Location"].get("Prefix", "")
        return f"{prefix}{kind}-{self.project_name}-{self.version}.json"

    def metadata(self, refresh: bool = True) -> dict[str, Any]:
        """ModelMetadata; ``refresh=False`` reports the status as it stands, without moving it."""
        lifecycle = self.lifecycle
        status = lifecycle.refresh(is_read=False) if refresh else lifecycle.status
        return {
            "CreationTimestamp": self.created_at,
            "ModelVersion": self.version,
            "ModelArn": self.arn,
            "Description": self.description,
            "Status": status,
            "StatusMessage": self.lifecycle.status_message,
            "Performance": self._performance() if TRAINED in lifecycle.reached else None,
        }

    def describe(self) -> dict[str, Any]:
        self.lifecycle.refresh()
        description = self.metadata()
        description.update(
            OutputConfig=self.output_config,
            KmsKeyId=self.kms_key_id,
        )
        if self.inference_units is not None and description["Status"] in HOSTING_STATUSES:
            description["MinInferenceUnits"], description["MaxInferenceUnits"] = (
                self.inference_units
            )
        trained_at = self.lifecycle.reached.get(TRAINED)
        if trained_at is not None:
            bucket = self.output_config["S3Location"]["Bucket"]
            description.update(
                EvaluationEndTimestamp=trained_at,
                EvaluationManifest={
                    "Bucket": bucket,
                    "Key": self.evaluation_key("EvaluationManifest"),
                },
                EvaluationResult={"Bucket": bucket, "Key": self.evaluation_key("EvaluationResult")},
            )
        return description

    def _performance(self) -> dict[str, float] | None:
        return None if self.evaluation is None else self.evaluation.scores


CREATE_IN_PROGRESS = "CREATE_IN_PROGRESS"
UPDATE_IN_PROGRESS = "UPDATE_IN_PROGRESS"
DELETE_IN_PROGRESS = "DELETE_IN_PROGRESS"
DELETE_COMPLETE = "DELETE_COMPLETE"
CREATE_FAILED = "CREATE_FAILED"
DATASET_BUSY = frozenset({CREATE_IN_PROGRESS, UPDATE_IN_PROGRESS, DELETE_IN_PROGRESS})
# How a failed step ends; a failed update rolls the entries back.
DATASET_FAILURES = {
    CREATE_IN_PROGRESS: CREATE_FAILED,
    UPDATE_IN_PROGRESS: "UPDATE_FAILED_ROLLBACK_COMPLETE",
    DELETE_IN_PROGRESS: "DELETE_FAILED",
}
# "The dataset was created successfully." is the developer guide's example; the rest follow it.
DATASET_CREATED = Outcome("CREATE_COMPLETE", "The dataset was created successfully.")
DATASET_UPDATED = Outcome("UPDATE_COMPLETE", "The dataset was updated successfully.")
DATASET_DELETED = Outcome(DELETE_COMPLETE, "The dataset was deleted successfully.")


@dataclass
class Dataset:
    project_name: str
    dataset_type: str
    created_at: float
    lifecycle: Lifecycle
    entries: dict[str, Entry] = field(default_factory=dict)  # by source-ref, in order added
    updated_at: float = 0.0
    _next_sequence: int = 0
    revision: int = 0  # grows with every change of the entries
    # The entries before the update in progress, restored if that update fails.
    _before_update: dict[str, Entry] | None = None

    def update(self, entries: list[Entry], now: float) -> None:
        self._before_update = dict(self.entries)
        self.add(entries, now)
        self.lifecycle.begin(UPDATE_IN_PROGRESS, "The dataset is being updated.", DATASET_UPDATED)

    def fail_now(self, message: str) -> bool:
        """Ends the step in progress now as the service reports a failed one; False if none is."""
        status = self.lifecycle.refresh(is_read=False)
        if status not in DATASET_FAILURES:
            return False
        if status == UPDATE_IN_PROGRESS and self._before_update is not None:
            self.entries = self._before_update
            self.revision += 1
        return self.lifecycle.fail_now(DATASET_FAILURES[status], message)

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


@dataclass
class Project:
    name: str
    arn: str
    created_at: float
    sequence: int
    models: dict[str, Model] = field(default_factory=dict)
    last_version: int = 0
    datasets: dict[str, Dataset] = field(default_factory=dict)
    packaging_jobs: dict[str, PackagingJob] = field(default_factory=dict)
    deleting: set[str] = field(default_factory=set)  # versions in DELETING

    def live_models(self) -> dict[str, Model]:
        """The models, once those whose deletion has completed are gone."""
        # Only models being deleted are looked at: a project may hold thousands of models.
        for version in list(self.deleting):
            model = self.models.get(version)
            if model is None or model.lifecycle.refresh(is_read=False) == DELETED:
                self.models.pop(version, None)
                self.deleting.discard(version)
        return self.models

    def live_datasets(self) -> dict[str, Dataset]:
        """The datasets, once those whose deletion has completed are gone."""
        for dataset_type, dataset in list(self.datasets.items()):
            if dataset.lifecycle.refresh(is_read=False) == DELETE_COMPLETE:
                del self.datasets[dataset_type]
        return self.datasets

    def metadata(self) -> dict[str, Any]:
        return {
            "ProjectArn": self.arn,
            "ProjectName": self.name,
            "CreationTimestamp": self.created_at,
        }


@dataclass
class CallOutcome:
    """What a call did: its answer now, how to answer a repeat, and the resource it concerns."""

    answer: dict[str, Any]
    replay: Callable[[], dict[str, Any]]
    resource_id: str
    resource_type: str


def _snapshot(value: Any) -> Any:
    """A copy of a call's JSON input that later changes to the original can't reach, compared
    by equality (cheaper than a canonical JSON text): objects match however their members are
    ordered, and true stays unequal to 1 as in JSON."""
    if isinstance(value, dict):
        return {key: _snapshot(member) for key, member in value.items()}
    if isinstance(value, list):
        return tuple(_snapshot(item) for item in value)
    if isinstance(value, bool):
        return ("boolean", value)
    return value


@dataclass
class _RememberedCall:
    inputs: Any  # the call's input, as _snapshot keeps it
    expires_at: float
    outcome: CallOutcome


class IdempotencyTokens:
    """Client tokens seen in the last ``TOKEN_LIFETIME_SECONDS`` of simulated time, by operation."""

    def __init__(self) -> None:
        self._calls: OrderedDict[tuple[str, str], _RememberedCall] = OrderedDict()

    def replay(
        self, operation: str, token: str | None, inputs: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The remembered answer for a repeated call, None for a new one; a mismatch is an error."""
        if token is None:
            return None
        now = clock.time()
        self._forget_expired(now)
        remembered = self._calls.get((operation, token))
        if remembered is None or remembered.expires_at <= now:
            return None
        if remembered.inputs != _snapshot(inputs):
            raise ConflictException(
                f"The client token {token} was already used with different parameters.",
                resource_id=remembered.outcome.resource_id,
                resource_type=remembered.outcome.resource_type,
            )
        return remembered.outcome.replay()

    def remember(
        self, operation: str, token: str | None, inputs: dict[str, Any], outcome: CallOutcome
    ) -> None:
        if token is not None:
            expires_at = clock.time() + TOKEN_LIFETIME_SECONDS
            self._calls[(operation, token)] = _RememberedCall(
                _snapshot(inputs), expires_at, outcome
            )
            self._calls.move_to_end((operation, token))

    def _forget_expired(self, now: float) -> None:
        while self._calls:
            key, oldest = next(iter(self._calls.items()))
            if oldest.expires_at > now:
                return
            del self._calls[key]

    def active(self, operation: str) -> int:
        """How many tokens of ``operation`` are remembered and not expired."""
        now = clock.time()
        return sum(
            1 for (op, _), call in self._calls.items() if op == operation and call.expires_at > now
        )


# limits.md: at most 16,000 images in a training dataset and 4,000 in a test dataset.
MAX_DATASET_IMAGES = {"train": 16_000, "test": 4_000}


def _check_dataset_size(dataset_type: str, images: int) -> None:
    limit = MAX_DATASET_IMAGES[dataset_type]
    if images > limit:
        raise ManifestError(
            f"A {dataset_type} dataset holds at most {limit} images; this has {images}."
        )


def _tags_as_mapping(tags: list[dict[str, str]] | None) -> dict[str, str]:
    # Tag order carries no meaning, and no tags is the same input as an empty list.
    return {tag["Key"]: tag["Value"] for tag in tags or ()}


T = TypeVar("T")


def paginate(
    items: Iterable[T],
    position: Callable[[T], int],
    scope: str,
    next_token: str | None,
    max_results: int | None,
) -> tuple[list[T], str | None]:
    """One page of ``items`` (in ``position`` order) and the token for the next page, if any.

    ``items`` is read lazily, only as far as the page needs. A token names the list it belongs
    to and the position to resume at, so a token from another list, or a forged one, is refused.
    """
    start_position = None
    if next_token is not None:
        try:
            token_scope, _, resume_at = (
                base64.b64decode(next_token, validate=True).decode().rpartition("|")
            )
            start_position = int(resume_at)
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ValidationException("The pagination token is invalid.") from None
        if token_scope != scope:
            raise ValidationException("The pagination token is invalid.")
    size = max_results or DEFAULT_PAGE_SIZE
    page: list[T] = []
    for item in items:
        if start_position is not None and position(item) < start_position:
            continue
        if len(page) == size:
            return page, base64.b64encode(f"{scope}|{position(item)}".encode()).decode()
        page.append(item)
    return page, None


class LookoutVisionBackend(BaseBackend):
    """The service's state in one account and region."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.projects: dict[str, Project] = {}
        self.tokens = IdempotencyTokens()
        self.planned_training_failures: deque[str] = deque()
        self.quotas = Quotas()
        self._training = InProgress(frozenset({TRAINING}))
        self._running = InProgress(HOSTING_STATUSES)
        self._packaging = InProgress(frozenset({PACKAGING_RUNNING}))
        self._plans: dict[tuple[Any, ...], tuple[str | None, Evaluation]] = {}
        self.planned_hosting_failures: deque[str] = deque()
        self.planned_packaging_failures: deque[str] = deque()
        self.detection_results: dict[str, DetectionResult] = {}
        self.injected_errors: dict[str, deque[LookoutVisionError]] = {}
        self._project_sequence = 0
        self._lock = threading.RLock()

    @property
    def urls(self) -> dict[str, Callable[..., Any]]:
        # Imported here: the moto attachment imports this module.
        from .moto_attachment import URL_PATTERN, dispatch

        return {URL_PATTERN: dispatch}

    def raise_injected_error(self, operation_name: str) -> None:
        """Raises the next error a test queued for this operation (``inject_error``), if any."""
        queued = self.injected_errors.get(operation_name)
        if queued:
            try:
                error = queued.popleft()
            except IndexError:  # another thread took the last one
                return
            raise error

    # ARNs ----------------------------------------------------------------------------------

    def _arn(self, resource: str) -> str:
        return (
            f"arn:{self.partition}:{SERVICE_NAME}:{self.region_name}:{self.account_id}:{resource}"
        )

    # Projects ------------------------------------------------------------------------------

    def _project(self, name: str) -> Project:
        project = self.projects.get(name)
        if project is None:
            raise ResourceNotFoundException(
                f"The project {name} does not exist.", resource_id=name, resource_type="PROJECT"
            )
        return project

    def _once(
        self,
        operation: str,
        client_token: str | None,
        inputs: dict[str, Any],
        act: Callable[[], CallOutcome],
    ) -> dict[str, Any]:
        """Runs ``act`` once per client token and input; a repeat within the token's lifetime
        gets the remembered outcome's replay, the token with other input a ConflictException."""
        with self._lock:
            replayed = self.tokens.replay(operation, client_token, inputs)
            if replayed is not None:
                return replayed
            outcome = act()
            self.tokens.remember(operation, client_token, inputs, outcome)
            return outcome.answer

    def create_project(self, project_name: str, client_token: str | None = None) -> dict[str, Any]:
        def act() -> CallOutcome:
            if project_name in self.projects:
                raise ConflictException(
                    f"A project named {project_name} already exists.",
                    resource_id=project_name,
                    resource_type="PROJECT",
                )
            self.quotas.check(PROJECTS, len(self.projects))
            self._project_sequence += 1
            project = Project(
                name=project_name,
                arn=self._arn(f"project/{project_name}"),
                created_at=clock.time(),
                sequence=self._project_sequence,
            )
            self.projects[project_name] = project
            answer = {"ProjectMetadata": project.metadata()}
            return CallOutcome(answer, lambda: answer, project_name, "PROJECT")

        return self._once("CreateProject", client_token, {"name": project_name}, act)

    def describe_project(self, project_name: str) -> dict[str, Any]:
        with self._lock:
            project = self._project(project_name)
            datasets = [d.metadata() for d in project.live_datasets().values()]
            return {"ProjectDescription": {**project.metadata(), "Datasets": datasets}}

    def list_projects(
        self, next_token: str | None = None, max_results: int | None = None
    ) -> dict[str, Any]:
        projects = list(self.projects.values())
        page, token = paginate(
            projects, lambda p: p.sequence, "ListProjects", next_token, max_results
        )
        return {"Projects": [p.metadata() for p in page], "NextToken": token}

    def delete_project(self, project_name: str, client_token: str | None = None) -> dict[str, Any]:
        def act() -> CallOutcome:
            project = self._project(project_name)
            # "Before you can delete a project, you must first delete all models in the project"
            # and its datasets (developer guide).
            if project.live_models() or project.live_datasets():
                raise ConflictException(
                    f"The project {project_name} still has models or datasets; delete them first.",
                    resource_id=project_name,
                    resource_type="PROJECT",
                )
            del self.projects[project_name]
            answer = {"ProjectArn": project.arn}
            return CallOutcome(answer, lambda: answer, project_name, "PROJECT")

        return self._once("DeleteProject", client_token, {"name": project_name}, act)

    # Datasets --------------------------------------------------------------------------------

    def _dataset(self, project: Project, dataset_type: str) -> Dataset:
        dataset = project.live_datasets().get(dataset_type)
        if dataset is None:
            raise ResourceNotFoundException(
                f"The {dataset_type} dataset of project {project.name} does not exist.",
                resource_id=f"{project.name}/{dataset_type}",
                resource_type="DATASET",
            )
        return dataset

    def _idle_dataset(
        self,
        project: Project,
        dataset_type: str,
        action: str,
        refused: frozenset[str] = DATASET_BUSY | {CREATE_FAILED},
    ) -> Dataset:
        """The dataset, unless its status is one in which it can't be ``action``."""
        dataset = self._dataset(project, dataset_type)
        status = dataset.lifecycle.refresh(is_read=False)
        if status in refused:
            raise ConflictException(
                f"The {dataset_type} dataset of project {project.name} is {status}; "
                f"it can't be {action} now.",
                resource_id=f"{project.name}/{dataset_type}",
                resource_type="DATASET",
            )
        return dataset

    def create_dataset(
        self,
        project_name: str,
        dataset_type: str,
        dataset_source: dict[str, Any] | None = None,
        client_token: str | None = None,
    ) -> dict[str, Any]:
        def act() -> CallOutcome:
            project = self._project(project_name)
            if dataset_type in project.live_datasets():
                raise ConflictException(
                    f"Project {project_name} already has a {dataset_type} dataset.",
                    resource_id=f"{project_name}/{dataset_type}",
                    resource_type="DATASET",
                )
            now = clock.time()
            lifecycle = Lifecycle(DATASET_STATE, CREATE_IN_PROGRESS, "")
            dataset = Dataset(project_name, dataset_type, now, lifecycle, updated_at=now)
            failure = None
            manifest = (dataset_source or {}).get("GroundTruthManifest", {}).get("S3Object")
            if manifest is not None:
                try:
                    entries = list(parse_lines(self._read_manifest(manifest), now))
                    _check_dataset_size(dataset_type, len(entries))
                    dataset.add(entries, now)
                except (ManifestError, UnicodeDecodeError) as problem:
                    dataset.entries.clear()
                    failure = Outcome(CREATE_FAILED, f"The manifest file is not valid: {problem}")
                except S3Unavailable as problem:
                    failure = Outcome(CREATE_FAILED, f"The manifest file can't be read: {problem}")
            if manifest is None:
                # "an empty dataset is created and the operation synchronously returns" (API)
                lifecycle.settle(DATASET_CREATED.status, DATASET_CREATED.message)
            else:
                lifecycle.begin(
                    CREATE_IN_PROGRESS, "The dataset is being created.", DATASET_CREATED, failure
                )
            project.datasets[dataset_type] = dataset
            answer = {"DatasetMetadata": dataset.metadata()}
            resource = f"{project_name}/{dataset_type}"
            return CallOutcome(answer, lambda: answer, resource, "DATASET")

        inputs = {"project": project_name, "type": dataset_type, "source": dataset_source}
        return self._once("CreateDataset", client_token, inputs, act)

    def _read_manifest(self, s3_object: dict[str, Any]) -> str:
        from .moto_attachment import read_s3_object

        data = read_s3_object(
            self.account_id,
            self.partition,
            s3_object["Bucket"],
            s3_object["Key"],
            s3_object.get("VersionId"),
        )
        return data.decode("utf-8")

    def find_dataset(self, project_name: str, dataset_type: str) -> Dataset:
        """The dataset, or the ResourceNotFoundException the API would answer."""
        return self._dataset(self._project(project_name), dataset_type)

    def describe_dataset(self, project_name: str, dataset_type: str) -> dict[str, Any]:
        with self._lock:
            dataset = self._dataset(self._project(project_name), dataset_type)
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
        with self._lock:
            project = self._project(project_name)
            dataset = self._dataset(project, dataset_type)
            # Entries keep their place when replaced, so the dict is already in sequence order.
            selected = (
                entry
                for entry in dataset.entries.values()
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
            page, token = paginate(selected, lambda e: e.sequence, scope, next_token, max_results)
            return {"DatasetEntries": [entry.line for entry in page], "NextToken": token}

    def update_dataset_entries(
        self,
        project_name: str,
        dataset_type: str,
        changes: bytes,
        client_token: str | None = None,
    ) -> dict[str, Any]:
        def act() -> CallOutcome:
            project = self._project(project_name)
            dataset = self._idle_dataset(project, dataset_type, "updated")
            now = clock.time()
            try:
                entries = list(parse_lines(changes.decode("utf-8"), now))
            except (ManifestError, UnicodeDecodeError) as problem:
                raise ValidationException(f"The changes are not valid: {problem}") from None
            if not entries:
                raise ValidationException("The changes contain no dataset entries.")
            new = {entry.source_ref for entry in entries} - dataset.entries.keys()
            try:
                _check_dataset_size(dataset_type, len(dataset.entries) + len(new))
            except ManifestError as problem:
                raise ValidationException(str(problem)) from None
            dataset.update(entries, now)
            answer = {"Status": UPDATE_IN_PROGRESS}
            resource = f"{project_name}/{dataset_type}"
            return CallOutcome(answer, lambda: answer, resource, "DATASET")

        inputs = {
            "project": project_name,
            "type": dataset_type,
            "changes": changes.decode("utf-8", "replace"),
        }
        return self._once("UpdateDatasetEntries", client_token, inputs, act)

    def delete_dataset(
        self, project_name: str, dataset_type: str, client_token: str | None = None
    ) -> dict[str, Any]:
        def act() -> CallOutcome:
            project = self._project(project_name)
            # A dataset whose creation failed can be deleted; a busy one can't.
            dataset = self._idle_dataset(project, dataset_type, "deleted", refused=DATASET_BUSY)
            dataset.lifecycle.begin(
                DELETE_IN_PROGRESS, "The dataset is being deleted.", DATASET_DELETED
            )
            answer: dict[str, Any] = {}
            return CallOutcome(answer, lambda: answer, f"{project_name}/{dataset_type}", "DATASET")

        inputs = {"project": project_name, "type": dataset_type}
        return self._once("DeleteDataset", client_token, inputs, act)

    # Models --------------------------------------------------------------------------------

    def _model(self, project: Project, version: str) -> Model:
        models = project.live_models()
        if version == "latest" and models:
            version = max(models, key=int)
        model = models.get(version)
        if model is None:
            raise ResourceNotFoundException(
                f"The model {project.name}/{version} does not exist.",
                resource_id=f"{project.name}/{version}",
                resource_type="MODEL",
            )
        return model

    def find_model(self, project_name: str, model_version: str) -> Model:
        """The model, or the ResourceNotFoundException the API would answer."""
        return self._model(self._project(project_name), model_version)

    def create_model(
        self,
        project_name: str,
        output_config: dict[str, Any],
        description: str | None = None,
        client_token: str | None = None,
        kms_key_id: str | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        tag_map = _tags_as_mapping(tags)

        def act() -> CallOutcome:
            project = self._project(project_name)
            problem, evaluation = self._training_plan(project)
            self._check_output_bucket(output_config)
            self.quotas.check(MODELS_PER_PROJECT, len(project.live_models()))
            self.quotas.check(CONCURRENT_TRAININGS, self._training.count())
            version = str(project.last_version + 1)
            now = clock.time()
            if problem is None and kms_key_id is not None:
                problem = self._kms_problem(kms_key_id)
            planned = self._planned(self.planned_training_failures, TRAINING_FAILED)
            if planned is None and problem is not None:
                planned = Outcome(TRAINING_FAILED, problem)
            model = Model(
                project_name=project_name,
                version=version,
                arn=self._arn(f"model/{project_name}/{version}"),
                created_at=now,
                output_config=output_config,
                description=description,
                kms_key_id=kms_key_id,
                lifecycle=Lifecycle(TRAINING_STATE, TRAINING, TRAINING_MESSAGE),
                tags=dict(tag_map),
                evaluation=evaluation,
            )
            model.lifecycle.begin(
                TRAINING,
                TRAINING_MESSAGE,
                TRAINED_OUTCOME,
                planned,
                on_success=lambda at: self._complete_training(model, at),
            )
            project.last_version += 1
            project.models[version] = model
            self._training.add(model.lifecycle)
            # The creation answer is always TRAINING: only later reads move the lifecycle on.
            created = {"ModelMetadata": model.metadata(refresh=False)}

            def replay() -> dict[str, Any]:
                # A repeat reports the model as it is now, or as created once it is deleted.
                live = project.live_models().get(version)
                return {"ModelMetadata": live.metadata()} if live is not None else created

            return CallOutcome(created, replay, f"{project_name}/{version}", "MODEL")

        inputs = {
            "project": project_name,
            "description": description,
            "output": output_config,
            "kms": kms_key_id,
            "tags": tag_map,
        }
        return self._once("CreateModel", client_token, inputs, act)

    def _training_plan(self, project: Project) -> tuple[str | None, Evaluation]:
        """Why the project's data can't train a model (None if it can), and the evaluation a
        training on it gets. Worked out once per version of the datasets: the data decide."""
        train, test = self._training_datasets(project)
        versions = [(d.dataset_type, d.created_at, d.revision) for d in (train, test) if d]
        key = (project.name, project.created_at, *versions)
        found = self._plans.get(key)
        if found is None:
            found = plan(
                list(train.entries.values()), None if test is None else list(test.entries.values())
            )
            if len(self._plans) >= 64:  # a few recent versions are all worth keeping
                del self._plans[next(iter(self._plans))]
            self._plans[key] = found
        return found

    def _training_datasets(self, project: Project) -> tuple[Dataset, Dataset | None]:
        """The train dataset, and the test dataset if the project has one; both ready."""
        datasets = project.live_datasets()
        train = datasets.get("train")
        if train is None:
            # "you must create a training dataset before you can create a model" (DeleteDataset)
            raise ValidationException(
                f"Project {project.name} has no training dataset; create one before a model."
            )
        for dataset_type in list(datasets):
            self._idle_dataset(project, dataset_type, "trained on")
        return train, datasets.get("test")

    def _check_output_bucket(self, output_config: dict[str, Any]) -> None:
        """The CreateModel permissions page: s3:GetBucketLocation "validates the ownership and the
        AWS Region of the S3 bucket" the results go to."""
        from .moto_attachment import s3_bucket_region

        bucket = output_config["S3Location"]["Bucket"]
        try:
            region = s3_bucket_region(self.account_id, self.partition, bucket)
        except S3Unavailable as problem:
            raise ValidationException(f"The output location is not usable: {problem}") from None
        if region != self.region_name:
            raise ValidationException(
                f"The output bucket {bucket} is in {region}; it must be in {self.region_name}."
            )

    def _kms_problem(self, kms_key_id: str) -> str | None:
        from .moto_attachment import kms_key_usable

        if kms_key_usable(self.account_id, self.region_name, kms_key_id):
            return None
        return f"The KMS key {kms_key_id} was not found or is not enabled."

    def _complete_training(self, model: Model, at: float) -> Outcome | None:
        """As training runs to its end: the images are read (a failure if they can't be used),
        then the evaluation manifest and result go to the output location."""
        from .moto_attachment import read_s3_head, write_s3_object

        evaluation = model.evaluation
        assert evaluation is not None

        def read_head(uri: str) -> tuple[bytes, int]:
            bucket, _, key = uri.removeprefix("s3://").partition("/")
            return read_s3_head(
                self.account_id, self.partition, bucket, key, HEADER_BYTES, MAX_IMAGE_BYTES
            )

        problem, model.image_size = image_problem(evaluation, read_head)
        if problem is not None:
            return Outcome(TRAINING_FAILED, problem)
        bucket = model.output_config["S3Location"]["Bucket"]
        results = (
            (
                model.evaluation_key("EvaluationManifest"),
                evaluation.manifest(model.arn, model.project_name, model.version, at),
            ),
            (model.evaluation_key("EvaluationResult"), evaluation.result(model.arn, at)),
        )
        try:
            for key, data in results:
                write_s3_object(self.account_id, self.partition, bucket, key, data)
        except S3Unavailable as problem:
            return Outcome(TRAINING_FAILED, f"The training results could not be written: {problem}")
        return None

    def describe_model(self, project_name: str, model_version: str) -> dict[str, Any]:
        with self._lock:
            return {"ModelDescription": self.find_model(project_name, model_version).describe()}

    def list_models(
        self, project_name: str, next_token: str | None = None, max_results: int | None = None
    ) -> dict[str, Any]:
        with self._lock:
            project = self._project(project_name)
            models = list(project.live_models().values())
            page, token = paginate(
                models,
                lambda m: int(m.version),
                f"ListModels/{project.arn}",
                next_token,
                max_results,
            )
            return {"Models": [m.metadata() for m in page], "NextToken": token}

    def start_model(
        self,
        project_name: str,
        model_version: str,
        min_inference_units: int,
        client_token: str | None = None,
        max_inference_units: int | None = None,
    ) -> dict[str, Any]:
        def act() -> CallOutcome:
            model = self.find_model(project_name, model_version)
            maximum = min_inference_units if max_inference_units is None else max_inference_units
            if maximum < min_inference_units:
                raise ValidationException(
                    f"MaxInferenceUnits ({maximum}) can't be less than MinInferenceUnits "
                    f"({min_inference_units})."
                )
            self._require_status(model, STARTABLE_STATUSES, "started")
            self.quotas.check(INFERENCE_UNITS, 0, maximum)
            self.quotas.check(RUNNING_MODELS, self._running.count())
            model.inference_units = (min_inference_units, maximum)
            model.lifecycle.begin(
                STARTING_HOSTING,
                "The model is starting.",
                HOSTED_OUTCOME,
                self._planned(self.planned_hosting_failures, HOSTING_FAILED),
                kind=HOSTING_STATE,
            )
            self._running.add(model.lifecycle)
            answer = {"Status": STARTING_HOSTING}
            return CallOutcome(answer, lambda: answer, f"{project_name}/{model.version}", "MODEL")

        inputs = {
            "project": project_name,
            "version": model_version,
            "units": [min_inference_units, max_inference_units],
        }
        return self._once("StartModel", client_token, inputs, act)

    def stop_model(
        self, project_name: str, model_version: str, client_token: str | None = None
    ) -> dict[str, Any]:
        def act() -> CallOutcome:
            model = self.find_model(project_name, model_version)
            self._require_status(model, frozenset({HOSTED, HOSTING_FAILED}), "stopped")
            model.lifecycle.begin(
                STOPPING_HOSTING, "The model is stopping.", STOPPED_OUTCOME, kind=HOSTING_STATE
            )
            answer = {"Status": STOPPING_HOSTING}
            return CallOutcome(answer, lambda: answer, f"{project_name}/{model.version}", "MODEL")

        inputs = {"project": project_name, "version": model_version}
        return self._once("StopModel", client_token, inputs, act)

    def detect_anomalies(
        self, project_name: str, model_version: str, body: bytes, content_type: str
    ) -> dict[str, Any]:
        model = self.find_model(project_name, model_version)
        # "Before calling DetectAnomalies, you must first start your model" (API reference).
        self._require_status(model, frozenset({HOSTED}), "used for detection until it is HOSTED")
        size = image_size(body, content_type.split(";")[0].strip().lower())
        if model.image_size is not None and size != model.image_size:
            # "The image must have the same dimensions as the images used to train the model."
            raise ValidationException(
                f"The image is {size[0]}x{size[1]} pixels; the model was trained on images of "
                f"{model.image_size[0]}x{model.image_size[1]}."
            )
        key = image_key(body)
        result = self.detection_results.get(key)
        if result is None:
            assert model.evaluation is not None
            result = derived_result(key, size, model.evaluation.labels)
        return {"DetectAnomalyResult": result.wire()}

    def _require_status(self, model: Model, allowed: frozenset[str], action: str) -> None:
        status = model.lifecycle.refresh(is_read=False)
        if status not in allowed:
            raise ConflictException(
                f"The model {model.project_name}/{model.version} is {status} and can't be "
                f"{action}.",
                resource_id=f"{model.project_name}/{model.version}",
                resource_type="MODEL",
            )

    @staticmethod
    def _planned(planned: deque[str], status: str) -> Outcome | None:
        return Outcome(status, planned.popleft()) if planned else None

    # Model packaging ----------------------------------------------------------------------------

    def start_model_packaging_job(
        self,
        project_name: str,
        model_version: str,
        configuration: dict[str, Any],
        job_name: str | None = None,
        description: str | None = None,
        client_token: str | None = None,
    ) -> dict[str, Any]:
        def act() -> CallOutcome:
            project = self._project(project_name)
            model = self._model(project, model_version)
            if TRAINED not in model.lifecycle.reached:
                raise ConflictException(
                    f"The model {project_name}/{model.version} is not trained; only a trained "
                    "model can be packaged.",
                    resource_id=f"{project_name}/{model.version}",
                    resource_type="MODEL",
                )
            check_greengrass(configuration)
            component = (
                configuration["Greengrass"]["ComponentName"],
                configuration["Greengrass"].get("ComponentVersion", f"{model.version}.0.0"),
            )
            if any(job.component == component for job in project.packaging_jobs.values()):
                # "an existing ComponentName and ComponentVersion pair is not allowed" (API)
                raise ConflictException(
                    f"Component {component[0]} version {component[1]} is already packaged.",
                    resource_id=f"{component[0]}:{component[1]}",
                    resource_type="MODEL_PACKAGE_JOB",
                )
            # Job names allow no underscore, which project names do.
            number = len(project.packaging_jobs) + 1
            name = job_name or f"{project_name.replace('_', '-')}-{model.version}-{number}"
            if name in project.packaging_jobs:
                raise ConflictException(
                    f"Project {project_name} already has a packaging job named {name}.",
                    resource_id=name,
                    resource_type="MODEL_PACKAGE_JOB",
                )
            self.quotas.check(CONCURRENT_PACKAGING_JOBS, self._packaging.count())
            job = PackagingJob(
                name,
                project_name,
                model.version,
                configuration,
                description,
                clock.time(),
                Lifecycle(PACKAGING_STATE, PACKAGING_RUNNING, ""),
            )
            job.lifecycle.begin(
                PACKAGING_RUNNING,
                "The model packaging job is running.",
                PACKAGING_SUCCEEDED,
                self._planned(self.planned_packaging_failures, PACKAGING_FAILED),
                on_success=lambda _: self._write_component(job),
            )
            project.packaging_jobs[name] = job
            self._packaging.add(job.lifecycle)
            answer = {"JobName": name}
            return CallOutcome(answer, lambda: answer, name, "MODEL_PACKAGE_JOB")

        inputs = {
            "project": project_name,
            "version": model_version,
            "configuration": configuration,
            "name": job_name,
            "description": description,
        }
        return self._once("StartModelPackagingJob", client_token, inputs, act)

    def _write_component(self, job: PackagingJob) -> Outcome | None:
        """As the job succeeds: the component archive goes to its S3 output location, which
        must be a bucket in this region (the developer guide's rule for packaging output)."""
        from .moto_attachment import s3_bucket_region, write_s3_object

        bucket = job.configuration["Greengrass"]["S3OutputLocation"]["Bucket"]
        try:
            bucket_region = s3_bucket_region(self.account_id, self.partition, bucket)
            if bucket_region != self.region_name:
                return Outcome(
                    PACKAGING_FAILED,
                    f"The bucket {bucket} is in {bucket_region}, not in {self.region_name}.",
                )
            write_s3_object(
                self.account_id, self.partition, bucket, job.artifact_key(), job.artifact()
            )
        except S3Unavailable as problem:
            return Outcome(PACKAGING_FAILED, str(problem))
        name, version = job.component
        job.output = {
            "ComponentVersionArn": (
                f"arn:{self.partition}:greengrass:{self.region_name}:{self.account_id}:"
                f"components:{name}:versions:{version}"
            ),
            "ComponentName": name,
            "ComponentVersion": version,
        }
        return None

    def find_packaging_job(self, project_name: str, job_name: str) -> PackagingJob:
        """The job, or the ResourceNotFoundException the API would answer."""
        job = self._project(project_name).packaging_jobs.get(job_name)
        if job is None:
            raise ResourceNotFoundException(
                f"Project {project_name} has no packaging job named {job_name}.",
                resource_id=job_name,
                resource_type="MODEL_PACKAGE_JOB",
            )
        return job

    def describe_model_packaging_job(self, project_name: str, job_name: str) -> dict[str, Any]:
        with self._lock:
            job = self.find_packaging_job(project_name, job_name)
            return {"ModelPackagingDescription": job.describe()}

    def list_model_packaging_jobs(
        self, project_name: str, next_token: str | None = None, max_results: int | None = None
    ) -> dict[str, Any]:
        with self._lock:
            project = self._project(project_name)
            jobs = list(enumerate(project.packaging_jobs.values()))
            scope = f"ListModelPackagingJobs/{project.arn}"
            page, token = paginate(jobs, lambda item: item[0], scope, next_token, max_results)
            return {"ModelPackagingJobs": [job.metadata() for _, job in page], "NextToken": token}

    def delete_model(
        self, project_name: str, model_version: str, client_token: str | None = None
    ) -> dict[str, Any]:
        def act() -> CallOutcome:
            project = self._project(project_name)
            model = self._model(project, model_version)
            status = model.lifecycle.refresh(is_read=False)
            if status in UNDELETABLE_STATUSES:
                raise ConflictException(
                    f"The model {project_name}/{model.version} is {status} and can't be deleted.",
                    resource_id=f"{project_name}/{model.version}",
                    resource_type="MODEL",
                )
            # "It might take a few seconds to delete a model" (developer guide): DELETING first.
            model.lifecycle.begin(
                DELETING, "The model is being deleted.", MODEL_DELETED, kind=DELETION_STATE
            )
            project.deleting.add(model.version)
            answer = {"ModelArn": model.arn}
            return CallOutcome(answer, lambda: answer, f"{project_name}/{model.version}", "MODEL")

        inputs = {"project": project_name, "version": model_version}
        return self._once("DeleteModel", client_token, inputs, act)

    # Tags ----------------------------------------------------------------------------------

    def _taggable(self, resource_arn: str) -> Model:
        # Only models carry tags in this API (TagResource: "Adds ... tags to ... model").
        prefix = self._arn("model/")
        project_name, _, version = resource_arn.removeprefix(prefix).partition("/")
        project = self.projects.get(project_name) if resource_arn.startswith(prefix) else None
        model = project.live_models().get(version) if project is not None else None
        if model is None:
            raise ResourceNotFoundException(
                f"The resource {resource_arn} does not exist.",
                resource_id=resource_arn,
                resource_type="MODEL",
            )
        return model

    def tag_resource(self, resource_arn: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        with self._lock:
            model = self._taggable(resource_arn)
            merged = {**model.tags, **_tags_as_mapping(tags)}
            if len(merged) > MAX_TAGS_PER_RESOURCE:
                raise ServiceQuotaExceededException(
                    f"The resource {resource_arn} would have {len(merged)} tags; "
                    f"the limit is {MAX_TAGS_PER_RESOURCE}.",
                    # No quota code is documented for this limit; the name says which it is.
                    quota_code="tags-per-resource",
                    service_code=SERVICE_NAME,
                    resource_id=resource_arn,
                    resource_type="MODEL",
                )
            model.tags = merged
            return {}

    def untag_resource(self, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        with self._lock:
            model = self._taggable(resource_arn)
            model.tags = {k: v for k, v in model.tags.items() if k not in set(tag_keys)}
            return {}

    def list_tags_for_resource(self, resource_arn: str) -> dict[str, Any]:
        model = self._taggable(resource_arn)
        return {"Tags": [{"Key": k, "Value": v} for k, v in model.tags.items()]}


lookoutvision_backends = BackendDict(
    LookoutVisionBackend, SERVICE_NAME, use_boto3_regions=False, additional_regions=REGIONS
)
